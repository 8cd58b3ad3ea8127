/**
 * A fleet across zones (issue 18, decision 0019): with no meter chosen, each meter's days are its own site's
 * days, and a fleet day D is every meter's own local day D, summed. A Paris meter and a Dakar meter each run
 * a cycle half an hour after local midnight, on both sides of the Paris clock changes of 2025.
 *
 * Hand-computed: Paris is UTC+1 until 30/03/2025 01:00 UTC, UTC+2 until 26/10/2025 01:00 UTC, UTC+1 after;
 * Dakar is UTC all year. APP_TIMEZONE is UTC here, so reading the fleet in one zone would put each Paris
 * cycle on the day before. A Paris cycle is 10 min at 480 W (80 Wh), a Dakar one 10 min at 240 W (40 Wh).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/server/app.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  FakeClock,
  loginAs,
  SAME_ORIGIN,
  type TestDatabase,
} from "./harness.js";

const PARIS = "shelly-fleet-paris";
const DAKAR = "shelly-fleet-dakar";

let t: TestDatabase;
let app: App;
let admin: { cookie: string };
const clock = new FakeClock(new Date("2025-11-15T12:00:00Z"));

/** Ten minutes at `watts` starting at `startIso`, then five minutes off (the cycle closes). */
function cycle(src: string, startIso: string, watts: number): Record<string, unknown>[] {
  const start = Date.parse(startIso) / 1000;
  const wh = watts / 60;
  return Array.from({ length: 15 }, (_, m) => {
    const on = m < 10;
    return {
      src,
      timestamp: start + m * 60 + 59,
      params: {
        "switch:0": {
          output: on,
          apower: on ? watts : 0,
          voltage: 229.5,
          current: on ? watts / 200 : 0,
          aenergy: {
            total: wh * Math.min(m + 1, 10),
            by_minute: [on ? wh * 1000 : 0, 0, 0],
            minute_ts: start + m * 60,
          },
        },
      },
    };
  });
}

const send = (method: "POST" | "PUT", url: string, body: unknown) =>
  app.inject({
    method,
    url,
    headers: { ...admin, ...SAME_ORIGIN, "content-type": "application/json" },
    payload: JSON.stringify(body),
  });

async function fleet(from: string, to: string) {
  const res = await app.inject({ url: `/api/cycles?from=${from}&to=${to}`, headers: admin });
  expect(res.statusCode).toBe(200);
  const body = res.json();
  return {
    starts: body.cycles.map((c: { start: string }) => c.start).sort(),
    cycles: body.summary.cycles,
    energyKwh: body.summary.energy_kwh,
    medianPowerW: body.summary.median_power_w,
    wholeDays: body.summary.whole_days,
    monitoredDays: body.summary.monitored_days,
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { migrationCount: t.migrationCount, clock, timeZone: "UTC" });
  admin = await loginAs(app, t.db, "admin@filtreplante.fr", "admin");
  const messages = [
    ...cycle(PARIS, "2025-10-25T22:30:00Z", 480), // 00:30 on 26/10 in Paris (UTC+2)
    ...cycle(PARIS, "2025-10-26T23:30:00Z", 480), // 00:30 on 27/10 in Paris (UTC+1)
    ...cycle(PARIS, "2025-03-29T23:30:00Z", 480), // 00:30 on 30/03 in Paris (UTC+1)
    ...cycle(PARIS, "2025-03-30T22:30:00Z", 480), // 00:30 on 31/03 in Paris (UTC+2)
    ...cycle(DAKAR, "2025-10-26T00:30:00Z", 240), // 00:30 on 26/10 in Dakar
    ...cycle(DAKAR, "2025-03-30T00:30:00Z", 240), // 00:30 on 30/03 in Dakar
  ];
  const ingested = await app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
    payload: JSON.stringify({ messages }),
  });
  expect(ingested.json().errors).toBe(0);
  for (const [name, zone, device] of [
    ["Lyon-Vaise", "Europe/Paris", PARIS],
    ["Dakar Cambérène", "Africa/Dakar", DAKAR],
  ] as const) {
    const site = await send("POST", "/api/admin/sites", { name, time_zone: zone });
    expect(
      (await send("PUT", `/api/admin/devices/${device}/site`, { site_id: site.json().id })).statusCode,
    ).toBe(200);
  }
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("a fleet across zones", () => {
  it("sums each meter's own local day, date by date, around the autumn change (25-hour Paris 26/10)", async () => {
    // 25/10: Paris's 25th ends at 22:00 UTC, before its first cycle; Dakar ran nothing that day
    expect(await fleet("2025-10-25", "2025-10-25")).toMatchObject({ starts: [], cycles: 0, energyKwh: 0 });
    expect((await fleet("2025-10-25", "2025-10-25")).medianPowerW).toBeNull();
    // 26/10: Paris 25/10 22:00 → 26/10 23:00 UTC holds its 22:30 cycle; Dakar's 26th its 00:30 one
    expect(await fleet("2025-10-26", "2025-10-26")).toMatchObject({
      starts: ["2025-10-25T22:30:00Z", "2025-10-26T00:30:00Z"],
      cycles: 2,
      energyKwh: 0.12,
      medianPowerW: 360, // (240 + 480) / 2
    });
    // 27/10: Paris's 27th starts at 26/10 23:00 UTC
    expect(await fleet("2025-10-27", "2025-10-27")).toMatchObject({
      starts: ["2025-10-26T23:30:00Z"],
      cycles: 1,
      energyKwh: 0.08,
      medianPowerW: 480,
    });
  });

  it("sums each meter's own local day around the spring change (23-hour Paris 30/03)", async () => {
    expect(await fleet("2025-03-29", "2025-03-29")).toMatchObject({ starts: [], cycles: 0, energyKwh: 0 });
    expect(await fleet("2025-03-30", "2025-03-30")).toMatchObject({
      starts: ["2025-03-29T23:30:00Z", "2025-03-30T00:30:00Z"],
      cycles: 2,
      energyKwh: 0.12,
      medianPowerW: 360,
    });
    expect(await fleet("2025-03-31", "2025-03-31")).toMatchObject({
      starts: ["2025-03-30T22:30:00Z"],
      cycles: 1,
      energyKwh: 0.08,
      medianPowerW: 480,
    });
  });

  it("gives a period's totals over every meter's own days, its median over all their cycles", async () => {
    // Paris 29/03 23:00 UTC → 31/03 22:00 UTC holds two of its cycles; Dakar 30/03 → 01/04 its one
    expect(await fleet("2025-03-30", "2025-03-31")).toMatchObject({
      cycles: 3,
      energyKwh: 0.2,
      medianPowerW: 480, // 240, 480, 480
      wholeDays: 2,
      // Paris's 30 and 31, Dakar's 30: readings on both fleet dates
      monitoredDays: 2,
    });
  });

  it("writes the fleet's CSV with each cycle's date and time in its own meter's zone", async () => {
    const csv = await app.inject({ url: "/api/cycles.csv?from=2025-10-26&to=2025-10-26", headers: admin });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.split("\r\n").filter((l) => /\d\d\/\d\d\/\d{4}/.test(l));
    expect(lines).toHaveLength(2);
    // both at half past midnight on the 26th, each in its own zone
    for (const l of lines) expect(l).toMatch(/26\/10\/2025;00h30/);
  });
});
