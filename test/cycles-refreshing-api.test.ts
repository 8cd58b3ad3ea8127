import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, FakeClock, type TestDatabase } from "./harness.js";

// /api/cycles while changes are still queued and the read has no budget left for them (decision 0009).

let t: TestDatabase;
let app: App;
const NOW = new Date("2026-02-20T12:00:00Z");
const DEVICE = "shellypro4pm-0f0f0f0f0f0f";
const at = (iso: string) => Date.parse(iso) / 1000;

function run(startIso: string, minutes: number) {
  return Array.from({ length: minutes }, (_, i) => ({
    src: DEVICE,
    timestamp: at(startIso) + i * 60,
    params: { "switch:0": { apower: 900, current: 4 } },
  }));
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, {
    clock: new FakeClock(NOW),
    migrationCount: t.migrationCount,
    publicDashboard: true,
    cycleReadBudget: { budgetMs: 0, minSteps: 0 },
  });
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("GET /api/cycles while a backfill is being absorbed", () => {
  it("answers with the stored cycles, refreshing and the oldest pending change; then without them", async () => {
    const receivedAt = new Date("2026-02-20T11:58:30Z");
    const nowS = at(NOW.toISOString());
    await ingestBatch(t.db, run("2026-02-10T08:00:00Z", 20), { nowS, receivedAt });
    await refreshPendingCycles(t.db, { nowMinute: nowS / 60 });
    await ingestBatch(t.db, run("2026-02-11T08:00:00Z", 15), { nowS, receivedAt });

    const url = `/api/cycles?device_id=${DEVICE}&channel=0&from=2026-02-01&to=2026-02-19`;
    const stale = (await app.inject({ method: "GET", url })).json();
    expect(stale.refreshing).toBe(true);
    expect(Date.parse(stale.pending_since)).not.toBeNaN();
    expect(stale.total).toBe(1);

    await refreshPendingCycles(t.db, { nowMinute: nowS / 60 });
    const fresh = (await app.inject({ method: "GET", url })).json();
    expect(fresh.total).toBe(2);
    expect(fresh).not.toHaveProperty("refreshing");
    expect(fresh).not.toHaveProperty("pending_since");
  });

  it("says the backtest is provisional while the cycles it judges are being brought up to date", async () => {
    // A backfill of a week without the pump running after a stored day of runs: until it is absorbed, the
    // replay judges the cycles stored before it.
    const receivedAt = new Date("2026-02-20T11:58:30Z");
    const nowS = at(NOW.toISOString());
    await refreshPendingCycles(t.db, { nowMinute: nowS / 60 });
    await ingestBatch(t.db, run("2026-02-12T08:00:00Z", 10), { nowS, receivedAt });
    const url = `/api/alerts/backtest?device_id=${DEVICE}&from=2026-02-01&to=2026-02-19`;
    const stale = await app.inject({ method: "GET", url });
    expect(stale.statusCode).toBe(200);
    expect(stale.json().refreshing).toBe(true);
    expect(Date.parse(stale.json().pending_since)).not.toBeNaN();

    await refreshPendingCycles(t.db, { nowMinute: nowS / 60 });
    const fresh = (await app.inject({ method: "GET", url })).json();
    expect(fresh).not.toHaveProperty("refreshing");
    expect(fresh).not.toHaveProperty("pending_since");
    expect(Array.isArray(fresh.alerts)).toBe(true);
  });

  it("says pump health is provisional while the sump's cycles are being brought up to date", async () => {
    const receivedAt = new Date("2026-02-20T11:58:30Z");
    const nowS = at(NOW.toISOString());
    await refreshPendingCycles(t.db, { nowMinute: nowS / 60 });
    await ingestBatch(t.db, run("2026-02-13T08:00:00Z", 10), { nowS, receivedAt });
    const url = `/api/pump-health?device_id=${DEVICE}&channel=0&from=2026-02-01&to=2026-02-19`;
    const stale = await app.inject({ method: "GET", url });
    expect(stale.statusCode).toBe(200);
    expect(stale.json().refreshing).toBe(true);
    expect(Date.parse(stale.json().pending_since)).not.toBeNaN();

    await refreshPendingCycles(t.db, { nowMinute: nowS / 60 });
    const fresh = (await app.inject({ method: "GET", url })).json();
    expect(fresh).not.toHaveProperty("refreshing");
    expect(fresh.days.find((d: { date: string }) => d.date === "2026-02-13")?.starts).toBe(1);
  });
});
