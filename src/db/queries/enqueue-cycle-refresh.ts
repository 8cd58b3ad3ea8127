import type { Queryable } from "../database.js";

export interface ChangedMinute {
  device_id: string;
  channel: number;
  minute: number;
}

export interface MinuteRange {
  deviceId: string;
  channel: number;
  fromMinute: number;
  toMinute: number;
}

/** Changed minutes this close (or closer) on one channel make one queue entry. */
export const MERGE_GAP_MIN = 30;

/**
 * The changed minutes of each channel as runs: one run per stretch with no hole longer than `mergeGapMin`.
 * Ingestion queues the same runs in SQL (store-readings.ts); this is the rule's model for the refresh tests.
 */
export function changedRuns(keys: readonly ChangedMinute[], mergeGapMin = MERGE_GAP_MIN): MinuteRange[] {
  const sorted = [...keys].sort((a, b) =>
    a.device_id !== b.device_id
      ? a.device_id < b.device_id
        ? -1
        : 1
      : a.channel !== b.channel
        ? a.channel - b.channel
        : a.minute - b.minute,
  );
  const runs: MinuteRange[] = [];
  let run: MinuteRange | undefined;
  for (const k of sorted) {
    const minute = Number(k.minute);
    const channel = Number(k.channel);
    if (
      run !== undefined &&
      run.deviceId === k.device_id &&
      run.channel === channel &&
      minute - run.toMinute <= mergeGapMin
    ) {
      run.toMinute = minute;
      continue;
    }
    run = { deviceId: k.device_id, channel, fromMinute: minute, toMinute: minute };
    runs.push(run);
  }
  return runs;
}

/**
 * Queues the whole history of one channel (its readings and its stored cycles), e.g. after its detection
 * settings changed. The refresher works through it in bounded steps.
 */
export async function enqueueChannelRebuild(
  tx: Queryable,
  channel: { deviceId: string; channel: number },
): Promise<number> {
  const { rowCount } = await tx.query(
    `INSERT INTO cycle_refresh_queue (device_id, channel, from_minute, to_minute)
     SELECT $1, $2, least(r.lo, c.lo), greatest(r.hi, c.hi)
     FROM (SELECT (extract(epoch FROM min(ts)) / 60)::int8 AS lo, (extract(epoch FROM max(ts)) / 60)::int8 AS hi
           FROM readings WHERE device_id = $1 AND channel = $2) r,
          (SELECT (extract(epoch FROM min(start_ts)) / 60)::int8 AS lo,
                  (extract(epoch FROM max(last_active_ts)) / 60)::int8 AS hi
           FROM cycles WHERE device_id = $1 AND channel = $2) c
     WHERE least(r.lo, c.lo) IS NOT NULL`,
    [channel.deviceId, channel.channel],
  );
  return rowCount;
}
