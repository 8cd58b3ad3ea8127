import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelSeries } from "../src/analytics/series.js";
import { seriesWindow } from "../src/domain/series/window.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { createTestDatabase, onPostgres, type TestDatabase } from "./harness.js";

let t: TestDatabase;
const DEVICE = "shellypro4pm-series0001";
const at = (iso: string) => Date.parse(iso) / 1000;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

async function minutes(channel: number, fromIso: string, toIso: string, apower: (i: number) => number) {
  const messages = [];
  for (let s = at(fromIso), i = 0; s < at(toIso); s += 60, i++) {
    messages.push({
      src: DEVICE,
      timestamp: s,
      params: { [`switch:${channel}`]: { apower: apower(i), current: apower(i) / 230 } },
    });
  }
  await ingestBatch(t.db, messages, { nowS: at("2026-03-01T00:00:00Z"), receivedAt: new Date() });
}

describe("channelSeries", () => {
  it("bug 27: a PS cycle 07h35→10h27 then nothing until 14h gives 0 from 10h30, never the last value", async () => {
    await minutes(2, "2026-02-20T07:35:00Z", "2026-02-20T10:28:00Z", () => 420);
    await minutes(2, "2026-02-20T14:00:00Z", "2026-02-20T14:10:00Z", () => 430);
    const window = seriesWindow("24h", { kind: "day", date: "2026-02-20" }, "UTC");
    const [ps] = await channelSeries(t.db, DEVICE, [{ channel: 2, thresholdW: 10 }], window);
    if (!ps) throw new Error("no series");
    const value = (hhmm: string) => ps.powerW[ps.t.indexOf(at(`2026-02-20T${hhmm}:00Z`))];
    expect(value("07:30")).toBe(0);
    expect(value("07:35")).toBe(420);
    expect(value("10:25")).toBe(420);
    expect(value("10:30")).toBe(0);
    expect(value("12:00")).toBe(0);
    expect(value("14:00")).toBe(430);
    expect(value("03:00")).toBe(0);
    expect(ps.t).toHaveLength(288);
  });

  it("averages only the readings above the threshold: the idle 1 W channel is a flat 0", async () => {
    await minutes(3, "2026-02-21T00:00:00Z", "2026-02-21T02:00:00Z", () => 1.1);
    await minutes(1, "2026-02-21T00:00:00Z", "2026-02-21T00:10:00Z", (i) => (i < 3 ? 1200 : 0));
    const window = seriesWindow("7d", { kind: "day", date: "2026-02-21" }, "UTC");
    const series = await channelSeries(
      t.db,
      DEVICE,
      [
        { channel: 1, thresholdW: 10 },
        { channel: 3, thresholdW: 10 },
      ],
      window,
    );
    const [pr, idle] = series;
    expect(idle?.powerW.every((p) => p === 0)).toBe(true);
    const midnight = pr?.t.indexOf(at("2026-02-21T00:00:00Z")) ?? -1;
    expect(pr?.powerW[midnight]).toBe(1200);
    expect(pr?.currentA[midnight]).toBeCloseTo(1200 / 230, 3);
  });
});

describe("what keeps a 30-day chart cheap", () => {
  it("the readings primary key carries power and current, so a chart is an index-only range scan", async () => {
    const { rows } = await t.db.query<{ key: string[]; included: string[] }>(
      `SELECT array(SELECT a.attname::text FROM unnest(i.indkey[0:i.indnkeyatts - 1]) k
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k) AS key,
              array(SELECT a.attname::text FROM unnest(i.indkey[i.indnkeyatts:]) k
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k) AS included
       FROM pg_index i WHERE i.indrelid = 'readings'::regclass AND i.indisprimary`,
    );
    expect(rows).toEqual([{ key: ["device_id", "channel", "ts"], included: ["apower_w", "current_a"] }]);
  });

  // PGlite has no JIT to turn off.
  it.runIf(onPostgres)("the service's PostgreSQL connections run without JIT", async () => {
    const { rows } = await t.db.query<{ jit: string }>("SHOW jit");
    expect(rows[0]?.jit).toBe("off");
  });
});
