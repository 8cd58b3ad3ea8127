import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChannelVersion } from "../src/admin/config-versions.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, FakeClock, type TestDatabase } from "./harness.js";

// The daily CSV of a meter with two lift pumps in one sump (V = 2 m³), the wet well of
// test/pump-health-api.test.ts computed by hand: the pumps take turns every 30 min, each run t1 = 600 s, the
// fill between runs t2 = 1200 s, so the inflow is V/t2 = 6 m³/h, 144 m³ a day, and each pump's measured flow
// Q = V·(t1 + t2)/(t1·t2) = 18 m³/h. The inflow is the sump's: one figure a day, not one per pump.

const NOW = new Date("2026-03-05T12:00:00Z");
const DEVICE = "shellypro4pm-csvsump00001";
const at = (iso: string) => Date.parse(iso) / 1000;

let t: TestDatabase;
let app: App;

function run(channel: number, startS: number) {
  const active = Array.from({ length: 10 }, (_, i) => ({
    src: DEVICE,
    timestamp: startS + i * 60,
    params: { [`switch:${channel}`]: { apower: 1200, current: 5.2, voltage: 230 } },
  }));
  const stop = { src: DEVICE, timestamp: startS + 600, params: { [`switch:${channel}`]: { apower: 0 } } };
  return [...active, stop];
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, {
    clock: new FakeClock(NOW),
    migrationCount: t.migrationCount,
    timeZone: "UTC",
    publicDashboard: true,
  });
  const messages = [];
  let channel = 0;
  for (let s = at("2026-03-01T23:00:00Z"); s < at("2026-03-03T01:00:00Z"); s += 1800) {
    messages.push(...run(channel, s));
    channel = 1 - channel;
  }
  // an outlet pump on channel 2: not in the sump
  messages.push(...run(2, at("2026-03-02T10:05:00Z")));
  const summary = await ingestBatch(t.db, messages, { nowS: at(NOW.toISOString()), receivedAt: NOW });
  expect(summary.errors).toBe(0);
  for (const ch of [0, 1, 2]) {
    await addChannelVersion(
      t.db,
      {
        deviceId: DEVICE,
        channel: ch,
        effectiveFrom: "2026-02-01",
        name: ["PR1", "PR2", "Sortie"][ch] ?? null,
        flowRateM3h: 20,
        pumpType: ch === 2 ? "sortie" : "relevage",
        sumpVolumeM3: ch === 2 ? null : 2,
      },
      "test",
      NOW,
    );
  }
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe("the daily CSV of a sump of two pumps", () => {
  it("gives each pump its measured flow, and the sump's inflow once a day (on its first pump's row)", async () => {
    const res = await app.inject({
      url: `/api/reports/daily.csv?device_id=${DEVICE}&from=2026-03-02&to=2026-03-02`,
    });
    expect(res.statusCode).toBe(200);
    const [header, ...rows] = res.body
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(header?.split(";").slice(7)).toEqual(["Débit mesuré (m³/h)", "Apport de la bâche (m³)"]);
    const byPump = new Map(rows.map((r) => r.split(";")).map((cells) => [cells[2], cells]));
    expect([...byPump.keys()]).toEqual(["PR1", "PR2", "Sortie"]);
    const flow = (name: string) => Number(byPump.get(name)?.[7]?.replace(",", "."));
    expect(flow("PR1")).toBe(18);
    expect(flow("PR2")).toBe(18);
    expect(Number(byPump.get("PR1")?.[8]?.replace(",", "."))).toBeCloseTo(144, 0);
    expect(byPump.get("PR2")?.[8]).toBe("-");
    expect(byPump.get("Sortie")?.[7]).toBe("-");
    expect(byPump.get("Sortie")?.[8]).toBe("-");
    // the sum down the column is the sump's inflow, not twice it
    const column = rows.map((r) => Number((r.split(";")[8] ?? "").replace(",", ".")) || 0);
    expect(column.reduce((a, b) => a + b, 0)).toBeCloseTo(144, 0);
  });
});
