import { authenticate, parseTokens, type TokenEntry, tokenOf } from "./auth.js";
import { consumeBatch, log } from "./consumer.js";
import type { Env } from "./env.js";
import { MeterStream, messageOf, type QueueMessage, switchesOf } from "./frames.js";
import { QueueSender } from "./sender.js";

/** What the meter expects right after connecting (predecessor-spec §4.1); it answers 404 to the first. */
const BOOTSTRAP = [
  JSON.stringify({ id: 1, src: "pumpwatch", method: "NotifyStatus", params: { enable: true } }),
  JSON.stringify({ id: 2, src: "pumpwatch", method: "Shelly.GetStatus" }),
];

const MAX_BODY_BYTES = 1024 * 1024;

/** Per isolate, logged with each connection's end: what a frame became, and what the queue refused. */
const totals = { connections: 0, frames: 0, messages: 0, covered: 0, ignored: 0, sendFailures: 0 };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function refused(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message } });
}

function textOf(data: string | ArrayBuffer): string {
  return typeof data === "string" ? data : new TextDecoder().decode(data);
}

function acceptsSrc(entry: TokenEntry, src: string): boolean {
  return entry.device === null || entry.device === src;
}

function openMeterSocket(env: Env, ctx: ExecutionContext, entry: TokenEntry): Response {
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  server.accept();
  totals.connections++;
  let closed = false;
  const sender = new QueueSender(env.READINGS, {
    onLost: (count, error) => {
      totals.sendFailures += count;
      log("error", "queue refused messages: closing the meter's connection so it reconnects and resends", {
        lost: count,
        sendFailures: totals.sendFailures,
        error: String(error),
      });
      // The meter's next connection starts with NotifyFullStatus, so its current state comes back.
      if (!closed) server.close(1011, "queue unavailable");
    },
  });
  const stream = new MeterStream({
    // waitUntil keeps each send alive after the meter hangs up, so closing never cancels one.
    emit: (message) => ctx.waitUntil(sender.send(message)),
    schedule: (ms, flush) => {
      const timer = setTimeout(flush, ms);
      return () => clearTimeout(timer);
    },
  });
  const end = () => {
    if (closed) return;
    closed = true;
    stream.close();
    const c = stream.counters;
    totals.frames += c.frames;
    totals.messages += c.messages;
    totals.covered += c.covered;
    totals.ignored += c.ignored;
    log("info", "meter disconnected", { connection: c, totals });
  };
  server.addEventListener("message", (event) => {
    let frame: unknown;
    try {
      frame = JSON.parse(textOf(event.data));
    } catch {
      stream.counters.ignored++;
      return;
    }
    const src = (frame as { src?: unknown } | null)?.src;
    if (typeof src === "string" && !acceptsSrc(entry, src.trim())) {
      log("warn", "frame from another meter than the token's, ignored", { src, device: entry.device });
      return;
    }
    stream.push(frame, Date.now() / 1000);
  });
  server.addEventListener("close", (event) => {
    end();
    // Answering the meter's close ends the request; left open, workerd reports the Worker as hung.
    try {
      server.close(event.code === 1005 ? 1000 : event.code, "bye");
    } catch {
      // already closed
    }
  });
  server.addEventListener("error", end);
  for (const rpc of BOOTSTRAP) server.send(rpc);
  return new Response(null, { status: 101, webSocket: client });
}

/** A posted body → queue messages: queue-shaped messages pass as they are, raw frames are converted. */
function messagesOf(body: unknown, receivedS: number): QueueMessage[] {
  const items = Array.isArray(body) ? body : [body];
  const messages: QueueMessage[] = [];
  for (const item of items) {
    if (typeof item !== "object" || item === null) continue;
    const candidate = item as Partial<QueueMessage> & { method?: unknown };
    if (typeof candidate.src === "string" && typeof candidate.timestamp === "number" && candidate.params) {
      messages.push({ src: candidate.src, timestamp: candidate.timestamp, params: candidate.params });
      continue;
    }
    const found = switchesOf(item, receivedS);
    if (found) messages.push(messageOf(found.src, found.ts, new Map(found.parts)));
  }
  return messages;
}

async function acceptPost(request: Request, env: Env, entry: TokenEntry): Promise<Response> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return refused(413, "payload_too_large", "corps de plus de 1 Mo");
  const raw = await request.arrayBuffer();
  if (raw.byteLength > MAX_BODY_BYTES) return refused(413, "payload_too_large", "corps de plus de 1 Mo");
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return refused(400, "invalid_json", "le corps n'est pas du JSON");
  }
  const messages = messagesOf(body, Date.now() / 1000);
  if (messages.some((m) => !acceptsSrc(entry, m.src.trim()))) {
    return refused(401, "unauthorized", "jeton non valable pour ce compteur");
  }
  try {
    // sendBatch takes at most 100 messages.
    for (let start = 0; start < messages.length; start += 100) {
      await env.READINGS.sendBatch(messages.slice(start, start + 100).map((body) => ({ body })));
    }
  } catch (error) {
    totals.sendFailures += messages.length;
    log("error", "queue refused a posted batch: answered 503 so the sender keeps it", {
      messages: messages.length,
      sendFailures: totals.sendFailures,
      error: String(error),
    });
    return refused(503, "queue_unavailable", "file indisponible, réessayer plus tard");
  }
  return json(202, { accepted: messages.length });
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const url = new URL(request.url);
    const entries = parseTokens(env.DEVICE_TOKENS);
    if (url.pathname === "/ws") {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return refused(426, "upgrade_required", "WebSocket attendu");
      }
      const entry = authenticate(tokenOf(url, null), entries);
      if (!entry) return refused(401, "unauthorized", "jeton absent ou invalide");
      return openMeterSocket(env, ctx, entry);
    }
    if (url.pathname === "/shelly") {
      if (request.method !== "POST") return refused(405, "method_not_allowed", "POST attendu");
      const entry = authenticate(tokenOf(url, request.headers.get("authorization")), entries);
      if (!entry) return refused(401, "unauthorized", "jeton absent ou invalide");
      return acceptPost(request, env, entry);
    }
    return refused(404, "not_found", "chemin inconnu");
  },

  async queue(batch, env): Promise<void> {
    await consumeBatch(batch, env);
  },
} satisfies ExportedHandler<Env, QueueMessage>;
