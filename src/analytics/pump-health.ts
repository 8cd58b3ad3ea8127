/**
 * Pump health of one pump (issue 17): its daily figures by the volumetric method, its baseline and how far the
 * last week's measured flow is from it. The figures depend on every pump of its sump (the fill before a run
 * ends at the last stop of any of them), so the sump's cycles are read, not only this pump's.
 */
import type { Database } from "../db/database.js";
import { meterHours } from "../db/queries/meter-hours.js";
import { pumpChangesOf } from "../db/queries/pump-changes.js";
import { sumpCyclesInRange } from "../db/queries/sump-cycles-in-range.js";
import {
  addDays,
  type ConfigVersion,
  type LocalCalendar,
  localCalendar,
  localDays,
  parseCalendarDate,
  versionAt,
} from "../domain/config-versions/index.js";
import type { Period } from "../domain/period.js";
import {
  baselineFlow,
  type DayBounds,
  flowChangePercent,
  type PumpDay,
  pumpDays,
} from "../domain/pump-health/daily.js";
import { SILENCE_READ_MARGIN_S, silentHours } from "../domain/pump-health/silences.js";
import { baselineSince, type ChannelHistories, sumpOf } from "../domain/pump-health/sumps.js";
import { MAX_FILL_S, measureSump } from "../domain/pump-health/volumetric.js";
import { type ChannelVersions, channelKey, settingsFromVersions } from "./cycles-report.js";
import { ensureCyclesFresh, type ReadBudget } from "./refresh-cycles.js";

export interface PumpHealthQuery {
  deviceId: string;
  channel: number;
  period: Period;
  nowS: number;
  timeZone: string;
  /** the meter's days when it moved between zones (placedCalendar); absent: `timeZone`'s */
  calendar?: LocalCalendar;
  refreshBudget?: ReadBudget;
}

export interface PumpHealth {
  deviceId: string;
  channel: number;
  sump: string;
  sumpVolumeM3: number | null;
  sumpChannels: number[];
  baselineSince: string | null;
  baselineFlowM3h: number | null;
  flowChangePercent: number | null;
  days: PumpDay[];
  /** received readings of the sump's pumps not yet in the stored cycles since then (a backfill); null: none */
  pendingSince: Date | null;
}

/** Days the baseline may need beyond its 14: days without a measured flow (no cycle, a silent meter). */
const BASELINE_WINDOW_DAYS = 45;
const CHANNELS = [0, 1, 2, 3];

export function dayBounds(zone: string | LocalCalendar, fromDate: string, toDate: string): DayBounds[] {
  const days = localDays(typeof zone === "string" ? localCalendar(zone) : zone, fromDate, toDate);
  return days.dates.map((date, i) => ({
    date,
    startS: days.starts[i] as number,
    endS: days.starts[i + 1] as number,
  }));
}

export async function pumpHealth(
  db: Database,
  config: ChannelVersions,
  q: PumpHealthQuery,
): Promise<PumpHealth> {
  const refs = CHANNELS.map((channel) => ({ deviceId: q.deviceId, channel }));
  const all = await config.versionsOf(refs);
  const histories: ChannelHistories = new Map<number, ConfigVersion[]>(
    CHANNELS.map((channel) => [channel, all.get(channelKey({ deviceId: q.deviceId, channel })) ?? []]),
  );
  const calendar = q.calendar ?? localCalendar(q.timeZone);
  const today = calendar.dateOf(q.nowS);
  const sump = sumpOf(histories, q.channel, q.period.toDate);
  const freshness = await ensureCyclesFresh(
    db,
    sump.channels.map((channel) => ({ deviceId: q.deviceId, channel })),
    Math.floor(q.nowS / 60),
    settingsFromVersions(all, today),
    q.refreshBudget ?? {},
  );
  const changes = await pumpChangesOf(db, q.deviceId, new Date(q.nowS * 1000));
  const changeDates = changes
    .filter((c) => c.channel === null || c.channel === q.channel)
    .map((c) => calendar.dateOf(c.at.getTime() / 1000));
  const since = baselineSince(histories.get(q.channel) ?? [], changeDates, q.period.toDate);

  const periodDays = dayBounds(calendar, q.period.fromDate, q.period.toDate);
  // The baseline's days, when they start before the period: read apart, at most BASELINE_WINDOW_DAYS of them.
  const baselineDays =
    since !== null && since < q.period.fromDate
      ? dayBounds(
          calendar,
          since,
          minDate(addDays(since, BASELINE_WINDOW_DAYS - 1), addDays(q.period.fromDate, -1)),
        )
      : [];
  const flowRateOf = (channel: number, date: string) =>
    versionAt(histories.get(channel) ?? [], date)?.flowRateM3h ?? null;
  // The meter's silences over both ranges read below, in one statement (hourly counts, not the readings).
  const spanFirst = (baselineDays[0] ?? periodDays[0])?.startS;
  const spanLast = periodDays.at(-1)?.endS;
  let silent: number[] = [];
  if (spanFirst !== undefined && spanLast !== undefined) {
    const fromS = spanFirst - MAX_FILL_S - SILENCE_READ_MARGIN_S;
    const toS = spanLast + MAX_FILL_S + SILENCE_READ_MARGIN_S;
    const fromHour = Math.floor(fromS / 3600);
    const toHour = Math.ceil(toS / 3600);
    silent = silentHours(await meterHours(db, q.deviceId, fromHour * 3600, toHour * 3600), fromHour, toHour);
  }
  const figures = async (days: DayBounds[]): Promise<PumpDay[]> => {
    const first = days[0];
    const last = days.at(-1);
    if (!first || !last) return [];

    // the fill before the first run starts before the range; the last day's inflow needs the next stop after it
    const cycles = await sumpCyclesInRange(
      db,
      q.deviceId,
      sump.channels,
      first.startS - MAX_FILL_S,
      last.endS + MAX_FILL_S,
    );
    return pumpDays({
      channel: q.channel,
      cycles,
      measured: measureSump(cycles, sump.volumeM3, silent),
      volumeM3: sump.volumeM3,
      days,
      flowRateOf,
      dateOf: (s) => calendar.dateOf(s),
    });
  };
  const days = await figures(periodDays);
  const before = await figures(baselineDays);
  const baseline = since === null ? null : baselineFlow([...before, ...days], since);
  return {
    deviceId: q.deviceId,
    channel: q.channel,
    sump: sump.sump,
    sumpVolumeM3: sump.volumeM3,
    sumpChannels: sump.channels,
    baselineSince: since,
    baselineFlowM3h: baseline,
    flowChangePercent: flowChangePercent(days, baseline),
    days,
    pendingSince: freshness.pendingSince,
  };
}

const minDate = (a: string, b: string) =>
  (parseCalendarDate(a) as number) <= (parseCalendarDate(b) as number) ? a : b;
