import type { Database } from "../db/database.js";
import { cycleTotalsPerChannelDay } from "../db/queries/cycle-totals-per-day.js";
import { monitoredDates } from "../db/queries/monitored-days.js";
import { inReadSnapshot } from "../db/queries/read-snapshot.js";
import type { ChannelRef } from "../db/queries/stored-cycle.js";
import {
  type ConfigVersion,
  localCalendar,
  localDays,
  type PumpType,
  versionAt,
} from "../domain/config-versions/index.js";
import {
  type CycleSummary,
  type DayTotals,
  type FactorSet,
  type GridFactor,
  summarizeDays,
  volumeM3,
} from "../domain/impact/index.js";
import {
  type ChannelVersions,
  channelKey,
  settingsFromVersions,
  thresholdedChannels,
} from "./cycles-report.js";
import { idleEnergyPerChannelDay, withIdleEnergy } from "./energy-outside-cycles.js";
import { ensureCyclesFresh, type ReadBudget } from "./refresh-cycles.js";

/** One channel on one local day: what the daily CSV prints and the reports' tables and charts draw. */
export interface ChannelDay {
  date: string;
  /** cycles that are not noise, ongoing included (the dashboard's « démarrages ») */
  starts: number;
  /** completed, non-noise cycles: the runtime the volume is estimated from */
  runtimeMin: number;
  /** null: not a lift station, or no flow rate that day */
  volumeM3: number | null;
  /** every kWh the meter measured that day: every cycle's, noise and ongoing included, and outside cycles */
  energyKwh: number;
}

export interface ChannelFigures extends ChannelRef {
  name: string;
  /** the version in force at the period's last day (or today, for the current month) */
  pumpType: PumpType | null;
  flowRateM3h: number | null;
  /** one entry per local day of the period, days without cycles included */
  days: ChannelDay[];
  /** `/api/cycles?device_id=&channel=` over the same period, unrounded */
  summary: CycleSummary;
  runtimeMin: number;
}

export interface PeriodFigures {
  dates: readonly string[];
  channels: ChannelFigures[];
  /** `/api/cycles?device_id=` (or every channel of the site) over the same period, unrounded */
  summary: CycleSummary;
  /** a day had a cycle on some channel */
  hasData: boolean;
  refreshing: boolean;
}

export interface PeriodFiguresQuery {
  channels: ChannelRef[];
  /** local calendar dates, both included */
  fromDate: string;
  toDate: string;
  timeZone: string;
  nowS: number;
  factorSet: FactorSet;
  gridFactor: GridFactor | null;
  refreshBudget?: ReadBudget;
}

/**
 * The figures of a period per channel and day, from the same per-day sums as the dashboard's summary
 * (`cyclesReport`): each channel's summary is `/api/cycles` for that channel, and the whole summary that of
 * every channel, so a report never disagrees with the dashboard for the same month.
 */
export async function periodFigures(
  db: Database,
  config: ChannelVersions,
  q: PeriodFiguresQuery,
): Promise<PeriodFigures> {
  const versions = await config.versionsOf(q.channels);
  const calendar = localCalendar(q.timeZone);
  const today = calendar.dateOf(q.nowS);
  const settingsOf = settingsFromVersions(versions, today);
  const freshness = await ensureCyclesFresh(
    db,
    q.channels,
    Math.floor(q.nowS / 60),
    settingsOf,
    q.refreshBudget ?? {},
  );
  const days = localDays(calendar, q.fromDate, q.toDate);
  const fromS = calendar.dayStart(q.fromDate);
  const toS = calendar.dayStart(nextDate(q.toDate));
  const [cycleTotals, idle, monitored] = await inReadSnapshot(db, async (tx) => [
    await cycleTotalsPerChannelDay(tx, {
      channels: q.channels,
      fromMinute: Math.ceil(fromS / 60),
      toMinute: Math.ceil(toS / 60),
      days,
    }),
    await idleEnergyPerChannelDay(tx, thresholdedChannels(q.channels, settingsOf), days),
    await monitoredDates(tx, q.channels, days),
  ]);
  const totals = withIdleEnergy(cycleTotals, idle);
  // the per-day figure divides by the days the meters were monitored, as the dashboard's (issue 21)
  const range = { fromDate: q.fromDate, toDate: q.toDate, today, monitoredDates: monitored };
  const options = { factorSet: q.factorSet, gridFactor: q.gridFactor };
  const versionOn = (c: ChannelRef, date: string): ConfigVersion | null =>
    versionAt(versions.get(channelKey(c)) ?? [], date);
  const withVersion = totals.map((t) => ({ ...t, version: versionOn(t, t.date) }));
  const noSpreads = { avgPowerW: null, avgCurrentA: null };
  const shownOn = [q.toDate, today].sort()[0] ?? today;

  const channels = q.channels.map((c): ChannelFigures => {
    const own = withVersion.filter((t) => t.deviceId === c.deviceId && t.channel === c.channel);
    const byDate = new Map(own.map((t) => [t.date, t]));
    const v = versionOn(c, shownOn);
    return {
      ...c,
      name: v?.name ?? `switch:${c.channel}`,
      pumpType: v?.pumpType ?? null,
      flowRateM3h: v?.flowRateM3h ?? null,
      days: days.dates.map((date) => dayOf(date, byDate.get(date), versionOn(c, date))),
      summary: summarizeDays(own as DayTotals[], noSpreads, range, options),
      runtimeMin: own.reduce((s, t) => s + t.closedRuntimeMin, 0),
    };
  });
  return {
    dates: days.dates,
    channels,
    summary: summarizeDays(withVersion as DayTotals[], noSpreads, range, options),
    hasData: cycleTotals.length > 0,
    refreshing: freshness.pending.length > 0,
  };
}

function dayOf(date: string, t: DayTotals | undefined, version: ConfigVersion | null): ChannelDay {
  const runtimeMin = t?.closedRuntimeMin ?? 0;
  return {
    date,
    starts: t === undefined ? 0 : t.cycles - t.noiseCycles,
    runtimeMin,
    volumeM3: volumeM3(runtimeMin, version?.flowRateM3h ?? null, version?.pumpType ?? null),
    energyKwh: ((t?.energyWh ?? 0) + (t?.idleEnergyWh ?? 0)) / 1000,
  };
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
