import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Miniflare } from "miniflare";
import type { Database } from "../../src/db/database.js";
import { buildWorker } from "../../worker/build.js";

export const METER_TOKEN = "meter-token-for-tests-0123456789";
export const BOUND_TOKEN = "bound-token-for-tests-9876543210";

let bundle: Promise<string> | undefined;
/** worker/dist/index.js, built once per test file from worker/src. */
export function workerBundle(): Promise<string> {
  bundle ??= buildWorker();
  return bundle;
}

export interface EdgeOptions {
  ingestUrl: string;
  apiKey: string;
  /** DEVICE_TOKENS */
  tokens?: string;
  retryBaseSeconds?: number;
  /** a dead-letter queue binding whose messages the test can read */
  deadLetters?: boolean;
  ingestTimeoutMs?: number;
}

/** The Worker as Cloudflare runs it (workerd via Miniflare): producer, queue, consumer, same bindings. */
export async function startWorker(options: EdgeOptions): Promise<Miniflare> {
  const scriptPath = await workerBundle();
  return new Miniflare({
    modules: true,
    scriptPath,
    compatibilityDate: "2025-09-01",
    // Miniflare would otherwise download request.cf data from Cloudflare: nothing leaves this machine.
    cf: false,
    bindings: {
      INGEST_URL: options.ingestUrl,
      INGEST_API_KEY: options.apiKey,
      DEVICE_TOKENS: options.tokens ?? `${METER_TOKEN},shellypro4pm-bound:${BOUND_TOKEN}`,
      RETRY_BASE_SECONDS: String(options.retryBaseSeconds ?? 1),
      RETRY_MAX_SECONDS: "2",
      INGEST_TIMEOUT_MS: String(options.ingestTimeoutMs ?? 10_000),
    },
    queueProducers: {
      READINGS: "pumpwatch-readings",
      ...(options.deadLetters ? { DEAD_LETTERS: "pumpwatch-dead-letters" } : {}),
    },
    queueConsumers: {
      "pumpwatch-readings": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 },
    },
  });
}

/** Opens a meter's Outbound WebSocket on the Worker; collects what the Worker sends back. */
export async function connectMeter(mf: Miniflare, token: string | null) {
  const query = token === null ? "" : `?token=${encodeURIComponent(token)}`;
  const response = await mf.dispatchFetch(`http://worker.test/ws${query}`, {
    headers: { upgrade: "websocket" },
  });
  const socket = response.webSocket;
  if (!socket) return { status: response.status, socket: null, received: [] as string[] };
  const received: string[] = [];
  socket.addEventListener("message", (event) => {
    received.push(typeof event.data === "string" ? event.data : "");
  });
  socket.accept();
  return { status: response.status, socket, received };
}

export type ProxyMode = "pass" | "503" | "401" | "down" | "lose-answer";

/**
 * Stands between the consumer and the service: passes requests through, answers 503, drops the
 * connection (service down), or forwards and then drops the connection (stored, answer lost).
 */
export class FlakyProxy {
  mode: ProxyMode = "pass";
  /** every request body that reached the proxy, and the mode it met */
  readonly requests: { mode: ProxyMode; messages: number }[] = [];
  readonly answers: { status: string }[][] = [];
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/ingest/batch`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const mode = this.mode;
    let messages = 0;
    try {
      messages = (JSON.parse(body.toString()) as { messages: unknown[] }).messages.length;
    } catch {}
    this.requests.push({ mode, messages });
    if (mode === "down") {
      req.socket.destroy();
      return;
    }
    if (mode === "503" || mode === "401") {
      res.writeHead(Number(mode), { "retry-after": "1", "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "unavailable", message: "indisponible" } }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "x-api-key"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const upstream = await fetch(this.target, { method: "POST", headers, body });
    const text = await upstream.text();
    if (upstream.status === 200) {
      this.answers.push((JSON.parse(text) as { results: { status: string }[] }).results);
    }
    if (mode === "lose-answer") {
      req.socket.destroy();
      return;
    }
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "text/plain" });
    res.end(text);
  }
}

/** Polls until `check` is true; the deadline only bounds a broken run, it is never what is tested. */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  limitMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every stored measurement, without arrival times or ranks, in key order. */
export interface StoredRow {
  device_id: string;
  channel: number;
  ts: string;
  apower_w: number | null;
  [column: string]: unknown;
}

export async function storedReadings(db: Database): Promise<StoredRow[]> {
  const result = await db.query<StoredRow>(
    `SELECT device_id, channel, ts, apower_w, voltage_v, current_a, power_factor, frequency_hz,
            energy_total_wh, energy_last_minute_wh, temperature_c, output
       FROM readings ORDER BY device_id, channel, ts`,
  );
  return result.rows.map((row) => ({ ...row, ts: new Date(row.ts).toISOString() }));
}
