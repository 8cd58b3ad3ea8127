/** Reading, acknowledging and backtesting alerts; rules and maintenance windows. */

import { versionsOfChannels } from "../admin/config-versions.js";
import { settingsFromVersions } from "../analytics/cycles-report.js";
import { ensureCyclesFresh, type ReadBudget } from "../analytics/refresh-cycles.js";
import type { Database } from "../db/database.js";
import {
  type AlertRow,
  acknowledgeAlert,
  addMaintenanceWindow,
  alertCyclesOf,
  alertReadingsOf,
  alertsMatching,
  devicesToWatch,
  maintenanceWindowsOf,
  ruleSettingsOf,
  saveRuleSetting,
} from "../db/queries/alerts.js";
import { devicesForDashboard } from "../db/queries/devices-for-dashboard.js";
import { filteredHistoryMeeting } from "../db/queries/imported-history.js";
import {
  CHANNEL_RULES,
  type Condition,
  LOOKBACK_MIN,
  learnChannel,
  type OpenAlert,
  type ReplayedAlert,
  RULE_IDS,
  type RuleId,
  replay,
  SEVERITY,
  step,
  THRESHOLD_UNIT,
  thresholdOf,
  timeOfDayIn,
} from "../domain/alerts/index.js";
import { localCalendar } from "../domain/config-versions/index.js";
import type { MeterScope } from "../domain/meter-scope.js";
import { frenchDate, frenchTime } from "../i18n/format.js";
import { healthSumps, toCondition } from "./health.js";
import { cyclesByChannel, fromMinute, overridesOf, readingsByChannel, silenced, toMinute } from "./load.js";

export const RULE_NAMES_FR: Readonly<Record<RuleId, string>> = {
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

export class AlertError extends Error {
  constructor(readonly code: "unknown_device" | "alert_not_found" | "invalid_alert_id") {
    super(code);
  }
}

export interface AlertView {
  id: string;
  device_id: string;
  channel: number | null;
  rule: RuleId;
  severity: "critical" | "warning";
  state: "open" | "acknowledged" | "resolved";
  started_at: string;
  ended_at: string | null;
  value: number;
  threshold: number | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  comment: string | null;
  message: string;
}

/** The public id names the device too, so that every statement can filter on it: `<device_id>:<n>`. */
export function alertId(row: { device_id: string; id: string }): string {
  return `${row.device_id}:${row.id}`;
}

export function parseAlertId(id: string): { deviceId: string; n: string } {
  const at = id.lastIndexOf(":");
  const n = id.slice(at + 1);
  if (at <= 0 || !/^\d{1,18}$/.test(n)) throw new AlertError("invalid_alert_id");
  return { deviceId: id.slice(0, at), n };
}

function fmt(v: number): string {
  return (Math.round(v * 10) / 10).toString().replace(".", ",");
}

/** The French sentence of an alert: device, channel, what happened, since when. */
export function alertMessage(row: AlertRow, timeZone: string): string {
  const rule = row.rule as RuleId;
  const where = row.channel === -1 ? `compteur ${row.device_id}` : `${row.device_id}, voie ${row.channel}`;
  const s = Math.floor(row.started_at.getTime() / 1000);
  const since = `${frenchDate(s, timeZone)} à ${frenchTime(s, timeZone)}`;
  const unit = THRESHOLD_UNIT[rule];
  const figures =
    row.threshold === null
      ? `valeur ${fmt(row.value)} ${unit}`
      : `valeur ${fmt(row.value)} ${unit}, seuil ${fmt(row.threshold)} ${unit}`;
  return `${RULE_NAMES_FR[rule]} — ${where} : depuis le ${since} (${figures}).`;
}

export function toView(row: AlertRow, timeZone: string): AlertView {
  const state = row.ended_at ? "resolved" : row.acknowledged_at ? "acknowledged" : "open";
  return {
    id: alertId(row),
    device_id: row.device_id,
    channel: row.channel === -1 ? null : row.channel,
    rule: row.rule as RuleId,
    severity: row.severity as AlertView["severity"],
    state,
    started_at: row.started_at.toISOString(),
    ended_at: row.ended_at?.toISOString() ?? null,
    value: row.value,
    threshold: row.threshold,
    acknowledged_by: row.acknowledged_by,
    acknowledged_at: row.acknowledged_at?.toISOString() ?? null,
    comment: row.comment,
    message: alertMessage(row, timeZone),
  };
}

export async function listAlerts(
  db: Database,
  scope: MeterScope,
  q: {
    state: "open" | "acknowledged" | "resolved" | "all";
    deviceId: string | null;
    channel: number | null;
    rule: string | null;
    from: Date | null;
    to: Date | null;
    limit: number;
  },
  /** the zone an alert's times are shown in: its meter's at the alert's start (a moved meter's then) */
  zoneOf: (deviceId: string, atS: number) => string,
): Promise<{ alerts: AlertView[]; total: number }> {
  const ids = q.deviceId ? [q.deviceId] : (await devicesForDashboard(db, scope)).map((d) => d.device_id);
  const rows = await alertsMatching(db, { ...q, deviceIds: ids });
  return {
    alerts: rows.map((r) => toView(r, zoneOf(r.device_id, r.started_at.getTime() / 1000))),
    total: Number(rows[0]?.total ?? 0),
  };
}

export async function acknowledge(
  db: Database,
  scope: MeterScope,
  id: string,
  by: string,
  comment: string,
  at: Date,
  timeZone: string,
): Promise<AlertView> {
  const { deviceId, n } = parseAlertId(id);
  // An alert of a meter the caller may not see is one that does not exist.
  if (scope.siteIds !== null && !(await devicesForDashboard(db, scope)).some((d) => d.device_id === deviceId))
    throw new AlertError("alert_not_found");
  const row = await acknowledgeAlert(db, deviceId, n, by, comment, at);
  if (!row) throw new AlertError("alert_not_found");
  return toView(row, timeZone);
}

async function firstSeenOf(db: Database, deviceId: string): Promise<number> {
  const device = (await devicesToWatch(db)).find((d) => d.device_id === deviceId);
  if (!device) throw new AlertError("unknown_device");
  return toMinute(device.first_seen);
}

/**
 * A threshold the operator is about to choose, tried in the replay only: it replaces the saved or learned
 * threshold of that rule on that channel (null: the meter, for `meter_offline`). Nothing is stored.
 */
export interface CandidateThreshold {
  rule: RuleId;
  channel: number | null;
  threshold: number;
}

/** A backtest's answer, and whether the cycles it judged were still being brought up to date. */
export interface BacktestReport {
  alerts: ReplayedAlert[];
  /** the oldest change not yet reflected in the stored cycles (a backfill, an import); null: up to date */
  pendingSince: Date | null;
}

/**
 * The backtest as a read: the meter's cycles are first brought up to date within a read's budget, as
 * `/api/cycles` does. Right after a backfill or an import the replay would otherwise judge half-refreshed cycles
 * (issue 20: false « Pompe inactive » alarms with nothing said); it then says so with `pendingSince`.
 */
export async function backtestWhenFresh(
  db: Database,
  q: Parameters<typeof backtest>[1] & { nowS: number; refreshBudget?: ReadBudget },
): Promise<BacktestReport> {
  await firstSeenOf(db, q.deviceId);
  const refs = [0, 1, 2, 3].map((channel) => ({ deviceId: q.deviceId, channel }));
  const today = localCalendar(q.timeZone ?? "UTC").dateOf(q.nowS);
  const freshness = await ensureCyclesFresh(
    db,
    refs,
    Math.floor(q.nowS / 60),
    settingsFromVersions(await versionsOfChannels(db, refs), today),
    q.refreshBudget ?? {},
  );
  return { alerts: await backtest(db, q), pendingSince: freshness.pendingSince };
}

/** What the rules would have raised over [from, to), replayed minute by minute. */
export async function backtest(
  db: Database,
  q: {
    deviceId: string;
    channel: number | null;
    from: Date;
    to: Date;
    /** the site's time zone (default UTC) */
    timeZone?: string;
    /**
     * a meter that moved between zones: the zone it was in at each instant, for the rules' hours of the day
     * (the daily inflow of the health rules stays in `timeZone`'s days)
     */
    zoneAt?: (unixS: number) => string;
    candidate?: CandidateThreshold;
  },
): Promise<ReplayedAlert[]> {
  const firstMinute = await firstSeenOf(db, q.deviceId);
  const from = toMinute(q.from);
  const to = toMinute(q.to);
  const [cycleRows, readingRows, settings, windows, filtered] = await Promise.all([
    alertCyclesOf(db, q.deviceId, fromMinute(Math.floor(from / 60) * 60 - LOOKBACK_MIN), fromMinute(to)),
    alertReadingsOf(db, q.deviceId, fromMinute(from - 60), fromMinute(to)),
    ruleSettingsOf(db, [q.deviceId]),
    maintenanceWindowsOf(db, [q.deviceId], q.from),
    filteredHistoryMeeting(db, q.deviceId, (from - 60) * 60, (to + 1) * 60),
  ]);
  // Imported filtered history (predecessor-spec §4.3): from the meter's first to its last imported reading,
  // only readings above 10 W were kept, so a gap is pumps off and its 0 W stop rows prove nothing.
  const filteredFrom = Math.min(...filtered.map((s) => s.from_s / 60));
  const filteredTo = Math.max(...filtered.map((s) => s.to_s / 60));
  const filteredAt = (m: number) => m >= filteredFrom && m < filteredTo;
  const cycles = cyclesByChannel(cycleRows);
  const readings = readingsByChannel(readingRows);
  const candidate = q.candidate;
  const overridesWith = (channel: number) => {
    const saved = overridesOf(settings, q.deviceId, channel);
    if (!candidate || (candidate.channel ?? -1) !== channel) return saved;
    const rule = candidate.rule;
    return { ...saved, [rule]: { enabled: saved[rule]?.enabled ?? true, threshold: candidate.threshold } };
  };
  const channels = (q.channel === null ? [0, 1, 2, 3] : [q.channel]).map((channel) => ({
    channel,
    cycles: cycles.get(channel) ?? [],
    readings: readings.get(channel) ?? [],
    overrides: overridesWith(channel),
  }));
  // Meter-wide rule only when every channel is replayed: its "last reading" is the meter's.
  const idle = readingRows.some(
    (r) => r.apower_w !== null && r.apower_w <= 10 && !filteredAt(Number(r.minute)),
  );
  const replayed = replay({
    fromMinute: from,
    toMinute: to,
    firstMinute,
    channels,
    meter:
      q.channel === null
        ? {
            sendsWhenIdle: idle,
            override: overridesWith(-1).meter_offline,
            filteredAt,
          }
        : null,
    silencedAt: (channel, m) => silenced(windows, q.deviceId, channel, m),
    timeOfDay:
      q.zoneAt === undefined
        ? timeOfDayIn(q.timeZone ?? "UTC")
        : (minute) => timeOfDayIn((q.zoneAt as (unixS: number) => string)(minute * 60))(minute),
  });
  const health = await replayHealth(db, {
    deviceId: q.deviceId,
    fromS: from * 60,
    toS: to * 60,
    timeZone: q.timeZone ?? "UTC",
    overridesOf: overridesWith,
    silencedAt: (channel, m) => silenced(windows, q.deviceId, channel, m),
  });
  return [...replayed, ...health.filter((a) => q.channel === null || a.channel === q.channel)].sort(
    (a, b) => a.startedMinute - b.startedMinute || a.rule.localeCompare(b.rule),
  );
}

/**
 * pump_wear and inflow_high over [fromS, toS), judged at the start of every hour as the live rounds judge
 * them, through the same lifecycle (an alert resolves once its condition is clear; the hour is the step).
 */
async function replayHealth(
  db: Database,
  o: Parameters<typeof healthSumps>[1] & { silencedAt: (channel: number | null, minute: number) => boolean },
): Promise<ReplayedAlert[]> {
  const sumps = await healthSumps(db, o);
  const out: ReplayedAlert[] = [];
  const open = new Map<string, { alert: OpenAlert; condition: Condition }>();
  const firstHour = Math.ceil(o.fromS / 3600) * 3600;
  for (let t = firstHour; t < o.toS; t += 3600) {
    const m = t / 60;
    for (const sump of sumps) {
      for (const s of sump.step(t)) {
        const condition = toCondition(s, o.overridesOf(s.channel ?? -1));
        const key = `${condition.rule}:${condition.channel}`;
        const current = open.get(key) ?? null;
        const change = step(current?.alert ?? null, condition, m, {
          silenced: o.silencedAt(condition.channel, m),
          mayOpen: true,
        });
        if (change.kind === "open" || change.kind === "update")
          open.set(key, { alert: change.alert, condition });
        if (change.kind === "resolve" && current) {
          open.delete(key);
          out.push(replayedOf(current, change.endedMinute));
        }
      }
    }
  }
  for (const current of open.values()) out.push(replayedOf(current, null));
  return out;
}

function replayedOf(current: { alert: OpenAlert; condition: Condition }, endedMinute: number | null) {
  return {
    channel: current.condition.channel,
    rule: current.condition.rule,
    startedMinute: current.alert.startedMinute,
    endedMinute,
    value: current.alert.peak,
    threshold: current.alert.threshold,
  };
}

export interface RuleView {
  rule: RuleId;
  channel: number | null;
  severity: string;
  unit: string;
  enabled: boolean;
  /** the threshold applied now */
  threshold: number | null;
  /** learned (or default) value, shown beside any override */
  learned_threshold: number | null;
  source: Condition["source"];
  /** fewer than 7 days of history: the defaults apply */
  learning: boolean;
}

/** The rules of one device now: each channel's thresholds, learned value beside any override. */
export async function rulesOf(
  db: Database,
  deviceId: string,
  now: Date,
  timeZone = "UTC",
): Promise<RuleView[]> {
  const firstMinute = await firstSeenOf(db, deviceId);
  const t = toMinute(now);
  const hour = Math.floor(t / 60) * 60;
  const [cycleRows, settings] = await Promise.all([
    alertCyclesOf(db, deviceId, fromMinute(hour - LOOKBACK_MIN), now),
    ruleSettingsOf(db, [deviceId]),
  ]);
  const cycles = cyclesByChannel(cycleRows);
  const out: RuleView[] = [];
  for (const channel of [0, 1, 2, 3]) {
    const own = cycles.get(channel) ?? [];
    const learned = learnChannel(own, t, firstMinute, timeOfDayIn(timeZone));
    const overrides = overridesOf(settings, deviceId, channel);
    for (const rule of CHANNEL_RULES) {
      const base = thresholdOf(rule, learned, undefined, own.at(-1)?.startMinute ?? null);
      const applied = thresholdOf(rule, learned, overrides[rule], own.at(-1)?.startMinute ?? null);
      out.push({
        rule,
        channel,
        severity: SEVERITY[rule],
        unit: THRESHOLD_UNIT[rule],
        enabled: overrides[rule]?.enabled ?? true,
        threshold: applied.value,
        learned_threshold: base.value,
        source: applied.source,
        learning: !learned.learned,
      });
    }
  }
  // pump_wear on every lift pump of a sump of known volume, inflow_high on the sump's first pump: one step now
  const sumps = await healthSumps(db, {
    deviceId,
    fromS: hour * 60,
    toS: hour * 60 + 1,
    timeZone,
    overridesOf: (channel) => overridesOf(settings, deviceId, channel),
  });
  for (const sump of sumps) {
    for (const s of sump.step(hour * 60)) {
      const channel = s.channel as number;
      const override = overridesOf(settings, deviceId, channel)[s.rule];
      const learnedLimit = s.condition.learnedLimit;
      out.push({
        rule: s.rule,
        channel,
        severity: SEVERITY[s.rule],
        unit: THRESHOLD_UNIT[s.rule],
        enabled: override?.enabled ?? true,
        threshold: s.condition.limit,
        learned_threshold: learnedLimit,
        source: override?.threshold != null ? "override" : learnedLimit === null ? "default" : "learned",
        learning: learnedLimit === null,
      });
    }
  }
  out.sort((a, b) => (a.channel ?? 9) - (b.channel ?? 9));
  const meter = overridesOf(settings, deviceId, -1).meter_offline;
  out.push({
    rule: "meter_offline",
    channel: null,
    severity: SEVERITY.meter_offline,
    unit: THRESHOLD_UNIT.meter_offline,
    enabled: meter?.enabled ?? true,
    threshold: meter?.threshold ?? 10,
    learned_threshold: 10,
    source: meter?.threshold != null ? "override" : "default",
    learning: false,
  });
  return out;
}

export async function setRule(
  db: Database,
  s: {
    deviceId: string;
    channel: number | null;
    rule: RuleId;
    enabled: boolean;
    threshold: number | null;
    at: Date;
    by: string;
  },
): Promise<void> {
  await firstSeenOf(db, s.deviceId);
  await saveRuleSetting(db, { ...s, channel: s.channel ?? -1 });
}

export async function maintenanceOf(db: Database, deviceId: string, after: Date) {
  return maintenanceWindowsOf(db, [deviceId], after);
}

export async function planMaintenance(
  db: Database,
  w: {
    deviceId: string;
    channel: number | null;
    startsAt: Date;
    endsAt: Date;
    reason: string | null;
    by: string;
  },
) {
  await firstSeenOf(db, w.deviceId);
  return addMaintenanceWindow(db, { ...w, channel: w.channel ?? -1 });
}

export { RULE_IDS };
