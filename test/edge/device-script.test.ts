import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/server/app.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  FakeClock,
  type TestDatabase,
} from "../harness.js";
import { storedReadings } from "./edge-harness.js";
import { MAX_CALLS_IN_FLIGHT, ShellyEmulator } from "./shelly-emulator.js";

const SCRIPT = fileURLToPath(new URL("../../device/pumpwatch.js", import.meta.url));
// The service's clock is a day after the emulated meters start, so no minute is "in the future".
const START_MS = Date.parse("2025-10-09T06:00:00Z");
const clock = new FakeClock(new Date("2025-10-10T06:00:00Z"));
let database: TestDatabase;
let app: App;
let url: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await createTestApp(database.db, { clock, migrationCount: database.migrationCount });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  url = `http://127.0.0.1:${address.port}/api/ingest/batch`;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

async function rowsOf(device: string) {
  return (await storedReadings(database.db)).filter((row) => row.device_id === device);
}

describe("the Shelly script (device/pumpwatch.js)", () => {
  it("is written in the subset the Shelly interpreter runs", () => {
    const code = readFileSync(SCRIPT, "utf8").replace(/\/\/.*$/gm, "");
    for (const unsupported of ["=>", "`", "class ", "const ", "async ", "await ", "Promise", "var "]) {
      expect(code, unsupported).not.toContain(unsupported);
    }
    // no trailing comma before a closing bracket or parenthesis
    expect(code).not.toMatch(/,\s*[)\]}]/);
  });

  it("posts the four switches every minute to /api/ingest/batch, idle ones included", async () => {
    const meter = new ShellyEmulator("shellypro4pm-script001", START_MS);
    meter.load(SCRIPT, { url, apiKey: BOOTSTRAP_KEY });
    meter.switches[2] = {
      ...(meter.switches[2] as (typeof meter.switches)[number]),
      apower: 432.5,
      current: 2.3,
      output: true,
    };
    await meter.advance(10 * 60_000);
    const rows = await rowsOf("shellypro4pm-script001");
    expect(rows).toHaveLength(40);
    const first = rows.filter((row) => row.ts === "2025-10-09T06:01:00.000Z");
    expect(first.map((row) => [row.channel, row.apower_w, row.output])).toEqual([
      [0, 0, false],
      [1, 0, false],
      [2, 432.5, true],
      [3, 1.1, false],
    ]);
    expect(first[2]).toMatchObject({ voltage_v: 230.1, temperature_c: 38.5, frequency_hz: 50 });
    // energy of the minute that ended at the row's minute: 432.5 W for a minute ≈ 7.2 Wh
    expect(first[2]?.energy_last_minute_wh).toBeCloseTo(432.5 / 60, 6);
    expect(meter.maxCallsInFlight).toBeLessThanOrEqual(MAX_CALLS_IN_FLIGHT);
    expect(meter.requests.every((r) => r.headers["X-Api-Key"] === BOOTSTRAP_KEY && r.status === 200)).toBe(
      true,
    );
  });

  it("keeps the minutes while the network is down and sends them once it is back", async () => {
    const meter = new ShellyEmulator("shellypro4pm-script002", START_MS);
    meter.load(SCRIPT, { url, apiKey: BOOTSTRAP_KEY });
    await meter.advance(5 * 60_000);
    meter.network = false;
    await meter.advance(30 * 60_000);
    expect(await rowsOf("shellypro4pm-script002")).toHaveLength(5 * 4);
    meter.network = true;
    await meter.advance(60_000);
    // the minute that just passed and the 30 kept ones, sent in posts of perPost minutes
    expect(await rowsOf("shellypro4pm-script002")).toHaveLength(36 * 4);
    expect(meter.maxCallsInFlight).toBeLessThanOrEqual(MAX_CALLS_IN_FLIGHT);
  });

  it("keeps at most maxBuffered minutes, dropping the oldest, and says so", async () => {
    const meter = new ShellyEmulator("shellypro4pm-script003", START_MS);
    meter.load(SCRIPT, { url, apiKey: BOOTSTRAP_KEY, maxBuffered: 10 });
    meter.network = false;
    await meter.advance(25 * 60_000);
    meter.network = true;
    await meter.advance(60_000);
    const rows = await rowsOf("shellypro4pm-script003");
    // the last 10 minutes of the outage
    const minutes = [...new Set(rows.map((row) => row.ts))].sort();
    expect(minutes).toHaveLength(10);
    expect(minutes[0]).toBe("2025-10-09T06:17:00.000Z");
    expect(meter.printed.some((line) => line.includes("oldest minute dropped (16 so far)"))).toBe(true);
  });
});
