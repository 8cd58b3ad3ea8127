import { resolveCycleSettings } from "./detect.js";
import { CycleError } from "./errors.js";
import type { CycleSettings, DetectedCycle } from "./types.js";

/**
 * What to re-detect after the reading of one minute was inserted, changed or deleted.
 *
 * Use: load the channel's readings with fromMinute − 1 ≤ minute ≤ toMinute (the reading before the first
 * start tells whether the minute the pump started in is that cycle's), run `detectCycles` on them, and
 * replace the stored cycles whose startMinute lies in [fromMinute, lastStartMinute] by the detected
 * cycles whose startMinute lies in that same range (`spliceCycles` does exactly this).
 */
export interface RedetectionWindow {
  fromMinute: number;
  /** last minute to load; beyond lastStartMinute so the last cycle's closing reading and energy are seen */
  toMinute: number;
  lastStartMinute: number;
}

/**
 * Why this window is enough. Let r = ceil(max(stopGapMin, 1)) and m the changed minute. A reading at m can
 * only (a) join active samples less than stopGapMin away, (b) split the cycle around it, or (c) report
 * the energy of minute m − 1 / bracket a counter span inside the cycle holding m − 1 or m. So only the
 * stored cycles meeting [m − r, m + r] ("affected") can change. The window runs from the earliest start
 * among them (or m − r) to the latest last active minute among them (or m + r): the cycle before it ends
 * more than r before m and the cycle after it starts more than r after m, so the gap or inactive reading
 * that separated them from the affected ones still does, and their own readings are untouched.
 *
 * The extra r minutes loaded after lastStartMinute let the last re-detected cycle see the reading that
 * carries its last minute's energy and whatever closes it (an inactive reading, or the next cycle's first
 * sample), so its `ongoing` flag matches a full detection — provided nowMinute is not before the newest
 * reading (readings are never in the future of "now").
 *
 * A stored ongoing cycle goes stale as time passes without any new reading: refresh it with the window
 * of its own lastActiveMinute.
 */
export function redetectionWindow(
  previous: readonly DetectedCycle[],
  changedMinute: number,
  settings: Partial<CycleSettings>,
): RedetectionWindow {
  if (!Number.isInteger(changedMinute)) throw new CycleError("invalid_minute", "Minute de relevé invalide");
  const { stopGapMin } = resolveCycleSettings(settings);
  const reach = Math.ceil(Math.max(stopGapMin, 1));
  const low = changedMinute - reach;
  const high = changedMinute + reach;

  let fromMinute = low;
  let lastStartMinute = high;
  for (const cycle of previous) {
    if (cycle.startMinute > high || cycle.lastActiveMinute < low) continue;
    fromMinute = Math.min(fromMinute, cycle.startMinute);
    lastStartMinute = Math.max(lastStartMinute, cycle.lastActiveMinute);
  }
  return { fromMinute, toMinute: lastStartMinute + reach, lastStartMinute };
}

/** Replace the cycles starting inside the window by those re-detected there; oldest first. */
export function spliceCycles(
  previous: readonly DetectedCycle[],
  window: RedetectionWindow,
  redetected: readonly DetectedCycle[],
): DetectedCycle[] {
  const inWindow = (c: DetectedCycle): boolean =>
    c.startMinute >= window.fromMinute && c.startMinute <= window.lastStartMinute;
  return [...previous.filter((c) => !inWindow(c)), ...redetected.filter(inWindow)].sort(
    (a, b) => a.startMinute - b.startMinute,
  );
}
