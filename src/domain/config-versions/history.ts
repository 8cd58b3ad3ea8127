import { parseCalendarDate } from "./calendar-date.js";
import { ConfigVersionError } from "./errors.js";
import type { ConfigVersion } from "./types.js";

/**
 * The version in force on `date` ("YYYY-MM-DD", the local date of the cycle's start). A date before the
 * first version gets the first version (the owner's rule; the predecessor returned nothing, defect 3).
 * Null only for an empty history.
 */
export function versionAt<T extends ConfigVersion>(versions: readonly T[], date: string): T | null {
  let first: T | null = null;
  for (const v of versions) {
    if (v.effectiveFrom <= date && (v.effectiveTo === null || date < v.effectiveTo)) return v;
    if (first === null || v.effectiveFrom < first.effectiveFrom) first = v;
  }
  return first !== null && date < first.effectiveFrom ? first : null;
}

/** The history sorted by effectiveFrom, after checking it tiles [first, ∞) with no gap and no overlap. */
export function sortedHistory<T extends ConfigVersion>(versions: readonly T[]): T[] {
  const sorted = [...versions].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
  sorted.forEach((v, i) => {
    const next = sorted[i + 1];
    const valid =
      parseCalendarDate(v.effectiveFrom) !== null &&
      (next === undefined
        ? v.effectiveTo === null
        : v.effectiveTo === next.effectiveFrom && v.effectiveFrom < v.effectiveTo);
    if (!valid) {
      throw new ConfigVersionError(
        "inconsistent_history",
        `L'historique de configuration est incohérent autour du ${v.effectiveFrom}`,
      );
    }
  });
  return sorted;
}
