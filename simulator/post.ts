/** Posts message batches to `POST /api/ingest/batch` with bounded concurrency and retries. */
import type { IngestMessage, IngestResponse } from "../src/contracts/ingest.js";

export interface PostOptions {
  /** batches in flight at once (default 2) */
  concurrency?: number;
  /** retries of one batch before giving up (default 10) */
  maxRetries?: number;
  /** first backoff delay, doubled on each retry, ±25 % jitter (default 500 ms) */
  retryBaseMs?: number;
  /** cap of one backoff delay, also of a `Retry-After` wait (default 30 000 ms) */
  retryMaxMs?: number;
  /** called before each retry wait */
  onRetry?: (info: { attempt: number; reason: string; waitMs: number }) => void;
  /** called after every accepted batch */
  onProgress?: (totals: PostTotals, batch: readonly IngestMessage[]) => void;
  /** replaces the global `fetch` (tests) */
  fetch?: typeof fetch;
}

export interface PostTotals {
  /** messages in accepted batches */
  messages: number;
  batches: number;
  /** sums of the responses' `inserted`, `duplicates` and `errors` (rejected messages) */
  inserted: number;
  duplicates: number;
  errors: number;
  /** requests repeated after a 5xx, 429, 408 or network error */
  retries: number;
  elapsedMs: number;
  batchesPerSecond: number;
  messagesPerSecond: number;
}

/** A batch the service refused for good (4xx), or one that kept failing after all retries. */
export class IngestPostError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly body: string,
  ) {
    super(message);
    this.name = "IngestPostError";
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `Retry-After` as milliseconds (delta-seconds or HTTP date), or null. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

const retryable = (status: number): boolean => status >= 500 || status === 429 || status === 408;

function toIterator<T>(source: Iterable<T> | AsyncIterable<T>): { next(): Promise<IteratorResult<T>> } {
  if (Symbol.asyncIterator in source) {
    const it = source[Symbol.asyncIterator]();
    return { next: () => it.next() };
  }
  const it = source[Symbol.iterator]();
  return { next: async () => it.next() };
}

/**
 * Sends every batch as `POST url` with `X-Api-Key: key` and body `{"messages": batch}`.
 * Batches are pulled lazily from `batches` (at most `concurrency` in flight), so a generator
 * producing days of history is never held in memory. 5xx, 429, 408 and network errors are
 * retried with exponential backoff (honouring `Retry-After`); any other 4xx stops everything
 * with an {@link IngestPostError}. Resolves with the totals.
 */
export async function postBatches(
  url: string,
  key: string,
  batches: Iterable<IngestMessage[]> | AsyncIterable<IngestMessage[]>,
  options: PostOptions = {},
): Promise<PostTotals> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
  const maxRetries = options.maxRetries ?? 10;
  const baseMs = options.retryBaseMs ?? 500;
  const maxMs = options.retryMaxMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;
  const startedAt = performance.now();
  const totals: PostTotals = {
    messages: 0,
    batches: 0,
    inserted: 0,
    duplicates: 0,
    errors: 0,
    retries: 0,
    elapsedMs: 0,
    batchesPerSecond: 0,
    messagesPerSecond: 0,
  };
  const snapshot = (): PostTotals => {
    const elapsedMs = performance.now() - startedAt;
    const s = elapsedMs / 1000;
    return {
      ...totals,
      elapsedMs,
      batchesPerSecond: s > 0 ? totals.batches / s : 0,
      messagesPerSecond: s > 0 ? totals.messages / s : 0,
    };
  };
  const source = toIterator(batches);
  let failure: unknown = null;

  const send = async (batch: IngestMessage[]): Promise<void> => {
    const body = JSON.stringify({ messages: batch });
    for (let attempt = 0; ; attempt++) {
      let waitMs = Math.min(maxMs, baseMs * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      let reason: string;
      let status: number | null = null;
      let text = "";
      try {
        const res = await doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": key },
          body,
        });
        status = res.status;
        text = await res.text();
        if (res.ok) {
          let parsed: Partial<IngestResponse> = {};
          try {
            parsed = JSON.parse(text) as Partial<IngestResponse>;
          } catch {
            // a 2xx without a JSON body still counts as accepted
          }
          totals.batches++;
          totals.messages += batch.length;
          totals.inserted += typeof parsed.inserted === "number" ? parsed.inserted : 0;
          totals.duplicates += typeof parsed.duplicates === "number" ? parsed.duplicates : 0;
          totals.errors += typeof parsed.errors === "number" ? parsed.errors : 0;
          options.onProgress?.(snapshot(), batch);
          return;
        }
        if (!retryable(res.status)) {
          throw new IngestPostError(
            `POST ${url} refused a batch of ${batch.length} messages: HTTP ${res.status} ${text.slice(0, 500)}`,
            res.status,
            text,
          );
        }
        reason = `HTTP ${res.status}`;
        const after = parseRetryAfter(res.headers.get("retry-after"), Date.now());
        if (after !== null) waitMs = Math.min(after, maxMs);
      } catch (err) {
        if (err instanceof IngestPostError) throw err;
        reason =
          err instanceof Error ? `${err.message}${err.cause ? ` (${String(err.cause)})` : ""}` : String(err);
      }
      if (failure !== null) return;
      if (attempt >= maxRetries) {
        throw new IngestPostError(
          `POST ${url} failed after ${maxRetries + 1} attempts, last error: ${reason}`,
          status,
          text,
        );
      }
      totals.retries++;
      options.onRetry?.({ attempt: attempt + 1, reason, waitMs });
      await sleep(waitMs);
    }
  };

  const worker = async (): Promise<void> => {
    try {
      while (failure === null) {
        const next = await source.next();
        if (next.done) return;
        await send(next.value);
      }
    } catch (err) {
      failure ??= err;
    }
  };

  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure !== null) throw failure;
  return snapshot();
}
