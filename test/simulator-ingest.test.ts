import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulateFleet } from "../simulator/index.js";
import type { App } from "../src/server/app.js";
import { BOOTSTRAP_KEY, createTestApp, createTestDatabase, FakeClock, type TestDatabase } from "./harness.js";

let t: TestDatabase;
let app: App;
const START = "2025-11-01T00:00:00Z";
const HOURS = 6;

beforeAll(async () => {
  t = await createTestDatabase();
  const clock = new FakeClock(new Date(Date.parse(START) + (HOURS + 1) * 3_600_000));
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount });
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

async function postAll(batches: Iterable<unknown[]>) {
  const totals = { inserted: 0, duplicates: 0, errors: 0, rejected: 0 };
  for (const messages of batches) {
    const response = await app.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "content-type": "application/json", "x-api-key": BOOTSTRAP_KEY },
      payload: JSON.stringify({ messages }),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    totals.inserted += body.inserted;
    totals.duplicates += body.duplicates;
    totals.errors += body.errors;
    totals.rejected += body.results.filter((r: { status: string }) => r.status === "rejected").length;
  }
  return totals;
}

describe("the simulator's fleet through the service", () => {
  it("is accepted whole, duplicated and reordered, with one row per device, channel and minute", async () => {
    const options = {
      seed: 3,
      devices: 2,
      days: HOURS / 24,
      start: START,
      duplicates: 0.05,
      reorder: 20,
      reboots: 2,
    };
    const totals = await postAll(simulateFleet(options).batches(500));
    expect(totals.errors).toBe(0);
    expect(totals.rejected).toBe(0);
    // Minutes 0 … HOURS*60: the boundary frame at the end of the range closes its last whole minute.
    const minutes = HOURS * 60 + 1;
    const stored = await t.db.query<{ n: number; devices: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT device_id)::int AS devices FROM readings",
    );
    // Every device sends a complete frame for each of its 4 channels at every minute boundary.
    expect(stored.rows[0]).toEqual({ n: 2 * 4 * minutes, devices: 2 });
    const again = await postAll(simulateFleet(options).batches(500));
    expect(again.inserted).toBe(0);
  });
});
