/**
 * Local days per site (issue 18): a French site's figures are in Paris days on both sides of each clock change
 * (days of 23 and 25 hours), a Senegalese site's in Dakar days, a meter on no site in APP_TIMEZONE's.
 * The expected days are computed by hand from the offsets: Paris is UTC+2 until 26/10/2025 01:00 UTC and from
 * 30/03/2025 01:00 UTC, UTC+1 otherwise; Dakar is UTC all year.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateRound } from "../src/alerts/evaluate.js";
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

const PARIS = "shelly-lyon-01";
const DAKAR = "shelly-dakar-01";
const NOWHERE = "shelly-sans-site";

let t: TestDatabase;
let app: App;
let admin: { cookie: string };
const NOW = new Date("2025-11-15T12:00:00Z");
const clock = new FakeClock(NOW);

/** Ten minutes at 480 W starting at `startIso`, then five minutes off (the cycle closes). */
function cycle(src: string, startIso: string): Record<string, unknown>[] {
  const start = Date.parse(startIso) / 1000;
  return Array.from({ length: 15 }, (_, m) => {
    const on = m < 10;
    return {
      src,
      timestamp: start + m * 60 + 59,
      params: {
        "switch:0": {
          output: on,
          apower: on ? 480 : 0,
          voltage: 229.5,
          current: on ? 2.4 : 0,
          aenergy: { total: 8 * (m + 1), by_minute: [on ? 8000 : 0, 0, 0], minute_ts: start + m * 60 },
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

const startsOn = async (device: string, day: string) =>
  (await app.inject({ url: `/api/cycles?device_id=${device}&from=${day}&to=${day}`, headers: admin }))
    .json()
    .cycles.map((c: { start: string }) => c.start)
    .sort();

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, {
    migrationCount: t.migrationCount,
    clock,
    timeZone: "UTC",
  });
  admin = await loginAs(app, t.db, "admin@filtreplante.fr", "admin");
  const messages = [
    // Around the autumn change (Paris 26/10/2025 lasts 25 hours: 25/10 22:00 UTC → 26/10 23:00 UTC)
    ...cycle(PARIS, "2025-10-25T22:30:00Z"), // 00:30 in Paris on the 26th (UTC+2)
    ...cycle(PARIS, "2025-10-26T22:30:00Z"), // 23:30 in Paris on the 26th (UTC+1)
    ...cycle(PARIS, "2025-10-26T23:30:00Z"), // 00:30 in Paris on the 27th
    // Around the spring change (Paris 30/03/2025 lasts 23 hours: 29/03 23:00 UTC → 30/03 22:00 UTC)
    ...cycle(PARIS, "2025-03-29T23:30:00Z"), // 00:30 in Paris on the 30th (UTC+1)
    ...cycle(PARIS, "2025-03-30T21:30:00Z"), // 23:30 in Paris on the 30th (UTC+2)
    ...cycle(PARIS, "2025-03-30T22:30:00Z"), // 00:30 in Paris on the 31st
    ...cycle(DAKAR, "2025-10-25T23:30:00Z"), // 23:30 in Dakar on the 25th
    ...cycle(NOWHERE, "2025-10-25T22:30:00Z"), // 22:30 UTC on the 25th
  ];
  for (let i = 0; i < messages.length; i += 500) {
    const ingested = await app.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
      payload: JSON.stringify({ messages: messages.slice(i, i + 500) }),
    });
    expect(ingested.json().errors).toBe(0);
  }
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

describe("local days per site", () => {
  it("reads a French site's 25-hour day (26/10/2025) in Paris time", async () => {
    expect(await startsOn(PARIS, "2025-10-26")).toEqual(["2025-10-25T22:30:00Z", "2025-10-26T22:30:00Z"]);
    expect(await startsOn(PARIS, "2025-10-27")).toEqual(["2025-10-26T23:30:00Z"]);
  });

  it("reads a French site's 23-hour day (30/03/2025) in Paris time", async () => {
    expect(await startsOn(PARIS, "2025-03-30")).toEqual(["2025-03-29T23:30:00Z", "2025-03-30T21:30:00Z"]);
    expect(await startsOn(PARIS, "2025-03-31")).toEqual(["2025-03-30T22:30:00Z"]);
  });

  it("reads a Senegalese site in Dakar days and a meter on no site in APP_TIMEZONE's", async () => {
    expect(await startsOn(DAKAR, "2025-10-25")).toEqual(["2025-10-25T23:30:00Z"]);
    expect(await startsOn(DAKAR, "2025-10-26")).toEqual([]);
    expect(await startsOn(NOWHERE, "2025-10-25")).toEqual(["2025-10-25T22:30:00Z"]);
  });

  it("writes the CSV's dates and times in the site's zone", async () => {
    const csv = await app.inject({
      url: `/api/cycles.csv?device_id=${PARIS}&from=2025-10-26&to=2025-10-26`,
      headers: admin,
    });
    expect(csv.statusCode).toBe(200);
    // 22:30 UTC on the 25th is 00:30 on the 26th in Paris; 22:30 UTC on the 26th is 23:30 there.
    expect(csv.body).toMatch(/26\/10\/2025;00h30/);
    expect(csv.body).toMatch(/26\/10\/2025;23h30/);
    expect(csv.body).not.toMatch(/25\/10\/2025/);
  });

  it("dates a version written now on today of the meter's site: 23:30 UTC on 15/11 is already the 16th in Paris", async () => {
    // Paris is UTC+1 in November: 23:30 UTC on the 15th is 00:30 on the 16th; Dakar and UTC are still on the 15th.
    clock.set(new Date("2025-11-15T23:30:00Z"));
    admin = await loginAs(app, t.db, "admin@filtreplante.fr"); // the morning's session has gone idle
    try {
      const firstOf = async (device: string) => {
        const written = await send("PUT", `/api/admin/channels/${device}/0/current`, {
          pump_type: "relevage",
          flow_rate_m3h: 12,
        });
        expect(written.statusCode).toBe(200);
        const versions = await app.inject({
          url: `/api/admin/channels/${device}/0/versions`,
          headers: admin,
        });
        return versions.json().versions.map((v: { effective_from: string }) => v.effective_from);
      };
      expect(await firstOf(PARIS)).toEqual(["2025-11-16"]);
      expect(await firstOf(DAKAR)).toEqual(["2025-11-15"]);
      expect(await firstOf(NOWHERE)).toEqual(["2025-11-15"]);
      // the devices overview reads each meter's version in force on its own today: Paris's (the 16th) is
      // already the new one; Dakar's and the meter on no site's took effect today, the 15th, there too
      const overview = (await app.inject({ url: "/api/devices", headers: admin })).json().devices as {
        device_id: string;
        channels: { channel: number; pump_type: string | null }[];
      }[];
      const typeOf = (device: string) =>
        overview.find((d) => d.device_id === device)?.channels.find((c) => c.channel === 0)?.pump_type;
      expect(typeOf(PARIS)).toBe("relevage");
    } finally {
      clock.set(NOW);
      admin = await loginAs(app, t.db, "admin@filtreplante.fr");
    }
  });

  it("keeps a moved meter's past in its former site's zone: Lyon's 26/10 stays a Paris day once it is in Dakar", async () => {
    const moveAt = new Date("2025-11-15T14:00:00Z");
    clock.set(moveAt);
    admin = await loginAs(app, t.db, "admin@filtreplante.fr");
    const sites = (await app.inject({ url: "/api/sites", headers: admin })).json().sites as {
      id: number;
      name: string;
    }[];
    const idOf = (name: string) => sites.find((s) => s.name === name)?.id;
    // Lyon's last reading reports the minute 26/10 23:44 UTC; the 11th silent minute, 23:55 UTC, opens
    // Compteur hors ligne (10 allowed): 00:55 on 27/10 in Paris (UTC+1), 23:55 on 26/10 in Dakar
    await evaluateRound(t.db, new Date("2025-10-27T00:00:00Z"), { holder: "site-days", leaseMs: 1 });
    try {
      const moved = await send("PUT", `/api/admin/devices/${PARIS}/site`, {
        site_id: idOf("Dakar Cambérène"),
      });
      expect(moved.statusCode).toBe(200);
      // the same answers as before the move (first test of this file), hand-computed in Paris time
      expect(await startsOn(PARIS, "2025-10-26")).toEqual(["2025-10-25T22:30:00Z", "2025-10-26T22:30:00Z"]);
      expect(await startsOn(PARIS, "2025-10-27")).toEqual(["2025-10-26T23:30:00Z"]);
      expect(await startsOn(PARIS, "2025-03-30")).toEqual(["2025-03-29T23:30:00Z", "2025-03-30T21:30:00Z"]);
      // each cycle says its day, the one the dashboard's daily bars count it on: Paris's, not Dakar's 25/10
      const listed = await app.inject({
        url: `/api/cycles?device_id=${PARIS}&from=2025-10-26&to=2025-10-27`,
        headers: admin,
      });
      expect(
        listed
          .json()
          .cycles.map((c: { start: string; date: string }) => [c.start, c.date])
          .sort(),
      ).toEqual([
        ["2025-10-25T22:30:00Z", "2025-10-26"],
        ["2025-10-26T22:30:00Z", "2025-10-26"],
        ["2025-10-26T23:30:00Z", "2025-10-27"],
      ]);
      const csv = await app.inject({
        url: `/api/cycles.csv?device_id=${PARIS}&from=2025-10-26&to=2025-10-26`,
        headers: admin,
      });
      expect(csv.body).toMatch(/26\/10\/2025;00h30/);
      expect(csv.body).not.toMatch(/25\/10\/2025/);
      // that alert, from before the move, still reads in Paris's time then (not Dakar's 26/10 à 23h55)
      const alerts = (
        await app.inject({ url: `/api/alerts?device_id=${PARIS}&state=open`, headers: admin })
      ).json().alerts as { rule: string; message: string }[];
      const offline = alerts.find((a) => a.rule === "meter_offline");
      expect(offline?.message).toContain("depuis le 27/10/2025 à 00h55");
      // its chart of 26/10 ends at Paris's midnight (27/10 00:00 at UTC+1 = 26/10 23:00 UTC), not Dakar's
      const series = await app.inject({
        url: `/api/series?device_id=${PARIS}&period=24h&end=2025-10-26`,
        headers: admin,
      });
      expect(series.json()).toMatchObject({ start: "2025-10-25T23:00:00Z", end: "2025-10-26T23:00:00Z" });
      // its backtest reads 26/10 as Paris's day too (25/10 22:00 → 26/10 23:00 UTC). The meter reports only
      // during its runs: each run's last reading reports minute :44, the 11th silent minute (:55) opens Compteur
      // hors ligne until the next run. A replay lists what opens in its period and what opened in the hour
      // before it (its look-back). Paris's 26/10 holds the silences from 25/10 22:55 and 26/10 22:55 UTC; its
      // 27/10 the one from 26/10 22:55 (5 minutes before it) and the one from 23:55. Dakar's 26/10 (00:00 →
      // 24:00 UTC) would hold 26/10 22:55 and 23:55 instead.
      const replayed = async (day: string) =>
        (
          await app.inject({
            url: `/api/alerts/backtest?device_id=${PARIS}&from=${day}&to=${day}`,
            headers: admin,
          })
        )
          .json()
          .alerts.filter((a: { rule: string }) => a.rule === "meter_offline")
          .map((a: { started_at: string }) => a.started_at);
      expect(await replayed("2025-10-26")).toEqual(["2025-10-25T22:55:00.000Z", "2025-10-26T22:55:00.000Z"]);
      expect(await replayed("2025-10-27")).toEqual(["2025-10-26T22:55:00.000Z", "2025-10-26T23:55:00.000Z"]);
      // its pump health counts the same starts per day, Paris's: two on the 26th (25 hours), one on the 27th
      const health = await app.inject({
        url: `/api/pump-health?device_id=${PARIS}&channel=0&from=2025-10-25&to=2025-10-27`,
        headers: admin,
      });
      expect(health.statusCode).toBe(200);
      expect(health.json().days.map((d: { date: string; starts: number }) => [d.date, d.starts])).toEqual([
        ["2025-10-25", 0],
        ["2025-10-26", 2],
        ["2025-10-27", 1],
      ]);
      // a cycle after the move is read in Dakar days: 23:30 UTC on the 16th is the 16th there, the 17th in Paris
      clock.set(new Date("2025-11-17T12:00:00Z"));
      admin = await loginAs(app, t.db, "admin@filtreplante.fr");
      const after = cycle(PARIS, "2025-11-16T23:30:00Z");
      const ingested = await app.inject({
        method: "POST",
        url: "/api/ingest/batch",
        headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
        payload: JSON.stringify({ messages: after }),
      });
      expect(ingested.json().errors).toBe(0);
      expect(await startsOn(PARIS, "2025-11-16")).toEqual(["2025-11-16T23:30:00Z"]);
      expect(await startsOn(PARIS, "2025-11-17")).toEqual([]);
    } finally {
      clock.set(new Date("2025-11-17T13:00:00Z"));
      admin = await loginAs(app, t.db, "admin@filtreplante.fr");
      await send("PUT", `/api/admin/devices/${PARIS}/site`, { site_id: idOf("Lyon-Vaise") });
    }
  });
});
