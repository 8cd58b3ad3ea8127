import type { Queryable } from "../database.js";
import type { ChannelRef } from "./stored-cycle.js";

export interface QueuedRefresh {
  id: number;
  fromMinute: number;
  toMinute: number;
}

export interface ChannelPending extends ChannelRef {
  /** the newest queue entry of the channel */
  maxId: number;
}

/** The queued changed ranges of one channel, earliest first. */
export async function queuedRefreshesOfChannel(tx: Queryable, ref: ChannelRef): Promise<QueuedRefresh[]> {
  const { rows } = await tx.query<{ id: number; from_minute: number; to_minute: number }>(
    `SELECT id, from_minute, to_minute FROM cycle_refresh_queue
     WHERE device_id = $1 AND channel = $2 ORDER BY from_minute, id`,
    [ref.deviceId, ref.channel],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    fromMinute: Number(r.from_minute),
    toMinute: Number(r.to_minute),
  }));
}

/** Channels with queued changes (all of them, or only among `refs`), with their newest entry. */
export async function channelsWithQueuedRefreshes(
  db: Queryable,
  refs: readonly ChannelRef[] | null,
): Promise<ChannelPending[]> {
  const { rows } = await db.query<{ device_id: string; channel: number; max_id: number }>(
    `SELECT q.device_id, q.channel, max(q.id) AS max_id
     FROM cycle_refresh_queue q
     WHERE $1::text[] IS NULL
        OR (q.device_id, q.channel) IN (SELECT * FROM unnest($1::text[], $2::int2[]))
     GROUP BY q.device_id, q.channel
     ORDER BY q.device_id, q.channel`,
    [refs?.map((r) => r.deviceId) ?? null, refs?.map((r) => r.channel) ?? null],
  );
  return rows.map((r) => ({ deviceId: r.device_id, channel: Number(r.channel), maxId: Number(r.max_id) }));
}

/** Removes the queue entries a refresh has covered (by id: entries queued meanwhile are other rows). */
export async function dequeueRefreshes(tx: Queryable, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await tx.query("DELETE FROM cycle_refresh_queue WHERE id = ANY($1::int8[])", [ids]);
  return rowCount;
}

/** Keeps only the part from `fromMinute` on of queue entries a refresh has covered up to fromMinute − 1. */
export async function trimRefreshes(
  tx: Queryable,
  ids: readonly number[],
  fromMinute: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await tx.query(
    "UPDATE cycle_refresh_queue SET from_minute = $2 WHERE id = ANY($1::int8[]) AND from_minute < $2",
    [ids, fromMinute],
  );
  return rowCount;
}

/**
 * Opens a refresh transaction: one snapshot for everything it reads (queue, stored cycles, readings), taken
 * only once no other refresher holds `cycles`. SHARE ROW EXCLUSIVE conflicts with itself and with writes, not
 * with reads; ingestion never touches `cycles`. LOCK TABLE takes no snapshot, so it must come first.
 */
export async function beginCycleRefresh(tx: Queryable): Promise<void> {
  await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  await tx.query("LOCK TABLE cycles IN SHARE ROW EXCLUSIVE MODE");
}
