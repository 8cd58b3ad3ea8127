import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { scalarArray, textArray } from "../src/db/array-literal.js";
import { DeviceSightings } from "../src/ingest/device-sightings.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { changedRuns } from "./changed-runs.js";
import { BOOTSTRAP_KEY, createTestApp, createTestDatabase, type TestDatabase } from "./harness.js";

// The batch statement (db/queries/store-readings.ts) and the device cache, through ingestBatch on a real
// database. The HTTP contract is in ingest.test.ts.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.db.query("TRUNCATE readings, devices, cycle_refresh_queue CASCADE");
});

const DEV = "shellypro4pm-0123456789ab";
const M0 = 29_332_000; // a unix minute in October 2025
const nowS = (M0 + 100_000) * 60;

function frame(minute: number, params: Record<string, unknown>, device = DEV, second = 0) {
  return { src: device, timestamp: minute * 60 + second, params };
}
const power = (channel: number, apower: number) => ({ [`switch:${channel}`]: { apower, voltage: 230 } });

async function ingest(messages: unknown[], knownDevices?: DeviceSightings) {
  return ingestBatch(t.db, messages, { nowS, receivedAt: new Date(nowS * 1000), knownDevices });
}

async function device(id = DEV) {
  const { rows } = await t.db.query<{ model: string | null; first_seen: Date; last_seen: Date }>(
    "SELECT model, first_seen, last_seen FROM devices WHERE device_id = $1",
    [id],
  );
  const row = rows[0];
  return (
    row && {
      model: row.model,
      first: row.first_seen.getTime() / 60_000,
      last: row.last_seen.getTime() / 60_000,
    }
  );
}

describe("devices, with the per-process cache of what was stored", () => {
  it("registers a new device with its first readings, and last_seen trails the newest reading by ≤ 1 min", async () => {
    const known = new DeviceSightings(1);
    await ingest([frame(M0 + 10, power(0, 5)), frame(M0 + 12, power(1, 5))], known);
    expect(await device()).toEqual({ model: "Shelly Pro 4PM", first: M0 + 10, last: M0 + 12 });

    // one minute later: within the precision, the row is left alone
    await ingest([frame(M0 + 13, power(0, 6))], known);
    expect((await device())?.last).toBe(M0 + 12);
    // further on: written
    for (const m of [M0 + 14, M0 + 15, M0 + 40]) {
      await ingest([frame(m, power(0, 7))], known);
      expect((await device())?.last).toBeGreaterThanOrEqual(m - known.lastSeenPrecisionMin);
    }
    expect((await device())?.last).toBe(M0 + 40);
    // an older reading moves first_seen back at once
    await ingest([frame(M0 + 2, power(0, 8))], known);
    expect(await device()).toEqual({ model: "Shelly Pro 4PM", first: M0 + 2, last: M0 + 40 });
  });

  it("re-inserts a device whose row went away although the cache knows it, and registers a second device", async () => {
    const known = new DeviceSightings(60);
    await ingest([frame(M0, power(0, 5))], known);
    await t.db.query("DELETE FROM devices");
    await ingest([frame(M0 + 1, power(0, 5)), frame(M0 + 1, power(0, 5), `${DEV}-b`)], known);
    expect(await device()).toEqual({ model: "Shelly Pro 4PM", first: M0 + 1, last: M0 + 1 });
    expect(await device(`${DEV}-b`)).toMatchObject({ first: M0 + 1, last: M0 + 1 });
    // the re-inserted row is what the cache now knows: the next move past the precision is written
    await ingest([frame(M0 + 62, power(0, 5))], known);
    expect((await device())?.last).toBe(M0 + 62);
  });

  it("without a cache writes every batch's devices, as before", async () => {
    await ingest([frame(M0 + 3, power(0, 5))]);
    await ingest([frame(M0 + 4, power(0, 5))]);
    expect((await device())?.last).toBe(M0 + 4);
  });

  it("needsWrite: unknown, earlier first, later last beyond the precision, or a model to fill", () => {
    const known = new DeviceSightings(2);
    const s = { deviceId: "d", model: null, firstMinute: 10, lastMinute: 20 };
    expect(known.needsWrite(s)).toBe(true);
    known.remember(s);
    expect(known.needsWrite(s)).toBe(false);
    expect(known.needsWrite({ ...s, lastMinute: 22 })).toBe(false);
    expect(known.needsWrite({ ...s, lastMinute: 23 })).toBe(true);
    expect(known.needsWrite({ ...s, firstMinute: 9 })).toBe(true);
    expect(known.needsWrite({ ...s, model: "m" })).toBe(true);
    const small = new DeviceSightings(1, 2);
    for (const id of ["a", "b", "c"]) small.remember({ ...s, deviceId: id });
    expect(small.size).toBeLessThanOrEqual(2);
  });
});

describe("the batch statement", () => {
  it("stores per-field ranks of a row merged from frames of different ranks", async () => {
    // two deltas of one minute: apower from the later one, current only in the earlier one
    await ingest([
      frame(M0, { "switch:2": { apower: 10, current: 0.5 } }, DEV, 10),
      frame(M0, { "switch:2": { apower: 12 } }, DEV, 30),
      frame(M0 + 1, { "switch:2": { apower: 1, aenergy: { total: 5 } } }, DEV, 0),
    ]);
    const { rows } = await t.db.query(
      `SELECT apower_w, rank_apower, current_a, rank_current, voltage_v, rank_voltage, energy_total_wh, rank_energy_total
       FROM readings ORDER BY ts`,
    );
    expect(rows).toEqual([
      {
        apower_w: 12,
        rank_apower: 3000,
        current_a: 0.5,
        rank_current: 1000,
        voltage_v: null,
        rank_voltage: null,
        energy_total_wh: null,
        rank_energy_total: null,
      },
      {
        apower_w: 1,
        rank_apower: 6000,
        current_a: null,
        rank_current: null,
        voltage_v: null,
        rank_voltage: null,
        energy_total_wh: 5,
        rank_energy_total: 6000,
      },
    ]);
  });

  it("queues the same runs of changed minutes as changedRuns (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 200 })), {
          minLength: 1,
          maxLength: 60,
        }),
        async (keys) => {
          await t.db.query("TRUNCATE readings, cycle_refresh_queue");
          await ingest(keys.map(([channel, m]) => frame(M0 + m, power(channel, m))));
          const { rows } = await t.db.query<{ channel: number; from_minute: number; to_minute: number }>(
            "SELECT channel, from_minute, to_minute FROM cycle_refresh_queue ORDER BY channel, from_minute",
          );
          const expected = changedRuns(
            keys.map(([channel, m]) => ({ device_id: DEV, channel, minute: M0 + m })),
          );
          expect(rows.map((r) => [Number(r.channel), Number(r.from_minute), Number(r.to_minute)])).toEqual(
            expected.map((r) => [r.channel, r.fromMinute, r.toMinute]),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it("array literals keep quotes, backslashes, commas, braces, spaces and the word NULL as data", async () => {
    const texts = ['a"b', "c\\d", "e,f", "{g}", " h ", "NULL", "", null];
    const numbers = [0, -1.5, 1e21, 5e-324, 228.2, null];
    const { rows } = await t.db.query<{ t: (string | null)[]; n: (number | null)[]; b: (boolean | null)[] }>(
      "SELECT $1::text::text[] AS t, $2::text::float8[] AS n, $3::text::bool[] AS b",
      [textArray(texts), scalarArray(numbers), scalarArray([true, false, null])],
    );
    expect(rows[0]).toEqual({ t: texts, n: numbers, b: [true, false, null] });
  });
});

describe("the cap on batches processed at once", () => {
  it("answers every one of many concurrent batches, each with its own counters", async () => {
    const app = await createTestApp(t.db, {
      migrationCount: t.migrationCount,
      clock: { now: () => new Date(nowS * 1000) },
      ingestMaxConcurrentBatches: 1,
    });
    try {
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, b) =>
          app.inject({
            method: "POST",
            url: "/api/ingest/batch",
            headers: { "content-type": "application/json", "x-api-key": BOOTSTRAP_KEY },
            payload: JSON.stringify({
              messages: Array.from({ length: 50 }, (_, i) => frame(M0 + b * 50 + i, power(b % 4, i))),
            }),
          }),
        ),
      );
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
      for (const r of responses) expect(r.json()).toMatchObject({ inserted: 50, duplicates: 0, errors: 0 });
      const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM readings");
      expect(rows[0]?.n).toBe(300);
    } finally {
      await app.close();
    }
  });
});
