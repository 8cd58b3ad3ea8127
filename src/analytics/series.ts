import type { Database } from "../db/database.js";
import { activePowerInRanges } from "../db/queries/active-power-in-ranges.js";
import { activityPerBucket, type SeriesRange } from "../db/queries/channel-activity-hourly.js";
import { queuedRangesMeeting } from "../db/queries/cycle-refresh-queue.js";
import { inReadSnapshot } from "../db/queries/read-snapshot.js";
import { droppedReadingsEndMinute } from "../db/queries/reading-retention.js";
import type { SeriesWindow } from "../domain/series/window.js";

export interface ChannelSeries {
  channel: number;
  /** bucket starts, unix seconds */
  t: number[];
  /** mean power (0.1 W) and current (0.001 A) of the active readings of each bucket, rounded exactly */
  powerW: number[];
  currentA: number[];
  /** readings above the threshold in each bucket: minutes the pump ran */
  activeMin: number[];
}

const HOUR_S = 3_600;

/**
 * One series per channel over the window, every bucket present: a bucket with no reading above the
 * channel's threshold is 0 (pump off), never the last value carried forward (predecessor bug 27).
 *
 * Whole UTC hours of the window come from the hourly activity sums the cycle refresher keeps (decision 0009),
 * unless a queued change meets the hour; the rest — the window's partial first and last hours, hours with
 * pending changes, every minute when buckets are not made of whole hours (5-minute buckets, zones whose
 * midnight is not on a UTC hour) — from the readings, added in the same statement. Means are exact (numeric)
 * and rounded in SQL, so a bucket is the same whichever way its minutes were added up. If a stored hour the
 * statement counted on is missing (not summed yet, or summed with another threshold: a version changed it),
 * its whole bucket is computed again from the readings. Everything is read in one snapshot, so no bucket is
 * taken from sums that a change committed meanwhile has made stale. Whole hours of months whose readings the
 * retention dropped come from their stored sums as they are (docs/scaling.md).
 */
export async function channelSeries(
  db: Database,
  deviceId: string,
  channels: { channel: number; thresholdW: number }[],
  window: SeriesWindow,
): Promise<ChannelSeries[]> {
  const { bucketSeconds, startS, endS, bucketStartsS, originS } = window;
  const hourly = bucketSeconds % HOUR_S === 0 && originS % HOUR_S === 0;
  const firstHour = Math.ceil(startS / HOUR_S);
  const endHour = Math.floor(endS / HOUR_S); // exclusive
  const first = bucketStartsS[0] ?? startS;
  const bucketOf = (unixS: number) => Math.floor((unixS - first) / bucketSeconds);

  const rows = await inReadSnapshot(db, async (tx) => {
    const sumRanges: SeriesRange[] = [];
    const rawRanges: SeriesRange[] = [];
    /** per channel and bucket: stored hours the statement is asked to add */
    const expected = new Map<number, Uint16Array>();
    if (hourly && endHour > firstHour && channels.length > 0) {
      const queued = await queuedRangesMeeting(tx, {
        deviceId,
        channels: channels.map((c) => c.channel),
        fromMinute: firstHour * 60,
        toMinute: endHour * 60,
      });
      // Hours of months whose readings the retention dropped (migration 0019): their stored sums are all
      // there is, whatever threshold they were summed with, and no queued change will touch them again.
      const keptFrom = await droppedReadingsEndMinute(tx);
      const keptHour =
        keptFrom === null ? firstHour : Math.min(endHour, Math.max(firstHour, Math.ceil(keptFrom / 60)));
      for (const { channel } of channels)
        if (keptHour > firstHour)
          sumRanges.push({ channel, thresholdW: null, fromS: firstHour * HOUR_S, toS: keptHour * HOUR_S });
      for (const { channel, thresholdW } of channels) {
        // hours met by a queued change: their sums may predate it
        const dirty = new Uint8Array(endHour - firstHour);
        for (const q of queued) {
          if (q.channel !== channel) continue;
          const lo = Math.max(firstHour, Math.floor(q.fromMinute / 60));
          const hi = Math.min(endHour - 1, Math.floor(q.toMinute / 60));
          if (lo <= hi) dirty.fill(1, lo - firstHour, hi - firstHour + 1);
        }
        const counts = new Uint16Array(bucketStartsS.length);
        const push = (list: SeriesRange[], fromS: number, toS: number) => {
          if (toS > fromS) list.push({ channel, thresholdW, fromS, toS });
        };
        push(rawRanges, startS, firstHour * HOUR_S);
        for (let h = keptHour; h < endHour; ) {
          let k = h;
          while (k < endHour && dirty[k - firstHour] === dirty[h - firstHour]) k++;
          push(dirty[h - firstHour] ? rawRanges : sumRanges, h * HOUR_S, k * HOUR_S);
          if (!dirty[h - firstHour])
            for (let x = h; x < k; x++) {
              const i = bucketOf(x * HOUR_S);
              counts[i] = (counts[i] ?? 0) + 1;
            }
          h = k;
        }
        push(rawRanges, endHour * HOUR_S, endS);
        expected.set(channel, counts);
      }
    } else {
      for (const { channel, thresholdW } of channels)
        rawRanges.push({ channel, thresholdW, fromS: startS, toS: endS });
    }
    const found = await activityPerBucket(tx, { deviceId, sumRanges, rawRanges, bucketSeconds, originS });

    // buckets missing a stored hour: again, wholly from readings
    const got = new Map(found.map((r) => [`${r.channel}:${r.bucket_s}`, r]));
    const again: (SeriesRange & { thresholdW: number })[] = [];
    for (const { channel, thresholdW } of channels) {
      const counts = expected.get(channel);
      if (counts === undefined) continue;
      for (let i = 0; i < counts.length; i++) {
        if (counts[i] === 0) continue;
        const b = bucketStartsS[i] as number;
        if ((got.get(`${channel}:${b}`)?.hours ?? 0) === counts[i]) continue;
        again.push({
          channel,
          thresholdW,
          fromS: Math.max(startS, b),
          toS: Math.min(endS, b + bucketSeconds),
        });
      }
    }
    if (again.length === 0) return found;
    const redone = await activePowerInRanges(tx, { deviceId, ranges: again, bucketSeconds, originS });
    const replaced = new Set(again.map((r) => `${r.channel}:${bucketOf(r.fromS)}`));
    return [
      ...found.filter((r) => !replaced.has(`${r.channel}:${bucketOf(r.bucket_s)}`)),
      ...redone.map((r) => ({ ...r, hours: 0 })),
    ];
  });

  const index = new Map(bucketStartsS.map((t, i) => [t, i]));
  return channels.map(({ channel }) => {
    const powerW = bucketStartsS.map(() => 0);
    const currentA = bucketStartsS.map(() => 0);
    const activeMin = bucketStartsS.map(() => 0);
    for (const row of rows) {
      if (row.channel !== channel) continue;
      const i = index.get(row.bucket_s);
      if (i === undefined) continue;
      powerW[i] = row.power_w ?? 0;
      currentA[i] = row.current_a ?? 0;
      activeMin[i] = row.active_n;
    }
    return { channel, t: bucketStartsS, powerW, currentA, activeMin };
  });
}
