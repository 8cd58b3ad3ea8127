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
export async function dequeueRefreshes(
  tx: Queryable,
  deviceId: string,
  ids: readonly number[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await tx.query(
    "DELETE FROM cycle_refresh_queue WHERE device_id = $1 AND id = ANY($2::int8[])",
    [deviceId, ids],
  );
  return rowCount;
}

/** Keeps only the part from `fromMinute` on of queue entries a refresh has covered up to fromMinute − 1. */
export async function trimRefreshes(
  tx: Queryable,
  deviceId: string,
  ids: readonly number[],
  fromMinute: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await tx.query(
    `UPDATE cycle_refresh_queue SET from_minute = $3
     WHERE device_id = $1 AND id = ANY($2::int8[]) AND from_minute < $3`,
    [deviceId, ids, fromMinute],
  );
  return rowCount;
}

/** Sets the queued range of one entry (e.g. several coalesced entries kept as one; the others dequeued). */
export async function reshapeRefresh(
  tx: Queryable,
  deviceId: string,
  id: number,
  fromMinute: number,
  toMinute: number,
): Promise<number> {
  const { rowCount } = await tx.query(
    "UPDATE cycle_refresh_queue SET from_minute = $3, to_minute = $4 WHERE device_id = $1 AND id = $2",
    [deviceId, id, fromMinute, toMinute],
  );
  return rowCount;
}

/**
 * Opens a refresh step of one channel: a REPEATABLE READ transaction whose one snapshot serves everything it
 * reads (queue, stored cycles, readings), taken once no other refresher holds the channel (migration 0009).
 * The claim is the first statement: it waits at most `lockTimeoutMs` for a refresher holding the channel
 * (then fails with 55P03); if that one committed after this snapshot was taken, it fails with 40001 and the
 * caller retries on a fresh snapshot. SET LOCAL takes no snapshot.
 */
export async function beginCycleRefresh(
  tx: Queryable,
  ref: ChannelRef,
  lockTimeoutMs: number,
): Promise<void> {
  await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
  await tx.query(
    `INSERT INTO cycle_refresh_channels AS c (device_id, channel, steps) VALUES ($1, $2, 1)
     ON CONFLICT (device_id, channel) DO UPDATE SET steps = c.steps + 1`,
    [ref.deviceId, ref.channel],
  );
  await tx.query("SET LOCAL lock_timeout = 0");
}

/** The oldest queued change of these channels not yet refreshed (null when none is queued). */
export async function oldestQueuedChange(db: Queryable, refs: readonly ChannelRef[]): Promise<Date | null> {
  const { rows } = await db.query<{ since: Date | null }>(
    `SELECT min(q.queued_at) AS since FROM cycle_refresh_queue q
     WHERE q.device_id = ANY($1::text[])
       AND (q.device_id, q.channel) IN (SELECT * FROM unnest($1::text[], $2::int2[]))`,
    [refs.map((r) => r.deviceId), refs.map((r) => r.channel)],
  );
  return rows[0]?.since ?? null;
}

/** The queued ranges of some channels of one device that meet [fromMinute, toMinute]. */
export async function queuedRangesMeeting(
  db: Queryable,
  q: { deviceId: string; channels: readonly number[]; fromMinute: number; toMinute: number },
): Promise<{ channel: number; fromMinute: number; toMinute: number }[]> {
  const { rows } = await db.query<{ channel: number; from_minute: number; to_minute: number }>(
    `SELECT channel, from_minute, to_minute FROM cycle_refresh_queue
     WHERE device_id = $1 AND channel = ANY($2::int2[]) AND from_minute <= $4 AND to_minute >= $3`,
    [q.deviceId, q.channels, q.fromMinute, q.toMinute],
  );
  return rows.map((r) => ({
    channel: Number(r.channel),
    fromMinute: Number(r.from_minute),
    toMinute: Number(r.to_minute),
  }));
}
