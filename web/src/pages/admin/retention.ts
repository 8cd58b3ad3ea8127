// The settings screen's retention of raw minute readings (raw_retention_months).

/** The service's bound (src/admin/settings.ts): at most a century. */
export const MAX_RETENTION_MONTHS = 1200;

/** null: keep everything; NaN: not a whole number of months within bounds. */
export function retentionMonths(limit: boolean, text: string): number | null {
  if (!limit) return null;
  const t = text.trim();
  if (!/^\d+$/.test(t)) return Number.NaN;
  const n = Number(t);
  return n >= 1 && n <= MAX_RETENTION_MONTHS ? n : Number.NaN;
}

/** Raw minutes would be deleted that are kept now: a new limit, or a shorter one. */
export function retentionShortens(current: number | null, next: number | null): boolean {
  return next !== null && (current === null || next < current);
}
