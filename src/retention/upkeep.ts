import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import { createReadingPartitionsAhead } from "../db/queries/reading-partitions.js";
import { dropExpiredReadings } from "./raw-readings.js";

/**
 * Months created ahead of the data: the current one and the next two. The daily run then always has a month
 * and more of margin, so ordinary ingestion never creates a partition (creating one takes a brief exclusive
 * lock on `readings`, queued behind any long read of it).
 */
export const MONTHS_AHEAD = 2;

/** Creates the partitions of the current month and the next MONTHS_AHEAD that are missing. */
export async function prepareReadingMonths(db: Database, now: Date): Promise<number> {
  return createReadingPartitionsAhead(db, now, MONTHS_AHEAD);
}

/**
 * The service's daily upkeep of `readings`: month partitions ahead of the data, then the retention of raw
 * minutes (the setting raw_retention_months, read at each run: a change applies at the next). The partitions
 * of this month are created at start (before the service listens, prepareReadingMonths); this upkeep runs a
 * minute after start, then every `intervalMs`. A failed run is logged and the next one tries again — batches create a
 * missing month themselves anyway, and a month not dropped today is dropped another day.
 */
export function startReadingsUpkeep(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** the first run, after start (default a minute) */
  firstRunMs?: number;
  /** the retention setting in force (months, null: keep everything) */
  rawRetentionMonths: () => Promise<number | null>;
}): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = async () => {
    const now = deps.clock.now();
    const created = await prepareReadingMonths(deps.db, now);
    if (created > 0) deps.logger.info({ created }, "readings: month partitions created ahead");
    const retention = await dropExpiredReadings(deps.db, now, await deps.rawRetentionMonths());
    if (retention.dropped.length > 0)
      deps.logger.info({ dropped: retention.dropped }, "readings: months older than the retention dropped");
    if (retention.waiting !== null)
      deps.logger.info(
        { waiting: retention.waiting },
        "readings: a month older than the retention is kept until its hourly sums are complete",
      );
  };
  const tick = () => {
    if (running || stopped) return;
    running = run()
      .catch((error) => deps.logger.warn({ err: error }, "readings upkeep skipped"))
      .finally(() => {
        running = null;
      });
  };
  // a service restarted more often than daily still runs it: a first run soon after start
  const first = setTimeout(tick, deps.firstRunMs ?? 60_000);
  first.unref();
  const timer = setInterval(tick, deps.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
