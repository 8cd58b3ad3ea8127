import { retryAfterSeconds, retryDelaySeconds } from "./backoff.js";
import type { Env } from "./env.js";
import type { QueueMessage } from "./frames.js";

/**
 * One queue batch → one POST to the service → each message acked only once the service has answered for
 * it. Stored, duplicate and ignored messages are done; a rejected one is logged (and dead-lettered) and
 * acked, since sending it again would be rejected again; everything else is retried with a backoff, a
 * refused key included: a key rotation must delay data, never drop it.
 */
export async function consumeBatch(batch: MessageBatch<QueueMessage>, env: Env): Promise<void> {
  await deliver(batch.messages, env);
}

type Outcome = { kind: "answered"; statuses: ResultEntry[] } | { kind: "retry"; afterS: number | null };

interface ResultEntry {
  index: number;
  status: string;
  error?: { code?: string; message?: string };
}

function numberSetting(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
}

async function deliver(messages: readonly Message<QueueMessage>[], env: Env): Promise<void> {
  if (messages.length === 0) return;
  let response: Response;
  try {
    response = await fetch(env.INGEST_URL, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": env.INGEST_API_KEY },
      body: JSON.stringify({ messages: messages.map((m) => m.body) }),
      signal: AbortSignal.timeout(numberSetting(env.INGEST_TIMEOUT_MS, 30_000)),
    });
  } catch (error) {
    log("warn", "service unreachable, batch retried", { messages: messages.length, error: String(error) });
    retry(messages, env, null);
    return;
  }
  const outcome = await outcomeOf(response, messages.length);
  if (outcome.kind === "retry") {
    retry(messages, env, outcome.afterS);
    return;
  }
  if (outcome.statuses.length === 0) {
    // The service refused the batch as a whole (400/413/422): halves are tried until the message at fault
    // stands alone and is rejected on its own, so it never blocks its neighbours.
    if (messages.length > 1) {
      const middle = Math.ceil(messages.length / 2);
      await deliver(messages.slice(0, middle), env);
      await deliver(messages.slice(middle), env);
      return;
    }
    const only = messages[0] as Message<QueueMessage>;
    await reject(only, env, `http_${response.status}`, "lot refusé en entier");
    return;
  }
  const byIndex = new Map<number, ResultEntry>();
  for (const entry of outcome.statuses) byIndex.set(entry.index, entry);
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as Message<QueueMessage>;
    const entry = byIndex.get(index);
    if (!entry) retry([message], env, null);
    else if (entry.status === "rejected") {
      await reject(message, env, entry.error?.code ?? "rejected", entry.error?.message ?? "");
    } else message.ack();
  }
}

async function outcomeOf(response: Response, count: number): Promise<Outcome> {
  const status = response.status;
  if (status === 200) {
    try {
      const body = (await response.json()) as { results?: unknown };
      if (Array.isArray(body.results) && body.results.every(isResult)) {
        return { kind: "answered", statuses: body.results as ResultEntry[] };
      }
    } catch {
      // an unreadable answer confirms nothing
    }
    log("error", "unreadable answer from the service, batch retried", { messages: count });
    return { kind: "retry", afterS: null };
  }
  const afterS = retryAfterSeconds(response.headers.get("retry-after"));
  await response.body?.cancel();
  if (status === 401 || status === 403) {
    log("error", "ingestion key refused (INGEST_API_KEY), batch kept and retried", {
      status,
      messages: count,
    });
    return { kind: "retry", afterS };
  }
  if (status === 429 || status >= 500 || status === 408 || status === 404) {
    log("warn", "service unavailable, batch retried", { status, messages: count });
    return { kind: "retry", afterS };
  }
  return { kind: "answered", statuses: [] };
}

function isResult(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { index?: unknown; status?: unknown };
  return typeof v.index === "number" && typeof v.status === "string";
}

function retry(messages: readonly Message<QueueMessage>[], env: Env, afterS: number | null): void {
  const base = numberSetting(env.RETRY_BASE_SECONDS, 10);
  const max = numberSetting(env.RETRY_MAX_SECONDS, 3_600);
  for (const message of messages) {
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts, afterS, base, max) });
  }
}

async function reject(message: Message<QueueMessage>, env: Env, code: string, detail: string): Promise<void> {
  const body = message.body as Partial<QueueMessage> | undefined;
  log("warn", "message rejected by the service", {
    code,
    detail,
    src: body?.src,
    timestamp: body?.timestamp,
    id: message.id,
  });
  if (env.DEAD_LETTERS) {
    try {
      await env.DEAD_LETTERS.send({
        message: message.body,
        code,
        detail,
        rejected_at: new Date().toISOString(),
      });
    } catch (error) {
      // Not acked: it comes back, is rejected again and gets another chance at the dead-letter queue.
      log("error", "dead-letter queue refused the message, retried", { code, error: String(error) });
      retry([message], env, null);
      return;
    }
  }
  message.ack();
}

export function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
