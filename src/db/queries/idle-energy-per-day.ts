import type { LocalDays } from "../../domain/config-versions/index.js";
import type { Queryable } from "../database.js";
import { idleEnergyOfReading } from "./channel-activity-hourly.js";
import type { ChannelRef } from "./stored-cycle.js";

/** A channel with the activity threshold its cycles were detected with (its version in force today). */
export interface ThresholdedChannel extends ChannelRef {
  thresholdW: number;
}

export interface StoredIdleDay extends ChannelRef {
  /** index into `days.dates` */
  day: number;
  /** stored hours of that day added up, the first and the last of them (unix seconds) */
  hours: number;
  firstHourS: number;
  lastHourS: number;
  idleWh: number;
}

/**
 * Per channel and local day (among `days`), the energy measured outside any cycle as the cycle refresher summed
 * it per UTC hour (`idle_energy_wh`, migration 0018), with the hours it was added from: only the whole hours
 * inside the days, summed with the channel's threshold, and that no queued change meets (a reading reports the
 * minute before it, so a change at the first minute of the next hour counts too), and, before `keptFromS`
 * (months whose readings the retention dropped), every stored hour as it is. The caller reads from the
 * readings what these hours do not cover. One range scan of the hourly key per channel.
 *
 * The queued changes are first turned into islands of whole hours (`queued`): a backfill queues thousands of
 * windows, and probing them all for each hour of a year (35 000 hours of a meter) took 3–5 s of every read
 * while it was absorbed (issue 20); its consecutive windows meet or overlap as hours, so they make a few
 * islands. An hour [60k, 60k + 60] (minutes) meets a change [f, t] when f ≤ 60k + 60 and t ≥ 60k, i.e. for
 * k from ceil((f − 60) / 60) to floor(t / 60). The islands' hours within the days are then listed (disjoint:
 * one row per hour at most) and left out by a hash join: a correlated probe of the islands per hour still took
 * 1.4 s at the end of a year's backfill posted a day per batch (hundreds of islands, night gaps between them),
 * and a `NOT IN` of them, too large to hash in `work_mem`, 85 s.
 */
export async function storedIdleEnergyPerDay(
  db: Queryable,
  channels: readonly ThresholdedChannel[],
  days: LocalDays,
  /** hours before this instant (unix seconds) lie in months whose readings were dropped: taken as summed */
  keptFromS: number | null = null,
): Promise<StoredIdleDay[]> {
  if (channels.length === 0 || days.dates.length === 0) return [];
  const { rows } = await db.query<{
    device_id: string;
    channel: number;
    day: number;
    hours: number;
    first_s: number;
    last_s: number;
    idle_wh: string;
  }>(
    `WITH changed AS (
       SELECT q.device_id, q.channel, ceil((q.from_minute - 60) / 60.0)::int8 AS lo, floor(q.to_minute / 60.0)::int8 AS hi
       FROM cycle_refresh_queue q
       WHERE q.device_id = ANY($1::text[])
     ), starts AS (
       SELECT c.*, c.lo > max(c.hi) OVER (PARTITION BY c.device_id, c.channel ORDER BY c.lo, c.hi
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1 IS NOT FALSE AS first
       FROM changed c
     ), numbered AS (
       SELECT s.*, count(*) FILTER (WHERE s.first) OVER (PARTITION BY s.device_id, s.channel ORDER BY s.lo, s.hi) AS island
       FROM starts s
     ), islands AS (
       SELECT n.device_id, n.channel, min(n.lo) AS lo, max(n.hi) AS hi
       FROM numbered n
       GROUP BY n.device_id, n.channel, n.island
     ), queued AS MATERIALIZED (
       SELECT i.device_id, i.channel, to_timestamp(h.hour * 3600.0) AS hour_ts
       FROM islands i,
            generate_series(greatest(i.lo, floor(($4::float8[])[1] / 3600)::int8),
                            least(i.hi, ceil(($4::float8[])[cardinality($4::float8[])] / 3600)::int8)) AS h(hour)
     )
     SELECT a.device_id, a.channel, width_bucket(date_part('epoch', a.hour_ts), $4::float8[]) AS day,
            count(*)::int4 AS hours, date_part('epoch', min(a.hour_ts))::float8 AS first_s,
            date_part('epoch', max(a.hour_ts))::float8 AS last_s, sum(a.idle_energy_wh) AS idle_wh
     FROM unnest($1::text[], $2::int2[], $3::float8[]) AS k(device_id, channel, threshold_w)
     JOIN channel_activity_hourly a
       ON a.device_id = k.device_id AND a.channel = k.channel
      AND (a.threshold_w = k.threshold_w OR a.hour_ts < to_timestamp($5::float8))
     LEFT JOIN queued q ON q.device_id = a.device_id AND q.channel = a.channel AND q.hour_ts = a.hour_ts
     WHERE a.device_id = ANY($1::text[])
       AND a.hour_ts >= to_timestamp(($4::float8[])[1])
       AND a.hour_ts <= to_timestamp(($4::float8[])[cardinality($4::float8[])] - 3600)
       AND a.idle_energy_wh IS NOT NULL
       AND (a.hour_ts < to_timestamp($5::float8) OR q.hour_ts IS NULL)
     GROUP BY 1, 2, 3`,
    [
      channels.map((c) => c.deviceId),
      channels.map((c) => c.channel),
      channels.map((c) => c.thresholdW),
      days.starts,
      keptFromS ?? Number.NEGATIVE_INFINITY,
    ],
  );
  return rows.map((r) => ({
    deviceId: r.device_id,
    channel: Number(r.channel),
    day: Number(r.day) - 1,
    hours: Number(r.hours),
    firstHourS: Number(r.first_s),
    lastHourS: Number(r.last_s),
    idleWh: Number(r.idle_wh),
  }));
}

/** A span of minutes [fromS, toS) of one channel, unix seconds. */
export interface IdleSpan extends ThresholdedChannel {
  fromS: number;
  toS: number;
}

/**
 * The energy measured outside any cycle in each span of one meter (one meter per statement: on Citus it stays
 * on that meter's shard), from the readings (`idleEnergyOfReading`): a span's minutes
 * are reported by the readings one minute later, and the reading at its start is read for what it says of the
 * minute after it. Returned in the order of `spans`.
 */
export async function idleEnergyFromReadings(
  db: Queryable,
  deviceId: string,
  spans: readonly Omit<IdleSpan, "deviceId">[],
): Promise<number[]> {
  if (spans.length === 0) return [];
  // One range scan of the readings' key per span, as a subquery of its own: joined to the list of spans, the
  // planner, which cannot see how few spans there are, hashed every reading of the meters instead (≈ 0.4 s a
  // device-month on PGlite, most of a summary's time).
  const { rows } = await db.query<{ i: number; idle_wh: string | null }>(
    `SELECT q.i,
            (SELECT sum(m.idle_wh)
             FROM (SELECT r.ts, ${idleEnergyOfReading("q.threshold_w")} AS idle_wh
                   FROM readings r
                   WHERE r.device_id = $1 AND r.channel = q.channel
                     AND r.ts >= to_timestamp(q.from_s) AND r.ts < to_timestamp(q.to_s + 60)
                   WINDOW w AS (PARTITION BY r.device_id ORDER BY r.ts)) m
             WHERE m.ts >= to_timestamp(q.from_s + 60)) AS idle_wh
     FROM unnest($2::int2[], $3::float8[], $4::float8[], $5::float8[])
            WITH ORDINALITY AS q(channel, threshold_w, from_s, to_s, i)`,
    [
      deviceId,
      spans.map((s) => s.channel),
      spans.map((s) => s.thresholdW),
      spans.map((s) => s.fromS),
      spans.map((s) => s.toS),
    ],
  );
  const out = spans.map(() => 0);
  for (const r of rows) out[Number(r.i) - 1] = Number(r.idle_wh ?? 0);
  return out;
}
