import type { Database } from "../db/database.js";
import { cyclesInRange } from "../db/queries/cycles-in-range.js";
import type { ChannelRef, StoredCycle } from "../db/queries/stored-cycle.js";
import { type ConfigVersion, localDateOf, versionAt } from "../domain/config-versions/index.js";
import type { CycleSettings } from "../domain/cycles/index.js";
import {
  type CycleImpact,
  type CycleSummary,
  cycleImpact,
  type FactorSet,
  type GridFactor,
  summarizeCycles,
} from "../domain/impact/index.js";
import type { Period } from "../domain/period.js";
import { ensureCyclesFresh } from "./refresh-cycles.js";

/** Where the configuration history comes from; keyed `${deviceId}_${channel}`, each list sorted by date. */
export interface ChannelVersions {
  versionsOf(channels: readonly ChannelRef[]): Promise<Map<string, ConfigVersion[]>>;
}

export const channelKey = (c: ChannelRef) => `${c.deviceId}_${c.channel}`;

export interface ReportedCycle {
  cycle: StoredCycle;
  version: ConfigVersion | null;
  impact: CycleImpact;
}

export interface CyclesReport {
  cycles: ReportedCycle[];
  /** cycles in the whole period matching the noise filter, before the limit */
  total: number;
  summary: CycleSummary;
}

/** The detection settings of a channel: those of its version in force today (defaults without one). */
export function settingsFromVersions(
  versions: Map<string, ConfigVersion[]>,
  today: string,
): (deviceId: string, channel: number) => Partial<CycleSettings> {
  return (deviceId, channel) => {
    const v = versionAt(versions.get(channelKey({ deviceId, channel })) ?? [], today);
    return v
      ? { activityThresholdW: v.activityThresholdW, stopGapMin: v.stopGapMin, minCycleMin: v.minCycleMin }
      : {};
  };
}

/**
 * Cycles of some channels starting in a period, each with the version in force on its local start date, and
 * the period's summary over every cycle of the period: a listing limit never changes a figure.
 */
export async function cyclesReport(
  db: Database,
  config: ChannelVersions,
  q: {
    channels: ChannelRef[];
    period: Period;
    includeNoise: boolean;
    limit: number;
    nowS: number;
    timeZone: string;
    factorSet: FactorSet;
    gridFactor?: GridFactor | null;
  },
): Promise<CyclesReport> {
  const versions = await config.versionsOf(q.channels);
  const today = localDateOf(q.nowS, q.timeZone);
  const nowMinute = Math.floor(q.nowS / 60);
  await ensureCyclesFresh(db, q.channels, nowMinute, settingsFromVersions(versions, today));
  const all = await cyclesInRange(db, {
    channels: q.channels,
    fromMinute: Math.ceil(q.period.fromS / 60),
    toMinute: Math.ceil(q.period.toS / 60),
    limit: Number.MAX_SAFE_INTEGER,
    includeNoise: true,
  });
  // Intl is slow per call and a year of cycles is thousands of them; zone offsets only change on quarter hours.
  const dates = new Map<number, string>();
  const localDate = (minute: number) => {
    const quarter = Math.floor(minute / 15);
    let date = dates.get(quarter);
    if (date === undefined) {
      date = localDateOf(quarter * 15 * 60, q.timeZone);
      dates.set(quarter, date);
    }
    return date;
  };
  const items = all.map((cycle) => {
    const startDate = localDate(cycle.startMinute);
    const version = versionAt(versions.get(channelKey(cycle)) ?? [], startDate);
    return { cycle, version, startDate };
  });
  const summary = summarizeCycles(
    items,
    { fromDate: q.period.fromDate, toDate: q.period.toDate, today },
    { factorSet: q.factorSet, gridFactor: q.gridFactor ?? null },
  );
  const listed = q.includeNoise ? items : items.filter((i) => !i.cycle.noise);
  return {
    total: listed.length,
    summary,
    cycles: listed.slice(0, q.limit).map(({ cycle, version }) => ({
      cycle,
      version,
      impact: cycleImpact(cycle, version, q.factorSet),
    })),
  };
}
