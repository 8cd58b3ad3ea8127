/**
 * The dashboard's view, read from the URL (so a view can be bookmarked, shared and reloaded) with safe
 * defaults: the last 30 days, never an empty date, never an end in the future (bugs 10, 34).
 */
import { CYCLE_SORT_KEYS, type CycleSortKey, type SortDirection } from "../../../src/domain/cycle-order.js";
import type { Metric, Period } from "../charts/series";
import { isoDateIn } from "../i18n/format";

export interface DashboardView {
  today: string;
  device: string;
  /** "" or "0".."3" */
  channel: string;
  from: string;
  to: string;
  period: Period | null;
  /** "" = now */
  until: string;
  metric: Metric;
  sort: CycleSortKey | null;
  order: SortDirection;
  noise: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (s: string | null): s is string => !!s && DATE.test(s) && !Number.isNaN(Date.parse(s));

export function addDays(ymd: string, days: number): string {
  return new Date(Date.parse(`${ymd}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function readView(q: URLSearchParams, nowMs: number, timeZone: string): DashboardView {
  const today = isoDateIn(nowMs, timeZone);
  let to = validDate(q.get("au")) ? (q.get("au") as string) : today;
  if (to > today) to = today;
  let from = validDate(q.get("du")) ? (q.get("du") as string) : addDays(to, -30);
  if (from > to) from = to;
  const periodRaw = q.get("periode");
  const period = periodRaw === "24h" || periodRaw === "7d" || periodRaw === "30d" ? periodRaw : null;
  const untilRaw = q.get("jusqua");
  const until = validDate(untilRaw) && untilRaw < today ? untilRaw : "";
  const sortRaw = q.get("tri");
  const sort = (CYCLE_SORT_KEYS as readonly string[]).includes(sortRaw ?? "")
    ? (sortRaw as CycleSortKey)
    : null;
  const channel = /^[0-3]$/.test(q.get("canal") ?? "") ? (q.get("canal") as string) : "";
  return {
    today,
    device: q.get("appareil") ?? "",
    channel,
    from,
    to,
    period,
    until,
    metric: q.get("mesure") === "courant" ? "current" : "power",
    sort,
    order: q.get("ordre") === "asc" ? "asc" : "desc",
    noise: q.get("bruit") === "1",
  };
}
