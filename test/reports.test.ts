import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChannelVersion } from "../src/admin/config-versions.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, FakeClock, loginAs, type TestDatabase } from "./harness.js";

// March 2026 in Paris: the clocks go forward on Sunday 29 (02:00 CET → 03:00 CEST), a 23-hour local day.
let t: TestDatabase;
let app: App;
let viewer: { cookie: string };
const NOW = new Date("2026-04-15T10:00:00Z");
const clock = new FakeClock(NOW);
const A = "shellypro4pm-aaaaaaaaaaaa";
const B = "shellypro4pm-bbbbbbbbbbbb";
const C = "shellypro4pm-cccccccccccc";
const at = (iso: string) => Date.parse(iso) / 1000;

/** `count` minutes of one channel at `watts` (energy by_minute in mWh, as the Pro 4PM sends it). */
function run(device: string, channel: number, startIso: string, count: number, watts: number) {
  return Array.from({ length: count }, (_, i) => {
    const ts = at(startIso) + i * 60;
    return {
      src: device,
      timestamp: ts,
      params: {
        [`switch:${channel}`]: {
          apower: watts,
          current: watts / 230,
          voltage: 230,
          aenergy: { total: 1000 + i, by_minute: [(watts / 60) * 1000, 0, 0], minute_ts: ts },
        },
      },
    };
  });
}

async function version(deviceId: string, channel: number, name: string, flowRateM3h: number | null) {
  await addChannelVersion(
    t.db,
    { deviceId, channel, effectiveFrom: "2026-01-01", name, pumpType: "relevage", flowRateM3h },
    "admin@example.org",
    new Date("2026-01-01T09:00:00Z"),
  );
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount, timeZone: "Europe/Paris" });
  viewer = await loginAs(app, t.db, "viewer@example.org", "viewer");
  const batch = [
    // A/0: 60 min on 10 March; 20 min at 00:30 CET on the 29th (23:30 UTC on the 28th); 20 min at 03:30 CEST
    ...run(A, 0, "2026-03-10T10:00:00Z", 60, 900),
    ...run(A, 0, "2026-03-28T23:30:00Z", 20, 900),
    ...run(A, 0, "2026-03-29T01:30:00Z", 20, 900),
    // A/1: 30 min on 31 March at 23:40 CEST: a cycle of March that ends in April
    ...run(A, 1, "2026-03-31T21:40:00Z", 30, 500),
    // B/0: 40 min on 15 March
    ...run(B, 0, "2026-03-15T08:00:00Z", 40, 700),
    // C/0: no flow rate: no volume, but energy
    ...run(C, 0, "2026-03-20T08:00:00Z", 30, 600),
  ];
  // idle minutes around each run close the cycles
  const idle = [A, B, C].flatMap((d) => [0, 1].flatMap((ch) => run(d, ch, "2026-04-01T06:00:00Z", 5, 0)));
  const summary = await ingestBatch(t.db, [...batch, ...idle], {
    nowS: at(NOW.toISOString()),
    receivedAt: NOW,
  });
  expect(summary.errors).toBe(0);
  await version(A, 0, "PR1", 12);
  await version(A, 1, "PR2", 6);
  await version(B, 0, "PR-B", 9);
  await version(C, 0, "PR-C", null);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const get = (url: string) => app.inject({ method: "GET", url, headers: { cookie: viewer.cookie } });

function parseCsv(body: string) {
  const [header, ...rows] = body
    .replace(/^\uFEFF/, "")
    .trimEnd()
    .split("\r\n");
  return { header: header?.split(";") ?? [], rows: rows.map((r) => r.split(";")) };
}
const num = (cell: string | undefined) => Number((cell ?? "").replace(",", "."));

describe("the daily CSV", () => {
  it("has one row per local day and configured channel, French header, day cut in the site's zone", async () => {
    const res = await get(`/api/reports/daily.csv?device_id=${A}&from=2026-03-01&to=2026-03-31`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/csv");
    const { header, rows } = parseCsv(res.body);
    expect(header).toEqual([
      "Date",
      "Compteur",
      "Voie",
      "Démarrages",
      "Durée de marche (min)",
      "Volume estimé (m³)",
      "Énergie (kWh)",
      "Débit mesuré (m³/h)",
      "Apport (m³)",
    ]);
    expect(rows).toHaveLength(31 * 2);
    const row = (date: string, channel: string) => rows.find((r) => r[0] === date && r[2] === channel);
    // 60 min at 12 m³/h
    expect(row("10/03/2026", "PR1")?.slice(3, 6)).toEqual(["1", "60,0", "12,00"]);
    // both runs of the 29th count on the 29th (local), none on the 28th: 2 × 20 min × 12 m³/h = 8 m³
    expect(row("29/03/2026", "PR1")?.slice(3, 6)).toEqual(["2", "40,0", "8,00"]);
    expect(row("28/03/2026", "PR1")?.slice(3, 6)).toEqual(["0", "0,0", "0,00"]);
    // the cycle that began at 23:40 on the 31st counts on the 31st: 30 min at 6 m³/h
    expect(row("31/03/2026", "PR2")?.slice(3, 6)).toEqual(["1", "30,0", "3,00"]);
  });

  it("adds up to the dashboard's summary of the same month", async () => {
    for (const device of [A, B, C]) {
      const csv = parseCsv(
        (await get(`/api/reports/daily.csv?device_id=${device}&from=2026-03-01&to=2026-03-31`)).body,
      );
      const api = (await get(`/api/cycles?device_id=${device}&from=2026-03-01&to=2026-03-31`)).json();
      const volume = csv.rows.reduce((s, r) => s + (r[5] === "-" ? 0 : num(r[5])), 0);
      const energy = csv.rows.reduce((s, r) => s + num(r[6]), 0);
      const starts = csv.rows.reduce((s, r) => s + num(r[3]), 0);
      expect(volume).toBeCloseTo(api.summary.treated_volume_m3, 2);
      expect(energy).toBeCloseTo(api.summary.energy_kwh, 3);
      expect(starts).toBe(api.summary.cycles);
    }
  });

  it("prints « - » for the volume of a lift station without a flow rate", async () => {
    const { rows } = parseCsv(
      (await get(`/api/reports/daily.csv?device_id=${C}&from=2026-03-20&to=2026-03-20`)).body,
    );
    expect(rows).toEqual([["20/03/2026", C, "PR-C", "1", "30,0", "-", expect.any(String), "-", "-"]]);
    expect(num(rows[0]?.[6])).toBeGreaterThan(0);
  });

  it("answers bad input in French, naming the field", async () => {
    const bad = await get(`/api/reports/daily.csv?device_id=${A}&from=2026-13-01`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe("from");
    const unknown = await get("/api/reports/daily.csv?device_id=shellypro4pm-000000000000");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ field: "device_id", message: "Appareil inconnu." });
  });
});
