/**
 * Pompe inactive's "same hours of the day" in the evaluator, for a meter on a Paris site, across both clock
 * changes of 2025 (issue 18). The station pumps 4 minutes every 30 min from 06:00 to 21:30 local and rests at
 * night; on the last day it stops after its 19:00 start. Hand-computed: around 19:00 local every gap is 30 min,
 * so the threshold is 3 × 30 = 90, floored at 120 min: silent 110 min after that start, nothing; 130 min, the
 * alert. Paris is UTC+2 from 30/03 01:00 UTC to 26/10 01:00 UTC, UTC+1 otherwise; APP_TIMEZONE is UTC.
 *
 * A twin meter on no site reads the same hours in UTC: in autumn its 19:00 start (18:00 UTC) is compared with
 * 16:00–20:00 UTC, which was 18:00–22:00 in Paris before the change, the night's rest included (its 21:30
 * start is followed by 8.5 h): its threshold is hours long, and no alert opens at 130 min — the bug the
 * site's zone fixes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateRound } from "../src/alerts/evaluate.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
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

const AUTUMN = "shelly-paris-automne";
const SPRING = "shelly-paris-printemps";
const TWIN = "shelly-sans-site-automne";
const DAY_S = 86_400;

let t: TestDatabase;
let app: App;
let admin: { cookie: string };
const clock = new FakeClock(new Date("2025-11-03T00:00:00Z"));

/** The UTC offset of Paris (hours) at a UTC instant, from the 2025 rules above. */
function parisOffset(unixS: number): number {
  const summerFrom = Date.parse("2025-03-30T01:00:00Z") / 1000;
  const summerTo = Date.parse("2025-10-26T01:00:00Z") / 1000;
  return unixS >= summerFrom && unixS < summerTo ? 2 : 1;
}

/** The unix seconds of a Paris wall-clock time (minutes after midnight, kept away from 02–03 h). */
function parisTime(date: string, minutes: number): number {
  const wall = Date.parse(`${date}T00:00:00Z`) / 1000 + minutes * 60;
  return wall - parisOffset(wall - 3600) * 3600;
}

const reading = (src: string, minuteS: number, on: boolean) => ({
  src,
  timestamp: minuteS + 59,
  params: {
    "switch:0": {
      output: on,
      apower: on ? 800 : 0,
      voltage: 230,
      current: on ? 4 : 0,
      aenergy: { total: 0, by_minute: [on ? 13_333 : 0, 0, 0], minute_ts: minuteS },
    },
  },
});

/** 16 days of the schedule before `lastDate`, then `lastDate` until its 19:00 start, then idle readings. */
function station(src: string, lastDate: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const last = Date.parse(`${lastDate}T00:00:00Z`) / 1000;
  for (let d = 16; d >= 0; d--) {
    const date = new Date((last - d * DAY_S) * 1000).toISOString().slice(0, 10);
    for (let m = 360; m <= 1290; m += 30) {
      if (d === 0 && m > 1140) break;
      const s = parisTime(date, m);
      for (let k = 0; k < 5; k++) out.push(reading(src, s + k * 60, k < 4));
    }
  }
  // the meter keeps reporting (it is not offline): the pump alone is silent
  const lastStart = parisTime(lastDate, 1140);
  for (let k = 5; k <= 140; k++) out.push(reading(src, lastStart + k * 60, false));
  return out;
}

async function ingest(messages: Record<string, unknown>[]) {
  for (let i = 0; i < messages.length; i += 500) {
    const res = await app.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
      payload: JSON.stringify({ messages: messages.slice(i, i + 500) }),
    });
    expect(res.json().errors, res.body.slice(0, 400)).toBe(0);
  }
}

async function inactiveOpen(device: string): Promise<number> {
  const res = await app.inject({ url: `/api/alerts?device_id=${device}&state=open`, headers: admin });
  return (res.json().alerts as { rule: string }[]).filter((a) => a.rule === "pump_inactive").length;
}

const send = (method: "POST" | "PUT", url: string, body: unknown) =>
  app.inject({
    method,
    url,
    headers: { ...admin, ...SAME_ORIGIN, "content-type": "application/json" },
    payload: JSON.stringify(body),
  });

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { migrationCount: t.migrationCount, clock, timeZone: "UTC" });
  admin = await loginAs(app, t.db, "admin@filtreplante.fr", "admin");
  const site = await send("POST", "/api/admin/sites", { name: "Lyon-Vaise", time_zone: "Europe/Paris" });
  const siteId = site.json().id;
  await ingest([
    ...station(SPRING, "2025-04-05"),
    ...station(AUTUMN, "2025-11-01"),
    ...station(TWIN, "2025-11-01"),
  ]);
  for (const device of [SPRING, AUTUMN])
    expect((await send("PUT", `/api/admin/devices/${device}/site`, { site_id: siteId })).statusCode).toBe(
      200,
    );
  await refreshPendingCycles(t.db, { nowMinute: Math.floor(Date.parse("2025-11-03T00:00:00Z") / 60_000) });
}, 600_000);
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("Pompe inactive's hours of the day for a Paris meter", () => {
  it("after the spring change (23-hour 30/03): 19:00 in Paris is 17:00 UTC, the alert 130 min later", async () => {
    const lastStart = parisTime("2025-04-05", 1140);
    expect(lastStart).toBe(Date.parse("2025-04-05T17:00:00Z") / 1000);
    const at = (min: number) => new Date((lastStart + min * 60) * 1000);
    await evaluateRound(t.db, at(110), { holder: "spring", leaseMs: 1 });
    expect(await inactiveOpen(SPRING)).toBe(0);
    await evaluateRound(t.db, at(130), { holder: "spring", leaseMs: 1 });
    expect(await inactiveOpen(SPRING)).toBe(1);
  }, 120_000);

  it("after the autumn change (25-hour 26/10): 19:00 in Paris is 18:00 UTC; the twin in UTC hours stays quiet", async () => {
    const lastStart = parisTime("2025-11-01", 1140);
    expect(lastStart).toBe(Date.parse("2025-11-01T18:00:00Z") / 1000);
    const at = (min: number) => new Date((lastStart + min * 60) * 1000);
    await evaluateRound(t.db, at(110), { holder: "autumn", leaseMs: 1 });
    expect(await inactiveOpen(AUTUMN)).toBe(0);
    await evaluateRound(t.db, at(130), { holder: "autumn", leaseMs: 1 });
    expect(await inactiveOpen(AUTUMN)).toBe(1);
    expect(await inactiveOpen(TWIN)).toBe(0);
  }, 120_000);
});
