import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChannelVersion } from "../src/admin/config-versions.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, FakeClock, type TestDatabase } from "./harness.js";

// GET /api/pump-health against a hand-computed wet well. Two pumps of one sump (V = 2 m³) take turns every
// 30 min, each running 10 readings. The readings carry no per-minute energy, so the edges fall back to the
// middle of the minute (±30 s): a run of readings m … m+9 is [60·m − 30 s, 60·(m+9) + 30 s), t1 = 600 s, and
// the fill before the next run t2 = 1200 s. Q = V·(t1 + t2)/(t1·t2) = 2·1800/720 000 m³/s = 18 m³/h; each run
// pumps Q·t1 = 3 m³ (V plus the 1 m³ that flowed in meanwhile); the inflow is V/t2 = 6 m³/h, 144 m³ a day.

const NOW = new Date("2026-03-05T12:00:00Z");
const DEVICE = "shellypro4pm-pumphealth01";
const at = (iso: string) => Date.parse(iso) / 1000;

let t: TestDatabase;
let app: App;

function run(channel: number, startS: number) {
  const active = Array.from({ length: 10 }, (_, i) => ({
    src: DEVICE,
    timestamp: startS + i * 60,
    params: { [`switch:${channel}`]: { apower: 1200, current: 5.2, voltage: 230 } },
  }));
  return [
    ...active,
    {
      src: DEVICE,
      timestamp: startS + 600,
      params: { [`switch:${channel}`]: { apower: 0, current: 0, voltage: 230 } },
    },
  ];
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, {
    clock: new FakeClock(NOW),
    migrationCount: t.migrationCount,
    timeZone: "UTC",
    publicDashboard: true,
  });
  // 2026-03-01 23:00 → 2026-03-03 01:00: a run every 30 min, pumps 0 and 1 in turn
  const messages = [];
  let channel = 0;
  for (let s = at("2026-03-01T23:00:00Z"); s < at("2026-03-03T01:00:00Z"); s += 1800) {
    messages.push(...run(channel, s));
    channel = 1 - channel;
  }
  // the outlet pump of channel 2 runs too: it is not in the sump and changes nothing
  messages.push(...run(2, at("2026-03-02T10:05:00Z")));
  const summary = await ingestBatch(t.db, messages, { nowS: at(NOW.toISOString()), receivedAt: NOW });
  expect(summary.errors).toBe(0);
  for (const channel of [0, 1, 2]) {
    await addChannelVersion(
      t.db,
      {
        deviceId: DEVICE,
        channel,
        effectiveFrom: "2026-02-01",
        flowRateM3h: 20,
        pumpType: channel === 2 ? "sortie" : "relevage",
        sumpVolumeM3: channel === 2 ? null : 2,
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

const get = (query: string) => app.inject({ method: "GET", url: `/api/pump-health?${query}` });

describe("GET /api/pump-health", () => {
  it("gives each day's measured flow, water pumped and the sump's inflow by the volumetric method", async () => {
    const response = await get(`device_id=${DEVICE}&channel=1&from=2026-03-02&to=2026-03-02`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ device_id: DEVICE, channel: 1, sump: "1", sump_channels: [0, 1] });
    expect(body.days).toHaveLength(1);
    const day = body.days[0];
    expect(day).toMatchObject({ date: "2026-03-02", starts: 24, measured_flow_m3h: 18, pumped_m3: 72 });
    expect(day.inflow_m3).toBeCloseTo(144, 1);
    expect(day.kwh_per_m3).toBeCloseTo(day.energy_kwh / 72, 3);
    // not 14 days of measured flow yet: no baseline
    expect(body.baseline_flow_m3h).toBeNull();
    expect(body.flow_change_percent).toBeNull();
  });

  it("measures nothing for a pump of unknown sump volume, and keeps its starts and runtime", async () => {
    const response = await get(`device_id=${DEVICE}&channel=2&from=2026-03-02&to=2026-03-02`);
    expect(response.statusCode).toBe(200);
    const day = response.json().days[0];
    expect(day).toMatchObject({ starts: 1, measured_flow_m3h: null, inflow_m3: null });
  });

  it("answers a French 400 naming the field for a bad query, 404 for an unknown meter", async () => {
    const badChannel = await get(`device_id=${DEVICE}&channel=7`);
    expect(badChannel.statusCode).toBe(400);
    expect(badChannel.json().error.field).toBe("channel");
    const badFrom = await get(`device_id=${DEVICE}&channel=0&from=2026-13-01`);
    expect(badFrom.statusCode).toBe(400);
    expect(badFrom.json().error).toMatchObject({ code: "invalid_from", field: "from" });
    const unknown = await get("device_id=shellypro4pm-nobody&channel=0");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.field).toBe("device_id");
  });
});

describe("GET /api/cycles?volume_method=", () => {
  const cycles = (query: string) =>
    app.inject({ method: "GET", url: `/api/cycles?device_id=${DEVICE}&${query}` });

  it("counts each qualifying cycle at its measured Q·t1 and names the method in the summary", async () => {
    const response = await cycles("channel=1&from=2026-03-02&to=2026-03-02&volume_method=volumetric");
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.summary).toMatchObject({ volume_method: "volumetric", cycles: 24, treated_volume_m3: 72 });
    for (const c of body.cycles) expect(c.volume_m3).toBe(3);
  });

  it("falls back to runtime × débit effectif for a cycle without a measured flow (no fill before it)", async () => {
    const response = await cycles("channel=0&from=2026-03-01&to=2026-03-01&volume_method=volumetric");
    const [first] = response.json().cycles;
    expect(first.volume_m3).toBeCloseTo((first.runtime_min / 60) * 20, 2);
  });

  it("keeps the predecessor's figures by default, and for a meter whose sump volume is unknown", async () => {
    const byDefault = (await cycles("from=2026-03-02&to=2026-03-02")).json();
    const flowRate = (await cycles("from=2026-03-02&to=2026-03-02&volume_method=flow_rate")).json();
    expect(byDefault.summary.volume_method).toBe("flow_rate");
    expect(flowRate).toEqual(byDefault);
    const runtime = byDefault.cycles
      .filter((c: { channel: number }) => c.channel === 1)
      .reduce((sum: number, c: { runtime_min: number }) => sum + c.runtime_min, 0);
    expect(byDefault.cycles.find((c: { channel: number }) => c.channel === 1).volume_m3).toBeCloseTo(
      (runtime / 24 / 60) * 20,
      1,
    );
    const outlet = (a: string) => cycles(`channel=2&from=2026-03-02&to=2026-03-02&volume_method=${a}`);
    const [plain, measured] = [(await outlet("flow_rate")).json(), (await outlet("volumetric")).json()];
    expect({ ...measured, summary: { ...measured.summary, volume_method: "flow_rate" } }).toEqual(plain);
  });

  it("names the method in the CSV's volume column", async () => {
    const csv = await app.inject({
      method: "GET",
      url: `/api/cycles.csv?device_id=${DEVICE}&channel=1&from=2026-03-02&to=2026-03-02&volume_method=volumetric`,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split("\n")[0]).toContain("Volume mesuré, méthode volumétrique (m³)");
    expect(csv.body.split("\n")[1]).toContain(";3,00;");
  });
});
