/**
 * Who may see which meters: the one rule every read goes through (decision 0012). A scope is given to the
 * database reads that list or name meters; a meter outside it is answered for exactly as one that does not
 * exist.
 */
export interface MeterScope {
  /** null: every meter, on a site or not; a list: the meters on those sites only (empty: none) */
  readonly siteIds: readonly number[] | null;
}

/** The installation itself (the cycle upkeep, the alert evaluator, an administrator, an API key). */
export const EVERY_METER: MeterScope = { siteIds: null };

export function sitesScope(siteIds: readonly number[] | null): MeterScope {
  return { siteIds: siteIds === null ? null : [...new Set(siteIds)].sort((a, b) => a - b) };
}

/** Whether a meter on `siteId` (null: on no site) is in the scope. */
export function scopeSeesSite(scope: MeterScope, siteId: number | null): boolean {
  return scope.siteIds === null || (siteId !== null && scope.siteIds.includes(siteId));
}
