/**
 * The notification dispatcher: sends what the outbox holds (migration 0011). Any instance may run it: due
 * rows are read without locks, then claimed per meter by a short conditional update that counts the attempt and
 * makes the row due again only after the claim (a row another instance claimed first is left out), then sent outside any transaction, then marked sent, retried later with a
 * doubling wait, or failed with the reason. After local midnight it also queues the day's digests (once per
 * user and day, whatever the number of instances).
 */

import type { Logger } from "pino";
import { channelVersionsKey, versionsOfChannels } from "../admin/config-versions.js";
import type { Clock } from "../clock.js";
import { type Database, isUnavailable } from "../db/database.js";
import {
  type AttemptOutcome,
  alertsActiveBetween,
  alertsOfDevice,
  type ClaimedDelivery,
  type ClaimedDigest,
  claimDeliveries,
  claimDigests,
  type DueDelivery,
  dueDeliveries,
  dueDigests,
  finishDelivery,
  finishDigest,
  notificationPrefsOf,
  queueDigests,
  type WebhookRow,
  webhookSettings,
} from "../db/queries/alert-notifications.js";
import type { AlertRow } from "../db/queries/alerts.js";
import { devicesForDashboard } from "../db/queries/devices-for-dashboard.js";
import { listUsers, userById } from "../db/queries/users.js";
import { type RuleId, THRESHOLD_UNIT } from "../domain/alerts/index.js";
import {
  concerns,
  DEFAULT_PREFS,
  DEFAULT_RETRY,
  dashboardLink,
  dayBounds,
  digestDay,
  type NotificationPrefs,
  type RetryPolicy,
  retryDelayMs,
} from "../domain/alerts/notifications.js";
import { localDateOf, versionAt } from "../domain/config-versions/index.js";
import { EVERY_METER, sitesScope } from "../domain/meter-scope.js";
import {
  type AlertNoticeFacts,
  alertNotice,
  alertNoticeSummary,
  DELIVERY_ERRORS,
  digestNotice,
} from "../i18n/fr.js";
import { accountZones, meterZones } from "../sites/zones.js";
import type { Mailer } from "./mailer.js";
import { RULE_NAMES_FR, toView } from "./use-cases.js";
import { type AttemptResult, postWebhook } from "./webhook.js";

export interface DispatchOptions {
  /** APP_TIMEZONE: the digest's day of an account whose meters are not all in one site zone */
  timeZone: string;
  /** PUBLIC_URL: base of the dashboard links */
  publicUrl: string;
  /** null: SMTP not configured (no e-mail is queued then; any left are given up) */
  mailer: Mailer | null;
  retry?: RetryPolicy;
  /** rows claimed at once (default 20) */
  batch?: number;
  /** how long a claimed row is left to its dispatcher before another may try it (default 5 min) */
  claimMs?: number;
  webhookTimeoutMs?: number;
  /** true once the service stops: the round ends after the send under way (rows it claimed but did not send are due again after their claim) */
  stopping?: () => boolean;
  /** the monthly reports by e-mail (src/reports/mailing.ts), run at the end of each round when SMTP is set */
  monthlyReports?: (now: Date, mailer: Mailer) => Promise<unknown>;
}

export interface DispatchSummary {
  sent: number;
  /** failed attempts to be tried again */
  retried: number;
  /** given up */
  failed: number;
  digestsQueued: number;
}

const MAX_BATCHES = 10;

/** The public id of a delivery in the API and the webhook's X-Pumpwatch-Delivery. */
export const deliveryId = (d: { device_id: string; id: string }) => `alert:${d.device_id}:${d.id}`;
export const digestId = (d: { id: string }) => `digest:${d.id}`;

function prefsOf(row: Awaited<ReturnType<typeof notificationPrefsOf>>): NotificationPrefs {
  if (!row) return DEFAULT_PREFS;
  return {
    emailEnabled: row.email_enabled,
    severities: row.severities as NotificationPrefs["severities"],
    deviceIds: row.device_ids,
    digest: row.digest,
  };
}

/** One dispatcher round at `now`: queues the due digests, then sends every due delivery. */
export async function dispatchRound(
  db: Database,
  now: Date,
  options: DispatchOptions,
): Promise<DispatchSummary> {
  const summary: DispatchSummary = { sent: 0, retried: 0, failed: 0, digestsQueued: 0 };
  const retry = options.retry ?? DEFAULT_RETRY;
  const batch = options.batch ?? 20;
  const until = new Date(now.getTime() + (options.claimMs ?? 300_000));
  const devices = await devicesForDashboard(db, EVERY_METER);
  const deviceIds = devices.map((d) => d.device_id);
  const names = new Map(devices.map((d) => [d.device_id, d.name]));
  const nowS = Math.floor(now.getTime() / 1000);
  // each account's digest covers yesterday in its own zone (issue 18, decision 0019): the accounts are
  // grouped by zone, one queueing statement per zone (an installation without sites: one, as before)
  const zoneOfAccount = options.mailer
    ? await accountZones(db, devices, options.timeZone)
    : () => options.timeZone;
  if (options.mailer) {
    const byZone = new Map<string, number[]>();
    for (const u of await listUsers(db)) {
      if (u.disabled_at !== null) continue;
      const zone = zoneOfAccount(u.site_ids);
      byZone.set(zone, [...(byZone.get(zone) ?? []), u.id]);
    }
    for (const [zone, ids] of byZone) {
      const digest = digestDay(nowS, zone);
      // one zone for every account: the statement as before sites, for every account
      const only = byZone.size === 1 ? null : ids;
      summary.digestsQueued += await queueDigests(db, digest.day, new Date(digest.endS * 1000), now, only);
    }
  }

  const outcome = (result: AttemptResult, attempt: number): AttemptOutcome => {
    if (result.ok) {
      summary.sent++;
      return { state: "sent", lastError: null, nextAttemptAt: now, at: now };
    }
    const wait = retryDelayMs(retry, attempt, result.final);
    if (wait === null) summary.failed++;
    else summary.retried++;
    return {
      state: wait === null ? "failed" : "pending",
      lastError: result.reason,
      nextAttemptAt: new Date(now.getTime() + (wait ?? 0)),
      at: now,
    };
  };
  // A database that stops answering ends the round (the claims lapse and the rows are tried again); any
  // other failure preparing one message is that delivery's.
  const guarded = async (send: () => Promise<AttemptResult>): Promise<AttemptResult> => {
    try {
      return await send();
    } catch (error) {
      if (isUnavailable(error)) throw error;
      return { ok: false, reason: DELIVERY_ERRORS.internal, final: false };
    }
  };

  let webhook: WebhookRow | undefined | null = null;
  for (let i = 0; i < MAX_BATCHES && deviceIds.length > 0; i++) {
    const due = await dueDeliveries(db, deviceIds, now, batch);
    if (due.length === 0) break;
    const claimed = await claimDueOfEachDevice(db, due, now, until);
    const facts = await factsOf(db, claimed, names, options);
    for (const d of claimed) {
      if (options.stopping?.()) return summary;
      const result = await guarded(async () => {
        const f = facts.get(`${d.device_id}:${d.alert_id}:${d.event}`);
        if (!f) return { ok: false, reason: DELIVERY_ERRORS.internal, final: true };
        if (d.kind === "email") {
          if (!options.mailer) return { ok: false, reason: DELIVERY_ERRORS.smtp_not_configured, final: true };
          return options.mailer.send(d.target, alertNotice(f.facts));
        }
        webhook ??= await webhookSettings(db);
        if (!webhook?.enabled || !webhook.secret) {
          return { ok: false, reason: DELIVERY_ERRORS.webhook_disabled, final: true };
        }
        const payload = {
          delivery_id: deliveryId(d),
          event: d.event,
          summary: alertNoticeSummary(f.facts),
          alert: toView(f.row, f.facts.timeZone),
          device_name: f.facts.deviceName ?? f.facts.deviceId,
          channel_name:
            f.facts.channel === null ? null : (f.facts.channelName ?? `switch:${f.facts.channel}`),
          dashboard_url: f.facts.link,
        };
        return postWebhook(d.target, payload, webhook.secret, {
          deliveryId: deliveryId(d),
          ...(options.webhookTimeoutMs ? { timeoutMs: options.webhookTimeoutMs } : {}),
        });
      });
      await finishDelivery(db, d, outcome(result, d.attempts));
    }
    if (due.length < batch) break;
  }

  for (let i = 0; i < MAX_BATCHES; i++) {
    const due = await dueDigests(db, now, batch);
    if (due.length === 0) break;
    const claimed = await claimDigests(db, due, now, until);
    for (const d of claimed) {
      if (options.stopping?.()) return summary;
      const result = await guarded(() => sendDigest(db, d, deviceIds, names, options, zoneOfAccount));
      await finishDigest(db, d, outcome(result, d.attempts));
    }
    if (due.length < batch) break;
  }
  if (options.mailer && options.monthlyReports && !options.stopping?.())
    await options.monthlyReports(now, options.mailer);
  return summary;
}

/** Claims the due deliveries read, one device at a time (what another dispatcher claimed first is left out). */
async function claimDueOfEachDevice(
  db: Database,
  due: readonly DueDelivery[],
  now: Date,
  until: Date,
): Promise<ClaimedDelivery[]> {
  const byDevice = new Map<string, string[]>();
  for (const d of due) byDevice.set(d.device_id, [...(byDevice.get(d.device_id) ?? []), d.id]);
  const claimed: ClaimedDelivery[] = [];
  for (const [deviceId, ids] of byDevice)
    claimed.push(...(await claimDeliveries(db, deviceId, ids, now, until)));
  return claimed;
}

interface Prepared {
  row: AlertRow;
  facts: AlertNoticeFacts;
}

/** The alerts of the claimed deliveries with their names, by `<device>:<alert>:<event>`. */
async function factsOf(
  db: Database,
  claimed: readonly ClaimedDelivery[],
  names: ReadonlyMap<string, string | null>,
  options: DispatchOptions,
): Promise<Map<string, Prepared>> {
  const byDevice = new Map<string, Set<string>>();
  for (const d of claimed)
    byDevice.set(d.device_id, (byDevice.get(d.device_id) ?? new Set()).add(d.alert_id));
  const rows: AlertRow[] = [];
  for (const [deviceId, ids] of byDevice) rows.push(...(await alertsOfDevice(db, deviceId, [...ids])));
  const facts = await noticeFacts(db, rows, names, options);
  const out = new Map<string, Prepared>();
  for (const d of claimed) {
    const i = rows.findIndex((r) => r.device_id === d.device_id && r.id === d.alert_id);
    const row = rows[i];
    const f = facts[i];
    if (!row || !f) continue;
    const linkAt = d.event === "resolved" ? row.ended_at : null;
    out.set(`${d.device_id}:${d.alert_id}:${d.event}`, { row, facts: { ...f(linkAt), event: d.event } });
  }
  return out;
}

/**
 * What the messages of these alerts say; each entry takes the time the dashboard link points at (the end
 * for a resolved notice, null: the start).
 */
async function noticeFacts(
  db: Database,
  rows: readonly AlertRow[],
  names: ReadonlyMap<string, string | null>,
  options: DispatchOptions,
): Promise<((linkAt: Date | null) => AlertNoticeFacts)[]> {
  const refs = rows.filter((r) => r.channel >= 0).map((r) => ({ deviceId: r.device_id, channel: r.channel }));
  const history = refs.length > 0 ? await versionsOfChannels(db, refs) : new Map();
  // each alert in its own meter's zone: the site's, or APP_TIMEZONE for a meter on no site (issue 18)
  const zoneOf =
    rows.length > 0 ? await meterZones(db, EVERY_METER, options.timeZone) : () => options.timeZone;
  return rows.map((row) => {
    const zone = zoneOf(row.device_id);
    const startedS = Math.floor(row.started_at.getTime() / 1000);
    const channel = row.channel === -1 ? null : row.channel;
    const versions =
      channel === null ? [] : (history.get(channelVersionsKey({ deviceId: row.device_id, channel })) ?? []);
    const version = versionAt(versions, localDateOf(startedS, zone));
    const rule = row.rule as RuleId;
    return (linkAt: Date | null) => ({
      event: row.ended_at ? "resolved" : "opened",
      rule,
      ruleName: RULE_NAMES_FR[rule],
      severity: row.severity as AlertNoticeFacts["severity"],
      deviceId: row.device_id,
      deviceName: names.get(row.device_id) ?? null,
      channel,
      channelName: version?.name ?? null,
      startedS,
      endedS: row.ended_at ? Math.floor(row.ended_at.getTime() / 1000) : null,
      value: row.value,
      threshold: row.threshold,
      unit: THRESHOLD_UNIT[rule],
      acknowledgedBy: row.acknowledged_by,
      comment: row.comment,
      link: dashboardLink(
        options.publicUrl,
        { deviceId: row.device_id, channel, atS: linkAt ? Math.floor(linkAt.getTime() / 1000) : startedS },
        zone,
      ),
      timeZone: zone,
    });
  });
}

async function sendDigest(
  db: Database,
  d: ClaimedDigest,
  deviceIds: readonly string[],
  names: ReadonlyMap<string, string | null>,
  options: DispatchOptions,
  zoneOfAccount: (siteIds: readonly number[] | null) => string,
): Promise<AttemptResult> {
  if (!options.mailer) return { ok: false, reason: DELIVERY_ERRORS.smtp_not_configured, final: true };
  const prefs = prefsOf(await notificationPrefsOf(db, d.user_id));
  // A user restricted to some sites hears only of their meters (issue 18).
  const user = await userById(db, d.user_id);
  // the day in the account's zone, the one it was queued for
  const zone = zoneOfAccount(user?.site_ids ?? null);
  const day = dayBounds(d.day, zone);
  const visible =
    user?.site_ids === null || user === null
      ? deviceIds
      : (await devicesForDashboard(db, sitesScope(user.site_ids))).map((m) => m.device_id);
  const rows =
    visible.length === 0
      ? []
      : (
          await alertsActiveBetween(db, visible, new Date(day.startS * 1000), new Date(day.endS * 1000))
        ).filter((r) => concerns(prefs, { severity: r.severity, deviceId: r.device_id }));
  const facts = (await noticeFacts(db, rows, names, options)).map((f) => f(null));
  return options.mailer.send(d.target, digestNotice(d.day, zone, facts));
}

/**
 * Runs a round every `intervalMs`; rounds never overlap. `stop()` waits for the round under way (its sends
 * end within their timeouts) and closes the SMTP connection.
 */
export function startNotificationDispatch(
  deps: { db: Database; clock: Clock; logger: Logger; intervalMs: number } & DispatchOptions,
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = () => {
    if (stopped || running) return;
    running = dispatchRound(deps.db, deps.clock.now(), { ...deps, stopping: () => stopped })
      .then((s) => {
        if (s.failed > 0) deps.logger.warn({ failed: s.failed }, "alert notifications given up");
      })
      .catch((error) => deps.logger.warn({ err: error }, "alert notification round skipped"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(run, deps.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      deps.mailer?.close();
    },
  };
}
