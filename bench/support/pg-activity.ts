// What the service's database connections are doing, sampled from pg_stat_activity.
import type pg from "pg";

export interface ActivityShare {
  samples: number;
  /** average number of the service's connections in each state */
  running: number;
  lockWait: number;
  ioWait: number;
  otherWait: number;
  idleInTransaction: number;
  idle: number;
}

const SQL = `
SELECT state, wait_event_type, wait_event
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`;

interface Row {
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
}

/** Polls pg_stat_activity on its own connection until `stop()`; a sample costs well under a millisecond. */
export function sampleActivity(db: pg.Client, intervalMs = 25) {
  const totals = {
    samples: 0,
    running: 0,
    lockWait: 0,
    ioWait: 0,
    otherWait: 0,
    idleInTransaction: 0,
    idle: 0,
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      // the connection may go away (Ctrl-C drops the database): the sample ends there, the caller decides
      const rows = await db.query<Row>(SQL).then(
        (result) => result.rows,
        () => null,
      );
      if (rows === null) break;
      totals.samples++;
      for (const row of rows) {
        if (row.state === "idle") totals.idle++;
        else if (row.state?.startsWith("idle in transaction")) totals.idleInTransaction++;
        else if (row.wait_event_type === null) totals.running++;
        else if (row.wait_event_type === "Lock") totals.lockWait++;
        else if (row.wait_event_type === "IO" || row.wait_event?.startsWith("WAL")) totals.ioWait++;
        else totals.otherWait++;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return async (): Promise<ActivityShare> => {
    stopped = true;
    await loop;
    const n = Math.max(1, totals.samples);
    return {
      samples: totals.samples,
      running: totals.running / n,
      lockWait: totals.lockWait / n,
      ioWait: totals.ioWait / n,
      otherWait: totals.otherWait / n,
      idleInTransaction: totals.idleInTransaction / n,
      idle: totals.idle / n,
    };
  };
}
