/** Who an alert notification goes to, when a failed one is tried again, and which links and days it names. */
import { localDateOf, localDayStartUnix } from "../config-versions/index.js";
import type { Severity } from "./types.js";

export interface NotificationPrefs {
  /** immediate e-mails for alerts opened and resolved */
  emailEnabled: boolean;
  severities: readonly Severity[];
  /** null: every site (device), including those registered later */
  deviceIds: readonly string[] | null;
  /** one e-mail per local day with that day's alerts */
  digest: boolean;
}

/** What a user who never saved gets. */
export const DEFAULT_PREFS: NotificationPrefs = {
  emailEnabled: true,
  severities: ["critical", "warning"],
  deviceIds: null,
  digest: false,
};

/** Whether an alert of this severity on this device concerns a user (e-mail or digest alike). */
export function concerns(prefs: NotificationPrefs, alert: { severity: string; deviceId: string }): boolean {
  return (
    (prefs.severities as readonly string[]).includes(alert.severity) &&
    (prefs.deviceIds === null || prefs.deviceIds.includes(alert.deviceId))
  );
}

export interface RetryPolicy {
  /** attempts before giving up */
  maxAttempts: number;
  /** wait after the first failure; doubled after each further one */
  firstDelayMs: number;
}

/** 30 s, 1, 2, 4, 8 min: about a quarter of an hour of trying before a delivery is given up and shown. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, firstDelayMs: 30_000 };

/**
 * After attempt number `attempt` (1-based) failed: null to give up, else the wait before the next one.
 * A final error (a refused recipient) is given up at once.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, final: boolean): number | null {
  if (final || attempt >= policy.maxAttempts) return null;
  return policy.firstDelayMs * 2 ** (attempt - 1);
}

/**
 * The dashboard at an alert's time (web/src/state/filters.ts reads these parameters): the device, the
 * channel, the 24 hours up to the end of that local day, and that day's cycles. On the current day the web
 * app shows the last 24 hours instead (it drops a `jusqua` that is not in the past).
 */
export function dashboardLink(
  publicUrl: string,
  a: { deviceId: string; channel: number | null; atS: number },
  timeZone: string,
): string {
  const day = localDateOf(a.atS, timeZone);
  const q = new URLSearchParams({ appareil: a.deviceId });
  if (a.channel !== null) q.set("canal", String(a.channel));
  q.set("periode", "24h");
  q.set("jusqua", day);
  q.set("du", day);
  q.set("au", day);
  return `${publicUrl.replace(/\/+$/, "")}/?${q.toString()}`;
}

/** A local day's bounds in unix seconds: [its first instant, the next day's). */
export function dayBounds(day: string, timeZone: string): { startS: number; endS: number } {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { startS: localDayStartUnix(day, timeZone), endS: localDayStartUnix(next, timeZone) };
}

/** The local day whose digest is due at `nowS`: the day before today. */
export function digestDay(nowS: number, timeZone: string): { day: string; startS: number; endS: number } {
  const today = localDateOf(nowS, timeZone);
  const day = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return { day, ...dayBounds(day, timeZone) };
}
