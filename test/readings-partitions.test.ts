import { afterEach, describe, expect, it } from "vitest";
import { loadMigrations, migrate } from "../src/db/migrate.js";
import { migrationsDir } from "../src/db/open.js";
import { readingPartitions } from "../src/db/queries/reading-partitions.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { prepareReadingMonths } from "../src/retention/upkeep.js";
import { createTestDatabase, onCitus, onPostgres, type TestDatabase } from "./harness.js";

// readings partitioned by UTC month (migration 0019): the rows of a database migrated from before are moved
// into their months, months are created ahead of the data, and a batch of old history creates the months it
// needs instead of failing. Runs on PGlite, PostgreSQL and Citus (where the partitions are distributed).

let t: TestDatabase | undefined;
afterEach(async () => {
  await t?.drop();
  t = undefined;
});

const DEV = "shellypro4pm-0123456789ab";
const iso = (s: string) => new Date(s);

/** Which partition holds each reading, and the readings themselves, in key order. */
async function placed(db: TestDatabase["db"]) {
  const { rows } = await db.query<{ part: string; channel: number; ts: Date; apower_w: number }>(
    `SELECT tableoid::regclass::text AS part, channel, ts, apower_w FROM readings ORDER BY device_id, channel, ts`,
  );
  return rows.map((r) => ({
    // on Citus (with workers or not), the shard of the partition: its name and the shard's number
    part: r.part.replace(/^.*\./, "").replace(/^(readings_y\d{4}m\d{2})_\d+$/, "$1"),
    channel: Number(r.channel),
    ts: r.ts.toISOString(),
    apower_w: Number(r.apower_w),
  }));
}

describe("migration 0019: readings by month", () => {
  it("moves the rows stored before into the partition of their UTC month, and creates this month and the next two", async () => {
    t = await createTestDatabase({ migrate: false });
    const all = await loadMigrations(migrationsDir());
    await migrate(
      t.db,
      all.filter((m) => m.version < 19),
    );
    // a minute on each side of two month ends (UTC), one of them in another year; 23:59 UTC on 31 December is
    // already January in Paris, and the partition follows UTC
    const stamps = [
      "2024-12-31T23:59:00Z",
      "2025-01-01T00:00:00Z",
      "2025-02-28T23:59:00Z",
      "2025-03-01T00:00:00Z",
    ];
    for (const [i, ts] of stamps.entries()) {
      await t.db.query(
        `INSERT INTO readings (device_id, channel, ts, apower_w, current_a, received_at)
         VALUES ($1, $2, $3, $4, 0.5, $3)`,
        [DEV, i % 2, ts, 100 + i],
      );
    }
    await migrate(t.db, all);

    expect(await placed(t.db)).toEqual([
      { part: "readings_y2024m12", channel: 0, ts: "2024-12-31T23:59:00.000Z", apower_w: 100 },
      { part: "readings_y2025m02", channel: 0, ts: "2025-02-28T23:59:00.000Z", apower_w: 102 },
      { part: "readings_y2025m01", channel: 1, ts: "2025-01-01T00:00:00.000Z", apower_w: 101 },
      { part: "readings_y2025m03", channel: 1, ts: "2025-03-01T00:00:00.000Z", apower_w: 103 },
    ]);
    const names = (await readingPartitions(t.db)).map((p) => p.name);
    const now = new Date();
    const month = (k: number) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1));
      return `readings_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    };
    for (const name of ["readings_y2024m12", "readings_y2025m01", "readings_y2025m02", "readings_y2025m03"])
      expect(names).toContain(name);
    for (const k of [0, 1, 2]) expect(names).toContain(month(k));
    // the key still refuses a second row of the same minute, and the idempotency keys still read through
    await expect(
      t.db.query(
        "INSERT INTO readings (device_id, channel, ts, received_at) VALUES ($1, 0, '2025-02-28T23:59:00Z', now())",
        [DEV],
      ),
    ).rejects.toThrow();
    const keys = await t.db.query<{ idempotency_key: string }>(
      "SELECT idempotency_key FROM reading_idempotency_keys ORDER BY 1",
    );
    expect(keys.rows.map((r) => r.idempotency_key)).toContain(
      `${DEV}_0_${Date.parse("2024-12-31T23:59:00Z") / 60_000}`,
    );
  });

  it.runIf(onCitus)(
    "on Citus, readings and each of its months are distributed by device_id with devices",
    async () => {
      t = await createTestDatabase();
      await ingestBatch(t.db, [frame(Date.parse("2023-05-10T12:00:00Z") / 60_000, 120)], options());
      const { rows } = await t.db.query<{ rel: string; colocated: boolean; column: string }>(
        `SELECT p.logicalrelid::text AS rel,
              p.colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'devices'::regclass)
                AS colocated,
              column_to_column_name(p.logicalrelid, p.partkey) AS column
       FROM pg_dist_partition p
       WHERE p.logicalrelid IN (SELECT 'readings'::regclass UNION ALL
                                SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'readings'::regclass)`,
      );
      const names = (await readingPartitions(t.db)).map((p) => p.name);
      expect(rows.length).toBe(names.length + 1);
      for (const r of rows) expect(r).toMatchObject({ colocated: true, column: "device_id" });
    },
  );
});

function frame(minute: number, apower: number, device = DEV) {
  return { src: device, timestamp: minute * 60, params: { "switch:0": { apower, voltage: 230 } } };
}
function options() {
  const nowS = Math.floor(Date.now() / 1000);
  return { nowS, receivedAt: new Date(nowS * 1000) };
}

describe("months created ahead of the data, and for old history", () => {
  it("creates the current month and the next two once; a second run creates nothing", async () => {
    t = await createTestDatabase();
    const at = iso("2031-11-20T10:00:00Z");
    expect(await prepareReadingMonths(t.db, at)).toBe(3);
    expect(await prepareReadingMonths(t.db, at)).toBe(0);
    const months = (await readingPartitions(t.db)).filter(
      (p) => p.from.getTime() >= at.getTime() - 31 * 86_400_000,
    );
    expect(months.map((p) => [p.name, p.from.toISOString(), p.to.toISOString()])).toEqual([
      ["readings_y2031m11", "2031-11-01T00:00:00.000Z", "2031-12-01T00:00:00.000Z"],
      ["readings_y2031m12", "2031-12-01T00:00:00.000Z", "2032-01-01T00:00:00.000Z"],
      ["readings_y2032m01", "2032-01-01T00:00:00.000Z", "2032-02-01T00:00:00.000Z"],
    ]);
  });

  it("stores a batch of old history spanning three months that had no partition, each reading in its month", async () => {
    t = await createTestDatabase();
    const before = (await readingPartitions(t.db)).map((p) => p.name);
    expect(before).not.toContain("readings_y2021m03");
    const minutes = ["2021-02-28T23:59:00Z", "2021-03-15T08:00:00Z", "2021-04-01T00:00:00Z"].map(
      (s) => Date.parse(s) / 60_000,
    );
    const summary = await ingestBatch(
      t.db,
      minutes.map((m, i) => frame(m, 50 + i)),
      options(),
    );
    expect(summary.inserted).toBe(3);
    expect((await placed(t.db)).map((r) => r.part)).toEqual([
      "readings_y2021m02",
      "readings_y2021m03",
      "readings_y2021m04",
    ]);
    // the same batch again: the months exist, nothing new is created, every reading is a duplicate
    const again = await ingestBatch(
      t.db,
      minutes.map((m, i) => frame(m, 50 + i)),
      options(),
    );
    expect(again).toMatchObject({ inserted: 0, duplicates: 3 });
  });

  it.runIf(onPostgres)(
    "batches of a month with no partition yet, stored at once on several connections, all succeed",
    async () => {
      t = await createTestDatabase();
      const db = t.db;
      const base = Date.parse("2022-06-10T00:00:00Z") / 60_000;
      const results = await Promise.all(
        [0, 1, 2, 3].map((k) =>
          ingestBatch(db, [frame(base + k, 10 + k, `shellypro4pm-00000000000${k}`)], options()),
        ),
      );
      expect(results.map((r) => r.inserted)).toEqual([1, 1, 1, 1]);
      expect((await placed(db)).map((r) => r.part)).toEqual(Array(4).fill("readings_y2022m06"));
    },
  );
});
