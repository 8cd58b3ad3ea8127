// npm run bench:edge [-- --meters 50 --speed 60 --minutes 120 --json results.json]
//
// End to end through the edge Worker: simulated Shelly Pro 4PM meters, each on its own Outbound WebSocket,
// replay their frames at `speed`× real time into the Worker (workerd through Miniflare, built from
// worker/src), whose queue consumer posts to the built service on a throw-away PostgreSQL database.
// A relay between the consumer and the service counts what passes and when the service answered.
// Prints: readings stored per second, delay from a frame leaving its meter to the answer that stored it
// (p50/p99), and queue messages per meter-day. A benchmark, not a test: figures go to docs/benchmarks.md.

import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import pg from "pg";
import { type ShellyFrame, simulateFleet } from "../simulator/index.js";
import { buildWorker } from "../worker/build.js";
import { intOption, parseOptions, positiveOption, UsageError } from "./support/args.js";
import { buildService, startService } from "./support/service.js";

const HELP = `npm run bench:edge -- [options]
  --meters N     simulated meters, one WebSocket each (default 50)
  --speed X      simulated seconds per real second (default 60)
  --minutes M    simulated minutes replayed (default 120)
  --seed N       simulator seed (default 1)
  --skip-build   use dist/ as it is instead of running npm run build
  --json FILE    also write the results as JSON
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is the server on which a throw-away
database is created and dropped.`;

const API_KEY = "bench-edge-key-0123456789abcdef";
const TOKEN = "bench-edge-meter-token-0123456789";
const root = fileURLToPath(new URL("..", import.meta.url));

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Between the consumer and the service: when each message's answer came, and what it said. */
function startRelay(target: string, sentAt: Map<string, number>) {
  const stats = {
    requests: 0,
    messages: 0,
    readings: 0,
    delaysMs: [] as number[],
    statuses: new Map<number, number>(),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const messages = (
        JSON.parse(body.toString()) as { messages: { src: string; params: { ts: number } }[] }
      ).messages;
      const upstream = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": String(req.headers["x-api-key"]) },
        body,
      });
      const text = await upstream.text();
      const answeredAt = Date.now();
      stats.requests++;
      stats.statuses.set(upstream.status, (stats.statuses.get(upstream.status) ?? 0) + 1);
      if (upstream.status === 200) {
        const answer = JSON.parse(text) as { results: { index: number; status: string; readings: number }[] };
        stats.messages += messages.length;
        for (const result of answer.results) {
          stats.readings += result.readings;
          const message = messages[result.index];
          const sent = message ? sentAt.get(`${message.src}@${message.params.ts}`) : undefined;
          if (sent !== undefined) stats.delaysMs.push(answeredAt - sent);
        }
      }
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(text);
    });
  });
  return new Promise<{ url: string; stats: typeof stats; close: () => Promise<void> }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/api/ingest/batch`,
        stats,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

async function main(): Promise<void> {
  const values = parseOptions(
    {
      meters: { type: "string", default: "50" },
      speed: { type: "string", default: "60" },
      minutes: { type: "string", default: "120" },
      seed: { type: "string", default: "1" },
      "skip-build": { type: "boolean", default: false },
      json: { type: "string" },
      help: { type: "boolean", default: false },
    },
    HELP,
  );
  const meters = intOption("meters", values.meters, 1, 500);
  const speed = positiveOption("speed", values.speed);
  const minutes = intOption("minutes", values.minutes, 2, 100_000);
  const seed = intOption("seed", values.seed, 0, 2 ** 31 - 1);

  const serverUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const dbName = `pumpwatch_bench_edge_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const cleanups: (() => Promise<void>)[] = [
    async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    },
  ];
  try {
    if (!values["skip-build"]) buildService(root);
    const service = await startService({ root, databaseUrl: dbUrl.toString(), apiKey: API_KEY });
    cleanups.unshift(() => service.stop());

    // The simulated range ends an hour ago, so no frame is ahead of the service's clock.
    const endS = Math.floor(Date.now() / 60_000) * 60 - 3600;
    const startS = endS - minutes * 60;
    const sim = simulateFleet({ seed, devices: meters, days: minutes / 1440, start: startS });
    const frames: ShellyFrame[] = [...sim.frames()];
    log(`${frames.length} frames from ${meters} meters over ${minutes} simulated minutes, at ${speed}×`);

    const sentAt = new Map<string, number>();
    const relay = await startRelay(`${service.baseUrl}/api/ingest/batch`, sentAt);
    cleanups.unshift(relay.close);
    const mf = new Miniflare({
      modules: true,
      scriptPath: await buildWorker(),
      compatibilityDate: "2025-09-01",
      // Miniflare would otherwise download request.cf data from Cloudflare: nothing leaves this machine.
      cf: false,
      bindings: {
        INGEST_URL: relay.url,
        INGEST_API_KEY: API_KEY,
        DEVICE_TOKENS: TOKEN,
        RETRY_BASE_SECONDS: "1",
      },
      queueProducers: { READINGS: "pumpwatch-readings" },
      // The production consumer settings of worker/wrangler.toml.
      queueConsumers: { "pumpwatch-readings": { maxBatchSize: 100, maxBatchTimeout: 5, maxRetries: 100 } },
    });
    cleanups.unshift(() => mf.dispose());

    const sockets = new Map<string, NonNullable<Awaited<ReturnType<typeof mf.dispatchFetch>>["webSocket"]>>();
    for (const device of sim.devices) {
      const response = await mf.dispatchFetch(`http://worker.bench/ws?token=${TOKEN}`, {
        headers: { upgrade: "websocket" },
      });
      const socket = response.webSocket;
      if (!socket) throw new Error(`WebSocket refused: ${response.status}`);
      socket.accept();
      sockets.set(device.id, socket);
    }

    // Replay: a frame of simulated time t leaves at t0 + (t − start) / speed.
    const t0 = Date.now() + 500;
    const started = Date.now();
    for (const frame of frames) {
      const due = t0 + ((frame.params.ts - startS) * 1000) / speed;
      const wait = due - Date.now();
      if (wait > 2) await new Promise((resolve) => setTimeout(resolve, wait));
      const key = `${frame.src}@${frame.params.ts}`;
      if (!sentAt.has(key)) sentAt.set(key, Date.now());
      sockets.get(frame.src)?.send(JSON.stringify(frame));
    }
    const replayMs = Date.now() - started;
    for (const socket of sockets.values()) socket.close(1000, "done");

    // Everything sent is stored when the rows stop growing after the last batch timeout.
    const db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();
    cleanups.unshift(() => db.end());
    let rows = -1;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      const { rows: counted } = await db.query<{ n: string }>("SELECT count(*) AS n FROM readings");
      const n = Number(counted[0]?.n);
      if (n === rows) break;
      rows = n;
    }
    const lastAnswerMs = Date.now() - 7_000 - started;
    const delays = [...relay.stats.delaysMs].sort((a, b) => a - b);
    const meterDays = (meters * minutes) / 1440;
    const results = {
      meters,
      speed,
      simulated_minutes: minutes,
      frames: frames.length,
      replay_s: Math.round(replayMs / 100) / 10,
      rows_stored: rows,
      expected_rows: meters * 4 * (minutes + 1),
      readings_per_s: Math.round(rows / (replayMs / 1000)),
      queue_messages: relay.stats.messages,
      queue_messages_per_meter_day: Math.round(relay.stats.messages / meterDays),
      ingest_requests: relay.stats.requests,
      messages_per_request: Math.round((relay.stats.messages / Math.max(1, relay.stats.requests)) * 10) / 10,
      statuses: Object.fromEntries(relay.stats.statuses),
      delay_ms_p50: percentile(delays, 50),
      delay_ms_p99: percentile(delays, 99),
      delay_ms_max: delays[delays.length - 1] ?? null,
      drained_after_s: Math.round(lastAnswerMs / 100) / 10,
      service_peak_rss_mb: Math.round((service.peakRss() ?? 0) / 1048576),
    };
    console.log(JSON.stringify(results, null, 2));
    if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error) => log(`clean-up: ${String(error)}`));
  }
}

main().catch((error) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${HELP}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
