import type { Reading } from "./reading.js";

/** The measured fields of a reading, each merged on its own. */
export const MEASURED_FIELDS = [
  "apowerW",
  "voltageV",
  "currentA",
  "powerFactor",
  "frequencyHz",
  "energyTotalWh",
  "energyLastMinuteWh",
  "temperatureC",
  "output",
] as const;
export type MeasuredField = (typeof MEASURED_FIELDS)[number];

/**
 * How good the frame that gave each field is: 6000 for a complete per-minute frame (one carrying
 * `aenergy`), plus the hundredths of a second into the minute at which the frame was sent. Null exactly
 * when the field is null.
 */
export type Ranks = Record<MeasuredField, number | null>;

export interface RankedReading extends Reading {
  ranks: Ranks;
}

export const COMPLETE_FRAME_RANK = 6000;

type FieldValue = number | boolean | null;

/** True when (rankA, a) beats (rankB, b): higher rank first, then the larger value, so ties are decided too. */
export function beats(rankA: number | null, a: FieldValue, rankB: number | null, b: FieldValue): boolean {
  if (a === null || rankA === null) return false;
  if (b === null || rankB === null) return true;
  if (rankA !== rankB) return rankA > rankB;
  return Number(a) > Number(b);
}

/**
 * Joins two readings of the same (device, channel, minute). Commutative, associative and idempotent, so
 * any arrival order or repetition of the frames of one minute gives the same row. The SQL upsert applies
 * the same rule field by field (db/queries/store-readings.ts).
 */
export function mergeReadings(a: RankedReading, b: RankedReading): RankedReading {
  const merged: RankedReading = { ...a, ranks: { ...a.ranks } };
  mergeInto(merged, b);
  return merged;
}

/** `mergeReadings` written into `target`, for a caller that owns it and merges many frames into one row. */
export function mergeInto(target: RankedReading, b: RankedReading): void {
  const values = target as unknown as Record<MeasuredField, FieldValue>;
  for (const field of MEASURED_FIELDS) {
    if (beats(b.ranks[field], b[field], target.ranks[field], values[field])) {
      values[field] = b[field];
      target.ranks[field] = b.ranks[field];
    }
  }
}

/**
 * The rank all present fields share, or null when they came from frames of different ranks. A parsed
 * reading is one frame, so its fields share the frame's rank; only a merge of several frames can mix them.
 */
export function sharedRank(r: RankedReading): number | null {
  let shared: number | null = null;
  for (const field of MEASURED_FIELDS) {
    const rank = r.ranks[field];
    if (rank === null) continue;
    if (shared === null) shared = rank;
    else if (rank !== shared) return null;
  }
  return shared;
}

export function readingKey(r: Pick<Reading, "deviceId" | "channel" | "minute">): string {
  return `${r.deviceId}_${r.channel}_${r.minute}`;
}
