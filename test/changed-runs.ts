import { MERGE_GAP_MIN } from "../src/db/queries/enqueue-cycle-refresh.js";

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

/**
 * The changed minutes of each channel as runs: one run per stretch with no hole longer than `mergeGapMin`.
 * Ingestion queues these runs in SQL (src/db/queries/store-readings.ts); this is the rule's model for the tests.
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
