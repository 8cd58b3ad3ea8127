/** French words of the alerts screens, and the rules that need no browser (unit-tested beside). */
import { RULE_IDS, type RuleId, THRESHOLD_UNIT } from "../../../src/domain/alerts/types.js";
import { frenchDate, frenchNumber, frenchTime, isoDateIn } from "../i18n/format";

export { RULE_IDS, type RuleId };

export const RULE_NAMES: Readonly<Record<RuleId, string>> = {
  pump_inactive: "Pompe inactive",
  cycle_too_long: "Cycle trop long",
  dry_run: "Marche à sec",
  overload: "Surcharge",
  short_cycling: "Cycles courts",
  meter_offline: "Compteur hors ligne",
  voltage: "Tension anormale",
  pump_wear: "Usure de pompe",
  inflow_high: "Arrivée d'eau forte",
};

export const SEVERITY_NAMES: Readonly<Record<string, string>> = {
  critical: "Critique",
  warning: "Avertissement",
};

export const STATE_NAMES: Readonly<Record<string, string>> = {
  open: "ouverte",
  acknowledged: "acquittée",
  resolved: "résolue",
};

export const SOURCE_NAMES: Readonly<Record<string, string>> = {
  learned: "appris",
  default: "défaut",
  override: "forcé",
};

export const DELIVERY_KINDS: Readonly<Record<string, string>> = {
  email: "E-mail",
  webhook: "Webhook",
  digest: "Résumé quotidien",
};

/**
 * The rule's unit as written after a figure. Overload's threshold is a robust z-score, which has no unit: the
 * API says "z", an operator reads how many times the pump's usual spread the last cycles lie above its median.
 */
export function unitOf(rule: RuleId): string {
  return rule === "overload" ? "× l'écart habituel" : THRESHOLD_UNIT[rule];
}

/** "15 min", "182,4 V", "-" for nothing; one decimal at most, none when the figure is whole. */
export function figure(value: number | null | undefined, rule: RuleId): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "-";
  const decimals = Number.isInteger(Math.round(value * 10) / 10) ? 0 : 1;
  return `${frenchNumber(value, decimals)} ${unitOf(rule)}`;
}

const alertsWord = (n: number) => (n === 0 ? "aucune alerte" : n === 1 ? "1 alerte" : `${n} alertes`);

/**
 * The backtest preview beside a threshold being changed: what the candidate value would have raised over
 * the last 30 days, against what the current one raised.
 */
export function backtestSentence(candidate: number, current: number): string {
  const head = `Avec cette valeur : ${alertsWord(candidate)} le mois dernier`;
  if (candidate === current) return `${head}, autant qu'avec le seuil actuel.`;
  return `${head} au lieu de ${current === 0 ? "aucune" : current}.`;
}

/** Alerts of one rule (and one channel; null: the meter-wide rule) in a backtest's answer. */
export function countOf(
  alerts: readonly { rule: string; channel: number | null }[],
  rule: RuleId,
  channel: number | null,
): number {
  return alerts.filter((a) => a.rule === rule && (a.channel ?? null) === channel).length;
}

/** A threshold typed by an operator: "3,5" or "3.5"; null when it is not a positive number. */
export function parseThreshold(text: string): number | null {
  const t = text.trim().replace(/\s/g, "").replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const v = Number(t);
  return v > 0 ? v : null;
}

/**
 * The dashboard at the alert's time: its device and channel, its days, the chart on the 24 hours that end
 * with the day it started (or the last 24 hours when it started today).
 */
export function dashboardLink(
  alert: { device_id: string; channel: number | null; started_at: string; ended_at: string | null },
  nowMs: number,
  timeZone: string,
): string {
  const today = isoDateIn(nowMs, timeZone);
  const from = isoDateIn(Date.parse(alert.started_at), timeZone);
  const to = alert.ended_at ? isoDateIn(Date.parse(alert.ended_at), timeZone) : today;
  const q = new URLSearchParams({ appareil: alert.device_id });
  if (alert.channel !== null) q.set("canal", String(alert.channel));
  q.set("du", from);
  if (to < today) q.set("au", to);
  q.set("periode", "24h");
  if (from < today) q.set("jusqua", from);
  return `/?${q.toString()}`;
}

/** "14/02/2026 à 09h40" in the site's zone */
export function whenOf(iso: string, timeZone: string): string {
  const s = Date.parse(iso) / 1000;
  return `${frenchDate(s, timeZone)} à ${frenchTime(s, timeZone)}`;
}

/** The offset of a zone at an instant, in ms (what its wall clock shows minus UTC). */
function offsetMs(unixMs: number, timeZone: string): number {
  const p = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(unixMs));
  const n = (type: string) => Number(p.find((x) => x.type === type)?.value);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - unixMs;
}

/**
 * "2026-02-14T09:40" read on the site's clock (what a datetime-local field holds, whatever the browser's
 * own zone) → ISO instant; null when it is not such a time.
 */
export function siteTimeToIso(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  if (Number.isNaN(wall)) return null;
  // twice: the offset at the first guess may differ from the one at the answer across a DST change
  let t = wall - offsetMs(wall, timeZone);
  t = wall - offsetMs(t, timeZone);
  return new Date(t).toISOString();
}

/** An instant → "2026-02-14T09:40" on the site's clock (a datetime-local field's value). */
export function isoToSiteTime(unixMs: number, timeZone: string): string {
  const local = new Date(unixMs + offsetMs(unixMs, timeZone)).toISOString();
  return local.slice(0, 16);
}
