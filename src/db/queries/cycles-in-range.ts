import type { Queryable } from "../database.js";
import {
  type ChannelRef,
  type StoredCycle,
  type StoredCycleRow,
  storedCycleColumns,
  toStoredCycle,
} from "./stored-cycle.js";

/** Position after the last cycle of a page: the next page holds the cycles that sort after it. */
export interface CycleCursor {
  startMinute: number;
  deviceId: string;
  channel: number;
}

export interface CyclesInRangeQuery {
  channels: readonly ChannelRef[];
  /** cycles whose start minute lies in [fromMinute, toMinute) */
  fromMinute: number;
  toMinute: number;
  limit: number;
  /** only cycles after this one in the order (newest first, then device_id and channel descending) */
  after?: CycleCursor | undefined;
  /** default true; false leaves out the closed cycles flagged as noise */
  includeNoise?: boolean;
  /** a meter's own period inside it (a fleet across zones, issue 18); absent: the query's */
  meterRange?: ((deviceId: string) => { fromMinute: number; toMinute: number } | undefined) | undefined;
}

/**
 * Cycles of the given channels starting in [fromMinute, toMinute), newest first (ties: device_id, channel
 * descending), at most `limit`, after the cursor. Each channel is a backward range scan of the primary key
 * stopped by the limit, so a page costs the same whatever the length of the history.
 *
 * One statement per meter, each naming its meter (scale-rules.md, rule 4): on Citus it goes whole to the
 * meter's shard, where the per-channel LIMIT is allowed; the pages of the meters are merged here.
 */
export async function cyclesInRange(db: Queryable, q: CyclesInRangeQuery): Promise<StoredCycle[]> {
  if (q.channels.length === 0 || q.limit <= 0) return [];
  const byDevice = new Map<string, number[]>();
  for (const c of q.channels) {
    const channels = byDevice.get(c.deviceId) ?? [];
    channels.push(c.channel);
    byDevice.set(c.deviceId, channels);
  }
  const pages: StoredCycle[] = [];
  for (const [deviceId, channels] of byDevice) {
    const own = q.meterRange?.(deviceId);
    pages.push(...(await cyclesOfDeviceInRange(db, deviceId, channels, own ? { ...q, ...own } : q)));
  }
  // Ties between meters by device_id in code-point order, as the cursor's COLLATE "C" comparison.
  pages.sort(
    (a, b) =>
      b.startMinute - a.startMinute ||
      (a.deviceId < b.deviceId ? 1 : a.deviceId > b.deviceId ? -1 : 0) ||
      b.channel - a.channel,
  );
  return pages.slice(0, q.limit);
}

async function cyclesOfDeviceInRange(
  db: Queryable,
  deviceId: string,
  channels: readonly number[],
  q: CyclesInRangeQuery,
): Promise<StoredCycle[]> {
  // No cursor = a cursor at toMinute itself, which the range already excludes.
  const after = q.after ?? { startMinute: q.toMinute, deviceId: "", channel: -1 };
  // The page is chosen on the key alone (an index-only range scan per channel), and only its rows are read
  // and converted: with many channels, each may bring up to `limit` candidates, most of them not kept.
  const { rows } = await db.query<StoredCycleRow>(
    `SELECT r.*
     FROM (
       SELECT k.channel, c.start_ts
       FROM unnest($2::int2[]) AS k(channel)
       CROSS JOIN LATERAL (
         SELECT x.start_ts
         FROM cycles x
         WHERE x.device_id = $1 AND x.channel = k.channel
           AND x.start_ts >= to_timestamp($3::float8 * 60) AND x.start_ts < to_timestamp($4::float8 * 60)
           AND x.start_ts <= to_timestamp($5::float8 * 60)
           AND (x.start_ts < to_timestamp($5::float8 * 60)
                OR $1::text COLLATE "C" < $6::text OR ($1::text = $6::text AND k.channel < $7::int2))
           AND ($9 OR NOT x.noise)
         ORDER BY x.start_ts DESC
         LIMIT $8
       ) c
       ORDER BY c.start_ts DESC, k.channel DESC
       LIMIT $8
     ) page
     -- one primary-key lookup per kept row (LIMIT 1: the planner otherwise hashes the whole table to join)
     CROSS JOIN LATERAL (
       SELECT ${storedCycleColumns("x")}
       FROM cycles x
       WHERE x.device_id = $1 AND x.channel = page.channel AND x.start_ts = page.start_ts
       LIMIT 1
     ) r
     ORDER BY page.start_ts DESC, page.channel DESC`,
    [
      deviceId,
      channels,
      q.fromMinute,
      q.toMinute,
      after.startMinute,
      after.deviceId,
      after.channel,
      q.limit,
      q.includeNoise ?? true,
    ],
  );
  return rows.map(toStoredCycle);
}
