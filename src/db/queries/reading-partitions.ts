import type { Queryable } from "../database.js";

/**
 * Creates the month partitions of `readings` (migration 0019) holding these instants that do not exist yet;
 * returns how many it created. A month already there costs a catalogue lookup and takes no lock.
 */
export async function createReadingPartitionsFor(db: Queryable, instants: readonly Date[]): Promise<number> {
  if (instants.length === 0) return 0;
  const { rows } = await db.query<{ created: number }>(
    "SELECT readings_partitions_for($1::text::timestamptz[]) AS created",
    [`{${instants.map((d) => d.toISOString()).join(",")}}`],
  );
  return Number(rows[0]?.created ?? 0);
}

/** Creates the partitions of the month holding `at` and of the `ahead` months after it that are missing. */
export async function createReadingPartitionsAhead(db: Queryable, at: Date, ahead: number): Promise<number> {
  const { rows } = await db.query<{ created: number }>(
    "SELECT readings_partitions_ahead($1::timestamptz, $2::int4) AS created",
    [at.toISOString(), ahead],
  );
  return Number(rows[0]?.created ?? 0);
}

export interface ReadingPartition {
  name: string;
  /** the month's first instant (UTC) */
  from: Date;
  /** the next month's first instant */
  to: Date;
}

/**
 * The month partitions of `readings` in the current schema, oldest first, their months read from their names
 * (readings_yYYYYmMM, given by readings_month_partition).
 */
export async function readingPartitions(db: Queryable): Promise<ReadingPartition[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = to_regclass('readings')
     ORDER BY c.relname`,
  );
  const out: ReadingPartition[] = [];
  for (const { name } of rows) {
    const m = /^readings_y(\d{4})m(\d{2})$/.exec(name);
    if (m === null) continue;
    const year = Number(m[1]);
    const month = Number(m[2]) - 1;
    out.push({ name, from: new Date(Date.UTC(year, month, 1)), to: new Date(Date.UTC(year, month + 1, 1)) });
  }
  return out;
}
