import pg from "pg";
import { simulateFleet } from "../simulator/index.js";
import { startService } from "../bench/support/service.js";
const name = process.argv[2] ?? "probe_fleet";
const fresh = process.argv[3] === "fresh";
const server = "postgres://postgres@127.0.0.1:5432/postgres";
const admin = new pg.Client({ connectionString: server });
await admin.connect();
if (fresh) {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
}
await admin.end();
const url = `postgres://postgres@127.0.0.1:5432/${name}`;
const svc = await startService({ root: process.cwd(), databaseUrl: url, apiKey: "k".repeat(32), env: { PUBLIC_DASHBOARD: "true", APP_TIMEZONE: "Europe/Paris" } });
if (fresh) {
  const now = Math.floor(Date.now() / 60000) * 60;
  const sim = simulateFleet({ seed: 5, devices: 100, days: 1, start: now - 86400 });
  const bodies = [...sim.batches(1000)].map((b) => JSON.stringify({ messages: b }));
  let i = 0;
  await Promise.all([0, 1, 2, 3].map(async () => { while (i < bodies.length) { const b = bodies[i++]; const r = await fetch(`${svc.baseUrl}/api/ingest/batch`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": "k".repeat(32) }, body: b }); await r.arrayBuffer(); } }));
  const c = new pg.Client({ connectionString: url }); await c.connect();
  for (;;) { const n = Number((await c.query("select count(*) from cycle_refresh_queue")).rows[0].count); if (n === 0) break; await new Promise((r) => setTimeout(r, 1000)); }
  await c.query("VACUUM ANALYZE"); await c.end();
}
const today = new Date().toISOString().slice(0, 10);
const add = (d: string, n: number) => new Date(Date.parse(d) + n * 864e5).toISOString().slice(0, 10);
for (const path of ["/api/devices", "/api/sites", `/api/cycles?from=${add(today, -1)}&to=${add(today, 1)}&limit=10000`, `/api/cycles?from=${add(today, -1)}&to=${add(today, 1)}&limit=100`, `/api/cycles?from=${add(today, -1)}&to=${add(today, 1)}&limit=1`]) {
  const times: number[] = []; let size = 0;
  for (let k = 0; k < 4; k++) { const t = performance.now(); const r = await fetch(svc.baseUrl + path); const b = await r.text(); size = b.length; times.push(performance.now() - t); }
  console.log(path, times.map((x) => x.toFixed(0)).join(" "), "bytes", size);
}
if (process.argv[4] === "hold") { console.log("service", svc.baseUrl); await new Promise((r) => setTimeout(r, 600000)); }
await svc.stop();
