/**
 * The pump-health rules (`pump_wear`, `inflow_high`, issue 17) read from the store: per sump of a meter with a
 * known volume, the cycles the rules need (the pump's baseline days, and the 90 days of daily inflow before
 * the period), stepped hourly by the domain (src/domain/pump-health/alerts.ts). The live evaluator takes one
 * step at the start of the data hour, the backtest every hour, the rules screen one step now: all three see
 * the same figures.
 */
import { versionsOfChannels } from "../admin/config-versions.js";
import { dayBounds } from "../analytics/pump-health.js";
import type { Database } from "../db/database.js";
import { meterHours } from "../db/queries/meter-hours.js";
import { pumpChangesOf } from "../db/queries/pump-changes.js";
import { sumpCyclesInRange } from "../db/queries/sump-cycles-in-range.js";
import type { Condition, HealthRuleId, Overrides } from "../domain/alerts/index.js";
import {
  addDays,
  type ConfigVersion,
  localCalendar,
  parseCalendarDate,
  versionAt,
} from "../domain/config-versions/index.js";
import { type HealthStep, healthStepper, INFLOW_HISTORY_DAYS } from "../domain/pump-health/alerts.js";
import type { DayBounds, HealthCycle } from "../domain/pump-health/daily.js";
import { SILENCE_READ_MARGIN_S, silentHours } from "../domain/pump-health/silences.js";
import { baselineSince, type ChannelHistories, sumpsOf } from "../domain/pump-health/sumps.js";
import { MAX_FILL_S, measureSump } from "../domain/pump-health/volumetric.js";

const CHANNELS = [0, 1, 2, 3];
const DAY_S = 86_400;
/** Days read from a baseline's start: its 14 days of measured flow, with room for days without any. */
const BASELINE_WINDOW_DAYS = 45;

export interface HealthSump {
  /** the pumps of the sump, ascending; inflow_high is reported on the first */
  channels: number[];
  step: (tS: number) => HealthStep[];
}

export interface HealthOptions {
  deviceId: string;
  /** the first instant the rules look at, and the end (unix s): what is read covers their history too */
  fromS: number;
  toS: number;
  timeZone: string;
  /** the operator's settings of a channel (their thresholds are limits in the rule's unit) */
  overridesOf: (channel: number) => Overrides;
}

/** The meter's sumps with a known volume, each ready to be stepped over [fromS, toS). */
export async function healthSumps(db: Database, o: HealthOptions): Promise<HealthSump[]> {
  const all = await versionsOfChannels(
    db,
    CHANNELS.map((channel) => ({ deviceId: o.deviceId, channel })),
  );
  const histories: ChannelHistories = new Map<number, ConfigVersion[]>(
    CHANNELS.map((channel) => [channel, all.get(`${o.deviceId}_${channel}`) ?? []]),
  );
  const calendar = localCalendar(o.timeZone);
  const lastDate = calendar.dateOf(o.toS - 1);
  const sumps = sumpsOf(histories, lastDate).filter((s) => s.volumeM3 !== null && s.volumeM3 > 0);
  if (sumps.length === 0) return [];
  const changes = await pumpChangesOf(db, o.deviceId, new Date(o.toS * 1000));
  const out: HealthSump[] = [];
  // The meter's silences, once for all its sumps, from the hourly counts (never the readings: a year of them
  // is seconds to walk). Wide enough for any range read below: the earliest baseline can be older than the
  // 90 days of inflow history, so it is found first.
  let silentFrom = o.fromS - (INFLOW_HISTORY_DAYS + 2) * DAY_S;
  for (const sump of sumps)
    for (const ch of sump.channels) {
      const dates = changes
        .filter((c) => c.channel === null || c.channel === ch)
        .map((c) => calendar.dateOf(c.at.getTime() / 1000));
      const s = baselineSince(histories.get(ch) ?? [], dates, lastDate);
      if (s !== null) silentFrom = Math.min(silentFrom, dayBounds(o.timeZone, s, s)[0]?.startS ?? silentFrom);
    }
  const fromHour = Math.floor((silentFrom - MAX_FILL_S - SILENCE_READ_MARGIN_S) / 3600);
  const toHour = Math.ceil((o.toS + SILENCE_READ_MARGIN_S) / 3600);
  const silent = silentHours(
    await meterHours(db, o.deviceId, fromHour * 3600, toHour * 3600),
    fromHour,
    toHour,
  );
  for (const sump of sumps) {
    const since = new Map<number, string>();
    for (const ch of sump.channels) {
      const dates = changes
        .filter((c) => c.channel === null || c.channel === ch)
        .map((c) => calendar.dateOf(c.at.getTime() / 1000));
      const s = baselineSince(histories.get(ch) ?? [], dates, lastDate);
      if (s !== null) since.set(ch, s);
    }
    // The daily inflow of the 90 days before the first step, and each baseline's first days: one range when
    // they meet, else two (the cycles between them change nothing the rules see).
    const recentFrom = calendar.dateOf(o.fromS - (INFLOW_HISTORY_DAYS + 1) * DAY_S);
    const earliest = [...since.values()].sort()[0];
    const ranges: [string, string][] = [];
    if (earliest !== undefined && earliest < recentFrom) {
      const latest = [...since.values()].sort().at(-1) as string;
      const baselineEnd = addDays(latest, BASELINE_WINDOW_DAYS);
      if (baselineEnd >= addDays(recentFrom, -1)) ranges.push([earliest, lastDate]);
      else ranges.push([earliest, baselineEnd], [recentFrom, lastDate]);
    } else ranges.push([minDate(earliest ?? recentFrom, recentFrom), lastDate]);
    const days: DayBounds[] = [];
    const cycles: HealthCycle[] = [];
    for (const [from, to] of ranges) {
      const bounds = dayBounds(o.timeZone, from, to);
      days.push(...bounds);
      const first = bounds[0] as DayBounds;
      const end = Math.min((bounds.at(-1) as DayBounds).endS, o.toS);
      cycles.push(
        ...(await sumpCyclesInRange(db, o.deviceId, sump.channels, first.startS - MAX_FILL_S, end)),
      );
    }
    const volumeM3 = sump.volumeM3 as number;
    const first = sump.channels[0] as number;
    const limit = (rule: HealthRuleId, ch: number) => o.overridesOf(ch)[rule]?.threshold ?? null;
    const step = healthStepper({
      cycles,
      measured: measureSump(cycles, volumeM3, silent),
      volumeM3,
      days,
      dateOf: (s) => calendar.dateOf(s),
      flowRateOf: (ch, date) => versionAt(histories.get(ch) ?? [], date)?.flowRateM3h ?? null,
      baselineSince: since,
      fromS: o.fromS,
      toS: o.toS,
      wearLimitOf: (ch) => limit("pump_wear", ch),
      inflowLimit: limit("inflow_high", first),
      inflowChannel: first,
    });
    out.push({ channels: sump.channels, step });
  }
  return out;
}

/** A step's verdict as the lifecycle takes it; a rule the operator turned off is never active. */
export function toCondition(s: HealthStep, overrides: Overrides): Condition {
  const override = overrides[s.rule];
  const enabled = override?.enabled ?? true;
  return {
    rule: s.rule,
    channel: s.channel,
    active: enabled && s.condition.active,
    value: s.condition.value,
    threshold: s.condition.limit,
    since: null,
    source: override?.threshold != null ? "override" : "learned",
    lowerIsWorse: s.rule === "pump_wear",
  };
}

const minDate = (a: string, b: string) =>
  (parseCalendarDate(a) as number) <= (parseCalendarDate(b) as number) ? a : b;
