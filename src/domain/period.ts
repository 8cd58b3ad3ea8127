import { parseCalendarDate } from "./config-versions/calendar-date.js";
import { localDateOf, localDayStartUnix } from "./config-versions/local-date.js";

/** A query's `from`/`to`: half-open instants, and the local calendar dates they cover (both included). */
export interface Period {
  fromS: number;
  toS: number;
  fromDate: string;
  toDate: string;
}

export type PeriodError = "invalid_from" | "invalid_to" | "empty_period" | "period_too_long";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// An instant with an explicit offset or Z: a bare "2026-02-14T09:40" would silently mean the server's zone.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const OLDEST_S = Date.UTC(2000, 0, 1) / 1000;
const NEWEST_S = Date.UTC(2101, 0, 1) / 1000;
export const MAX_PERIOD_DAYS = 3700;

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A date `from` starts at local midnight; a date `to` includes its whole day; an instant is itself. */
function bound(raw: string, edge: "from" | "to", timeZone: string): number | null {
  if (DATE.test(raw)) {
    if (parseCalendarDate(raw) === null) return null;
    const s = localDayStartUnix(edge === "from" ? raw : addDays(raw, 1), timeZone);
    return s >= OLDEST_S && s <= NEWEST_S ? s : null;
  }
  if (!INSTANT.test(raw)) return null;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) return null;
  const s = Math.floor(ms / 1000);
  return s >= OLDEST_S && s <= NEWEST_S ? s : null;
}

/**
 * Reads `from`/`to` (ISO instant with zone, or YYYY-MM-DD in the site's zone). Absent: the last 30 days up to
 * the end of today, as the predecessor's dashboard defaulted.
 */
export function parsePeriod(
  from: string | undefined,
  to: string | undefined,
  timeZone: string,
  nowS: number,
): { ok: true; period: Period } | { ok: false; error: PeriodError } {
  const today = localDateOf(nowS, timeZone);
  const toS =
    to === undefined ? localDayStartUnix(addDays(today, 1), timeZone) : bound(to.trim(), "to", timeZone);
  if (toS === null) return { ok: false, error: "invalid_to" };
  const fromS =
    from === undefined
      ? localDayStartUnix(addDays(today, -30), timeZone)
      : bound(from.trim(), "from", timeZone);
  if (fromS === null) return { ok: false, error: "invalid_from" };
  if (fromS >= toS) return { ok: false, error: "empty_period" };
  if (toS - fromS > MAX_PERIOD_DAYS * 86_400) return { ok: false, error: "period_too_long" };
  return {
    ok: true,
    period: { fromS, toS, fromDate: localDateOf(fromS, timeZone), toDate: localDateOf(toS - 1, timeZone) },
  };
}
