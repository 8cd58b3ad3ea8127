import type { Database } from "../db/database.js";
import { readingPartitions } from "../db/queries/reading-partitions.js";
import {
  countReadingsIn,
  droppedReadingsEndMinute,
  dropReadingPartition,
  keepHoursOfReadings,
  readingsSummedIn,
  recordDroppedMonth,
} from "../db/queries/reading-retention.js";

export interface RetentionRun {
  /** month partitions dropped, oldest first */
  dropped: string[];
  /**
   * the oldest month older than the retention that was kept because its hourly sums are not complete yet (a
   * backfill still being refreshed); the months after it wait with it, so that dropped months never leave a
   * hole. null: none.
   */
  waiting: string | null;
}

/**
 * The first instant kept with a retention of `months` months: the first day (UTC) of the month `months`
 * before the current one. A month partition ends on a month's first day, so it is older than the retention
 * as a whole exactly when it ends at or before `now` minus the retention, i.e. at or before this day.
 */
export function retentionStart(now: Date, months: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
}

/**
 * Drops the month partitions of `readings` that lie wholly before the retention, oldest first, each once its
 * hourly sums are complete (channel_activity_hourly, kept for ever: charts of the month then read them, the
 * reports read them and the stored cycles). Each month in a transaction of its own: the hours that had
 * readings are kept in reading_hours_dropped (the days a meter was monitored), the month in
 * reading_months_dropped (the refresher no longer re-detects before its end), then the partition is dropped.
 * `months` null: keep everything, nothing is done.
 */
export async function dropExpiredReadings(
  db: Database,
  now: Date,
  months: number | null,
): Promise<RetentionRun> {
  const run: RetentionRun = { dropped: [], waiting: null };
  if (months === null) return run;
  const keepFrom = retentionStart(now, months).getTime();
  // Before this, months were dropped already: readings stored there since (old history again) were never
  // re-detected nor summed (the refresher leaves dropped months as they are), and go without waiting.
  const droppedEnd = ((await droppedReadingsEndMinute(db)) ?? Number.NEGATIVE_INFINITY) * 60_000;
  for (const p of await readingPartitions(db)) {
    if (p.to.getTime() > keepFrom) break;
    const again = p.to.getTime() <= droppedEnd;
    const dropped = await db.transaction(async (tx) => {
      // Citus: the drop follows statements that reached every shard in this transaction; over one connection
      // per worker it may (an inert placeholder elsewhere).
      await tx.query("SET LOCAL citus.multi_shard_modify_mode = 'sequential'");
      if (!again && !(await readingsSummedIn(tx, p.from, p.to))) return false;
      const n = await countReadingsIn(tx, p.from, p.to);
      await keepHoursOfReadings(tx, p.from, p.to);
      await recordDroppedMonth(tx, p.from, n, now);
      await dropReadingPartition(tx, p.name);
      return true;
    });
    if (!dropped) {
      run.waiting = p.name;
      break;
    }
    run.dropped.push(p.name);
  }
  return run;
}
