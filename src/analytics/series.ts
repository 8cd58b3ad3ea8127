import type { Database } from "../db/database.js";
import { activePowerPerBucket } from "../db/queries/series-buckets.js";
import type { SeriesWindow } from "../domain/series/window.js";

export interface ChannelSeries {
  channel: number;
  /** bucket starts, unix seconds */
  t: number[];
  powerW: number[];
  currentA: number[];
}

/**
 * One series per channel over the window, every bucket present: a bucket with no reading above the
 * channel's threshold is 0 (pump off), never the last value carried forward (predecessor bug 27).
 */
export async function channelSeries(
  db: Database,
  deviceId: string,
  channels: { channel: number; thresholdW: number }[],
  window: SeriesWindow,
): Promise<ChannelSeries[]> {
  const rows = await activePowerPerBucket(db, {
    deviceId,
    channels: channels.map((c) => c.channel),
    thresholdsW: channels.map((c) => c.thresholdW),
    startS: window.startS,
    endS: window.endS,
    bucketSeconds: window.bucketSeconds,
    originS: window.originS,
  });
  const index = new Map(window.bucketStartsS.map((t, i) => [t, i]));
  return channels.map(({ channel }) => {
    const powerW = window.bucketStartsS.map(() => 0);
    const currentA = window.bucketStartsS.map(() => 0);
    for (const row of rows) {
      if (row.channel !== channel) continue;
      const i = index.get(row.bucket_s);
      if (i === undefined) continue;
      powerW[i] = Math.round((row.power_w ?? 0) * 10) / 10;
      currentA[i] = Math.round((row.current_a ?? 0) * 1000) / 1000;
    }
    return { channel, t: window.bucketStartsS, powerW, currentA };
  });
}
