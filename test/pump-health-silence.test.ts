import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChannelVersion } from "../src/admin/config-versions.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, FakeClock, type TestDatabase } from "./harness.js";

// A meter silent for two hours inside the night (issue 17, `meter_silent`). The wet well of
// pump-health-api.test.ts — two pumps of one sump (V = 2 m³) taking turns every 30 min, runs of 10 readings
// without per-minute energy, so t1 = 600 s, t2 = 1 200 s, Q = V·(t1 + t2)/(t1·t2) = 18 m³/h and Q·t1 = 3 m³ a
// run — but sent as a real Pro 4PM does: one status a minute with its four switches, idle ones included.
// The meter sends nothing from 01:11 to 03:10 on 2026-03-02: the runs of 01:30, 02:00, 02:30 and 03:00 happened
// but are not seen. The run of pump 1 at 03:30 then seems to follow a fill from 01:09:30 (the stop of pump 0's
// run of 01:00) to 03:29:30: t2 = 8 400 s, Q = 2·9 000/(600·8 400) m³/s ≈ 12.86 m³/h — wrong, though under
// the 8 h of `long_silence`. Hours of the meter: 01:00 has 11 readings, 02:00 none, 03:00 49 (< 50): silent.

const NOW = new Date("2026-03-05T12:00:00Z");
const DEVICE = "shellypro4pm-silence01";
const at = (iso: string) => Date.parse(iso) / 1000;
const SILENT_FROM = at("2026-03-02T01:11:00Z");
const SILENT_TO = at("2026-03-02T03:11:00Z");

let t: TestDatabase;
let app: App;

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, {
    clock: new FakeClock(NOW),
    migrationCount: t.migrationCount,
    timeZone: "UTC",
    publicDashboard: true,
  });
  const firstRun = at("2026-03-01T23:00:00Z");
  const messages = [];
  for (let s = at("2026-03-01T22:00:00Z"); s < at("2026-03-03T01:00:00Z"); s += 60) {
    if (s >= SILENT_FROM && s < SILENT_TO) continue;
    // the run under way at s, if any: every 30 min from 23:00, pumps 0 and 1 in turn, 10 minutes long
    const k = Math.floor((s - firstRun) / 1800);
    const running = s >= firstRun && s - firstRun - k * 1800 < 600 ? k % 2 : null;
    const params: Record<string, { apower: number; current: number; voltage: number }> = {};
    for (const channel of [0, 1, 2, 3])
      params[`switch:${channel}`] =
        channel === running
          ? { apower: 1200, current: 5.2, voltage: 230 }
          : { apower: 0, current: 0, voltage: 230 };
    messages.push({ src: DEVICE, timestamp: s, params });
  }
  const summary = await ingestBatch(t.db, messages, { nowS: at(NOW.toISOString()), receivedAt: NOW });
  expect(summary.errors).toBe(0);
  for (const channel of [0, 1]) {
    await addChannelVersion(
      t.db,
      {
        deviceId: DEVICE,
        channel,
        effectiveFrom: "2026-02-01",
        flowRateM3h: 20,
        pumpType: "relevage",
        sumpVolumeM3: 2,
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

const health = (channel: number) =>
  app.inject({
    method: "GET",
    url: `/api/pump-health?device_id=${DEVICE}&channel=${channel}&from=2026-03-02&to=2026-03-02`,
  });

describe("a meter silent inside a fill", () => {
  it("keeps each pump's measured flow and water pumped right: the fill holding the silence is not measured", async () => {
    // the day's runs seen: 24 a pump, less the two of each lost in the silence; each pumped 3 m³ (Q·t1), and a
    // run that does not qualify counts at its pump's measured flow of the day (18 m³/h × 600 s = 3 m³)
    for (const channel of [0, 1]) {
      const response = await health(channel);
      expect(response.statusCode).toBe(200);
      const [day] = response.json().days;
      expect(day.starts).toBe(22);
      expect(day.measured_flow_m3h).toBeCloseTo(18, 6);
      // measured from the 2.14 m³ of the wrong fill, pump 1 would have pumped 65.14 m³
      expect(day.pumped_m3).toBeCloseTo(66, 6);
    }
  });

  it("counts the cycle after the silence at runtime × débit effectif in the volumetric listing", async () => {
    const response = await app.inject({
      method: "GET",
      url: `/api/cycles?device_id=${DEVICE}&channel=1&from=2026-03-02&to=2026-03-02&volume_method=volumetric`,
    });
    expect(response.statusCode).toBe(200);
    const cycles: { start: string; runtime_min: number; volume_m3: number }[] = response.json().cycles;
    expect(cycles).toHaveLength(22);
    const after = cycles.find((c) => c.start.startsWith("2026-03-02T03:30"));
    expect(after).toBeDefined();
    expect(after?.volume_m3).toBeCloseTo(((after?.runtime_min as number) / 60) * 20, 2);
    // every other run of pump 1 follows a fill of 1 200 s with no silence in it: Q·t1 = 3 m³
    for (const c of cycles.filter((c) => c !== after)) expect(c.volume_m3).toBeCloseTo(3, 6);
  });
});
