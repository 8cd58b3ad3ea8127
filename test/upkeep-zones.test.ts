/*
 * The background cycle upkeep detects each meter's cycles with the settings of its version in force today in
 * its site's zone (issue 18). At 23:30 UTC on 15/11/2025 it is already 00:30 on the 16th in Paris (UTC+1): a
 * version written then for a Paris meter is dated the 16th, and the rebuild it queues must use it — with
 * APP_TIMEZONE's today (UTC, still the 15th) the upkeep stored the cycles with the previous settings, and they
 * stayed so until the next change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCycleUpkeep } from "../src/analytics/cycle-upkeep.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { createLogger } from "../src/logger.js";
import type { App } from "../src/server/app.js";
import {
  createTestApp,
  createTestDatabase,
  FakeClock,
  loginAs,
  SAME_ORIGIN,
  type TestDatabase,
} from "./harness.js";

const PARIS = "shelly-upkeep-paris";
const LATE = new Date("2025-11-15T23:30:00Z");

let t: TestDatabase;
let app: App;
const clock = new FakeClock(new Date("2025-11-15T12:00:00Z"));

/** Ten minutes at 480 W from `startIso`, then five minutes off (the cycle closes). */
function run(startIso: string) {
  const start = Date.parse(startIso) / 1000;
  return Array.from({ length: 15 }, (_, m) => ({
    src: PARIS,
    timestamp: start + m * 60 + 59,
    params: { "switch:0": { apower: m < 10 ? 480 : 0, current: m < 10 ? 2.4 : 0 } },
  }));
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { migrationCount: t.migrationCount, clock, timeZone: "UTC" });
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const storedCycles = async () =>
  Number(
    (await t.db.query<{ n: string }>("SELECT count(*) AS n FROM cycles WHERE device_id = $1", [PARIS]))
      .rows[0]?.n,
  );

describe("the background cycle upkeep", () => {
  it("detects a Paris meter's cycles with its version of Paris's today, not APP_TIMEZONE's", async () => {
    const nowS = LATE.getTime() / 1000;
    await ingestBatch(t.db, run("2025-11-14T08:00:00Z"), { nowS, receivedAt: LATE });

    const admin = await loginAs(app, t.db, "admin@example.org", "admin");
    const send = (method: "POST" | "PUT", url: string, body: unknown) =>
      app.inject({
        method,
        url,
        headers: { ...admin, ...SAME_ORIGIN, "content-type": "application/json" },
        payload: JSON.stringify(body),
      });
    const site = await send("POST", "/api/admin/sites", { name: "Paris-Est", time_zone: "Europe/Paris" });
    expect(
      (await send("PUT", `/api/admin/devices/${PARIS}/site`, { site_id: site.json().id })).statusCode,
    ).toBe(200);
    // at noon, a first version with the default threshold (the 480 W run is a cycle)
    const first = await send("PUT", `/api/admin/channels/${PARIS}/0/current`, {
      pump_type: "relevage",
      flow_rate_m3h: 12,
    });
    expect(first.statusCode).toBe(200);
    await refreshPendingCycles(t.db, { nowMinute: Math.floor(nowS / 60) });
    expect(await storedCycles()).toBe(1);
    // 23:30 UTC: a version from the 16th (Paris's today), whose 500 W threshold makes the run idle
    clock.set(LATE);
    const admin2 = await loginAs(app, t.db, "admin@example.org");
    const written = await app.inject({
      method: "POST",
      url: `/api/admin/channels/${PARIS}/0/versions`,
      headers: { ...admin2, ...SAME_ORIGIN, "content-type": "application/json" },
      payload: JSON.stringify({ effective_from: "2025-11-16", activity_threshold_w: 500 }),
    });
    expect(written.statusCode).toBe(201);
    const queued = await t.db.query("SELECT 1 FROM cycle_refresh_queue WHERE device_id = $1", [PARIS]);
    expect(queued.rowCount).toBeGreaterThan(0);

    // the upkeep as the service runs it, with APP_TIMEZONE = UTC (still the 15th there)
    const upkeep = startCycleUpkeep({
      db: t.db,
      clock,
      timeZone: "UTC",
      logger: createLogger("silent"),
      intervalMs: 20,
    });
    try {
      await expect
        .poll(
          async () =>
            (await t.db.query("SELECT 1 FROM cycle_refresh_queue WHERE device_id = $1", [PARIS])).rowCount,
        )
        .toBe(0);
    } finally {
      await upkeep.stop();
    }
    expect(await storedCycles()).toBe(0);
  });
});
