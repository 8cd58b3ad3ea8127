// Concurrent HTTP clients posting prepared batches; global fetch keeps its connections alive.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

export interface PostRun {
  batches: number;
  messages: number;
  inserted: number;
  duplicates: number;
  errors: number;
  wallS: number;
  /** per batch, from the request's start to the last byte of the response */
  latenciesMs: number[];
  /** per batch, the service's own `processing_time` (parse + transaction) */
  processingMs: number[];
}

interface IngestAnswer {
  inserted: number;
  duplicates: number;
  errors: number;
  total_messages: number;
  processing_time: number;
}

/** Runs `jobs` on `concurrency` workers that pull the next index until none is left. */
async function pool(
  count: number,
  concurrency: number,
  job: (index: number, worker: number) => Promise<void>,
) {
  let next = 0;
  const worker = async (_: unknown, id: number) => {
    while (next < count) {
      const index = next++;
      await job(index, id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Client `i` posts to `urls[i % urls.length]`. */
export async function postBatches(
  urls: readonly string[],
  apiKey: string,
  bodies: readonly Buffer<ArrayBuffer>[],
  concurrency: number,
): Promise<PostRun> {
  const run: PostRun = {
    batches: bodies.length,
    messages: 0,
    inserted: 0,
    duplicates: 0,
    errors: 0,
    wallS: 0,
    latenciesMs: [],
    processingMs: [],
  };
  const started = performance.now();
  await pool(bodies.length, concurrency, async (index, worker) => {
    const url = urls[worker % urls.length] ?? "";
    const t0 = performance.now();
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: bodies[index],
    });
    const text = await response.text();
    const latency = performance.now() - t0;
    if (!response.ok) throw new Error(`batch ${index}: HTTP ${response.status} ${text.slice(0, 500)}`);
    const answer = JSON.parse(text) as IngestAnswer;
    run.latenciesMs.push(latency);
    run.processingMs.push(answer.processing_time * 1000);
    run.messages += answer.total_messages;
    run.inserted += answer.inserted;
    run.duplicates += answer.duplicates;
    run.errors += answer.errors;
  });
  run.wallS = (performance.now() - started) / 1000;
  return run;
}

export interface CopyRun {
  connections: number;
  rows: number;
  chunks: number;
  wallS: number;
  latenciesMs: number[];
}

/**
 * COPY of prepared text-format chunks into `table` over the given connections, each chunk its own
 * statement (and transaction). The caller opens and closes the connections, so that it can measure the
 * backends' CPU before they end.
 */
export async function copyChunks(
  clients: readonly pg.Client[],
  table: string,
  columns: readonly string[],
  chunks: readonly Buffer[],
): Promise<CopyRun> {
  const sql = `COPY ${table} (${columns.join(", ")}) FROM STDIN`;
  const run: CopyRun = {
    connections: clients.length,
    rows: 0,
    chunks: chunks.length,
    wallS: 0,
    latenciesMs: [],
  };
  const free = [...clients];
  const started = performance.now();
  await pool(chunks.length, clients.length, async (index) => {
    const client = free.pop();
    const chunk = chunks[index];
    if (!client || !chunk) throw new Error("no free connection");
    try {
      const t0 = performance.now();
      const stream = client.query(copyFrom(sql));
      await pipeline(Readable.from([chunk]), stream);
      run.latenciesMs.push(performance.now() - t0);
      run.rows += stream.rowCount;
    } finally {
      free.push(client);
    }
  });
  run.wallS = (performance.now() - started) / 1000;
  return run;
}

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
