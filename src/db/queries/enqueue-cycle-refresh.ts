import type { Queryable } from "../database.js";

/** Changed minutes this close (or closer) on one channel make one queue entry. */
export const MERGE_GAP_MIN = 30;

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
