import type { Database } from "../db/database.js";
import { activePowerInRanges } from "../db/queries/active-power-in-ranges.js";
import { activitySumsPerBucket } from "../db/queries/channel-activity-hourly.js";
import { queuedRangesMeeting } from "../db/queries/cycle-refresh-queue.js";
import { inReadSnapshot } from "../db/queries/read-snapshot.js";
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
 * Buckets of whole hours (7 and 30 days) come from the hourly activity sums the cycle refresher keeps
 * (decision 0010) when every hour of the bucket has a row computed with the channel's threshold and no queued
 * change meets the bucket; every other bucket (the window's partial first and last ones, 5-minute buckets,
 * hours not summed yet or with pending changes, a threshold changed since) is computed from the readings.
 * Both compute exact means (numeric) rounded in SQL, so they agree to the last digit. Queue, sums and
 * readings are read in one snapshot, so a bucket is never taken from sums that a change committed meanwhile
 * has made stale.
 */
export async function channelSeries(
  db: Database,
  deviceId: string,
  channels: { channel: number; thresholdW: number }[],
  window: SeriesWindow,
): Promise<ChannelSeries[]> {
  const { bucketSeconds, startS, endS, bucketStartsS } = window;
  const hourly = bucketSeconds % HOUR_S === 0 && window.originS % HOUR_S === 0;
  const sums = new Map<string, { active: number; powerW: number; currentA: number }>();
  const raw = await inReadSnapshot(db, async (tx) => {
    const fromRaw = new Map<number, boolean[]>(
      channels.map((c) => [c.channel, bucketStartsS.map(() => true)]),
    );
    if (hourly && channels.length > 0) {
      const queued = await queuedRangesMeeting(tx, {
        deviceId,
        channels: channels.map((c) => c.channel),
        fromMinute: Math.floor(startS / 60),
        toMinute: Math.ceil(endS / 60),
      });
      const rows = await activitySumsPerBucket(tx, {
        deviceId,
        channels: channels.map((c) => c.channel),
        thresholdsW: channels.map((c) => c.thresholdW),
        startS,
        endS,
        bucketSeconds,
        originS: window.originS,
      });
      const index = new Map(bucketStartsS.map((t, i) => [t, i]));
      const hoursPerBucket = bucketSeconds / HOUR_S;
      // buckets met by a queued change, per channel: their sums may predate it
      const first = bucketStartsS[0] ?? startS;
      const dirty = new Map<number, Uint8Array>(
        channels.map((c) => [c.channel, new Uint8Array(bucketStartsS.length)]),
      );
      for (const q of queued) {
        const marks = dirty.get(q.channel);
        if (marks === undefined) continue;
        const lo = Math.max(0, Math.floor((q.fromMinute * 60 - first) / bucketSeconds));
        const hi = Math.min(
          marks.length - 1,
          Math.floor(((q.toMinute + 1) * 60 - 1 - first) / bucketSeconds),
        );
        if (lo <= hi) marks.fill(1, lo, hi + 1);
      }
      for (const row of rows) {
        const i = index.get(row.bucket_s);
        const flags = fromRaw.get(row.channel);
        if (i === undefined || flags === undefined) continue;
        const lo = row.bucket_s;
        const hi = row.bucket_s + bucketSeconds;
        const whole = lo >= startS && hi <= endS && row.hours === hoursPerBucket;
        if (!whole || dirty.get(row.channel)?.[i] === 1) continue;
        flags[i] = false;
        sums.set(`${row.channel}:${i}`, {
          active: row.active_n,
          powerW: row.power_w ?? 0,
          currentA: row.current_a ?? 0,
        });
      }
    }
    // The buckets still to compute, as runs of consecutive buckets clipped to the window.
    const ranges: { channel: number; thresholdW: number; fromS: number; toS: number }[] = [];
    for (const { channel, thresholdW } of channels) {
      const flags = fromRaw.get(channel) ?? [];
      for (let i = 0; i < flags.length; i++) {
        if (!flags[i]) continue;
        let j = i;
        while (j + 1 < flags.length && flags[j + 1]) j++;
        const fromS = Math.max(startS, bucketStartsS[i] as number);
        const toS = Math.min(endS, (bucketStartsS[j] as number) + bucketSeconds);
        ranges.push({ channel, thresholdW, fromS, toS });
        i = j;
      }
    }
    return activePowerInRanges(tx, { deviceId, ranges, bucketSeconds, originS: window.originS });
  });

  const index = new Map(bucketStartsS.map((t, i) => [t, i]));
  return channels.map(({ channel }) => {
    const powerW = bucketStartsS.map(() => 0);
    const currentA = bucketStartsS.map(() => 0);
    const activeMin = bucketStartsS.map(() => 0);
    for (const row of raw) {
      if (row.channel !== channel) continue;
      const i = index.get(row.bucket_s);
      if (i === undefined) continue;
      powerW[i] = row.power_w ?? 0;
      currentA[i] = row.current_a ?? 0;
      activeMin[i] = row.active_n;
    }
    for (let i = 0; i < bucketStartsS.length; i++) {
      const s = sums.get(`${channel}:${i}`);
      if (s === undefined || s.active === 0) continue;
      powerW[i] = s.powerW;
      currentA[i] = s.currentA;
      activeMin[i] = s.active;
    }
    return { channel, t: bucketStartsS, powerW, currentA, activeMin };
  });
}
