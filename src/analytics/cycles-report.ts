import type { Database } from "../db/database.js";
import { closedCycleSpreads } from "../db/queries/closed-cycle-spreads.js";
import type { MeterDays } from "../db/queries/cycle-totals-per-day.js";
import { cycleTotalsPerChannelDay } from "../db/queries/cycle-totals-per-day.js";
import { type CycleCursor, cyclesInRange } from "../db/queries/cycles-in-range.js";
import type { ThresholdedChannel } from "../db/queries/idle-energy-per-day.js";
import { monitoredDates } from "../db/queries/monitored-days.js";
import { inReadSnapshot } from "../db/queries/read-snapshot.js";
import type { ChannelRef, StoredCycle } from "../db/queries/stored-cycle.js";
import {
  type ConfigVersion,
  type LocalCalendar,
  localCalendar,
  localDayOf,
  localDays,
  versionAt,
} from "../domain/config-versions/index.js";
import { type CycleSettings, resolveCycleSettings } from "../domain/cycles/index.js";
import {
  type CycleImpact,
  type CycleSummary,
  cycleImpact,
  type FactorSet,
  type GridFactor,
  summarizeDays,
} from "../domain/impact/index.js";
import type { Period } from "../domain/period.js";
import { idleEnergyPerChannelDay, withIdleEnergy } from "./energy-outside-cycles.js";
import { type MeasuredVolume, measuredKey, measuredVolumes, meterChannelsOf } from "./measured-volumes.js";
import { ensureCyclesFresh, type ReadBudget } from "./refresh-cycles.js";

/** Where the configuration history comes from; keyed `${deviceId}_${channel}`, each list sorted by date. */
export interface ChannelVersions {
  versionsOf(channels: readonly ChannelRef[]): Promise<Map<string, ConfigVersion[]>>;
}

export const channelKey = (c: ChannelRef) => `${c.deviceId}_${c.channel}`;

export interface ReportedCycle {
  cycle: StoredCycle;
  /** the local day it started on: its meter's site's zone at that time (a moved meter's past keeps its days) */
  date: string;
  version: ConfigVersion | null;
  impact: CycleImpact;
}

export interface CyclesReport {
  /**
   * Set when changes of these channels were still queued after the read's refresh budget (a backfill being
   * absorbed): the report shows the stored cycles, and this is the oldest change not yet in them.
   */
  refreshing: { since: Date | null } | null;
  cycles: ReportedCycle[];
  /** cycles in the whole period matching the noise filter, before the limit */
  total: number;
  summary: CycleSummary;
}

/** The channels with the activity threshold their cycles are detected with (today's settings). */
export function thresholdedChannels(
  channels: readonly ChannelRef[],
  settingsOf: (deviceId: string, channel: number) => Partial<CycleSettings>,
): ThresholdedChannel[] {
  return channels.map((c) => ({
    ...c,
    thresholdW: resolveCycleSettings(settingsOf(c.deviceId, c.channel)).activityThresholdW,
  }));
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

export interface CyclesQuery {
  channels: ChannelRef[];
  period: Period;
  includeNoise: boolean;
  nowS: number;
  timeZone: string;
  /** the meter's days when it moved between zones (placedCalendar); absent: `timeZone`'s */
  calendar?: LocalCalendar;
  /**
   * A fleet across zones (issue 18): each meter's own calendar and period (the same `from`/`to` read in its
   * zone). `period` is then their envelope. A fleet day D is every meter's own local day D, summed.
   */
  meters?: FleetDays | undefined;
  factorSet: FactorSet;
  /** what the read may spend bringing the channels' cycles up to date (default: ensureCyclesFresh's) */
  refreshBudget?: ReadBudget;
  /**
   * `flow_rate` (default, the predecessor's): runtime × débit effectif; `volumetric`: each cycle's measured
   * Q·t1 where its sump has a volume and it qualifies, else the débit effectif
   */
  volumeMethod?: VolumeMethod;
  /**
   * aborted when nobody waits for the answer any more (the client closed the request): the report stops
   * before its next statement, throwing the signal's reason
   */
  signal?: AbortSignal;
}

export type VolumeMethod = "flow_rate" | "volumetric";

/** Each meter's days when a query spans meters of different zones. */
export interface FleetDays {
  calendarOf(deviceId: string): LocalCalendar;
  periodOf(deviceId: string): Period;
}

/**
 * Each meter's period and days, shared between meters of one calendar and period (a fleet has a few zones,
 * not one list of days per meter), and the fleet's "today": the earliest of the meters' (a fleet day is whole
 * once every meter's own day is over).
 */
function fleetDays(meters: FleetDays, deviceIds: readonly string[], nowS: number) {
  const shared = new Map<string, MeterDays>();
  const calendarIds = new Map<LocalCalendar, number>();
  const byMeter = new Map<string, MeterDays>();
  const todays: string[] = [];
  for (const d of new Set(deviceIds)) {
    const calendar = meters.calendarOf(d);
    const p = meters.periodOf(d);
    if (!calendarIds.has(calendar)) calendarIds.set(calendar, calendarIds.size);
    const key = `${calendarIds.get(calendar)}_${p.fromS}_${p.toS}`;
    let own = shared.get(key);
    if (own === undefined) {
      own = {
        fromMinute: Math.ceil(p.fromS / 60),
        toMinute: Math.ceil(p.toS / 60),
        days: localDays(calendar, p.fromDate, p.toDate),
      };
      shared.set(key, own);
    }
    byMeter.set(d, own);
    todays.push(calendar.dateOf(nowS));
  }
  return { byMeter, today: todays.sort()[0] };
}

/** What listing and summarising share: fresh cycles, the versions, and the period cut into local days. */
async function prepare(db: Database, config: ChannelVersions, q: CyclesQuery) {
  // the volumetric method needs the sump's other pumps, fresh, with their own settings
  const read = q.volumeMethod === "volumetric" ? meterChannelsOf(q.channels) : q.channels;
  const versions = await config.versionsOf(read);
  const calendar = q.calendar ?? localCalendar(q.timeZone);
  const fleet = q.meters
    ? fleetDays(
        q.meters,
        read.map((c) => c.deviceId),
        q.nowS,
      )
    : null;
  const today = fleet?.today ?? calendar.dateOf(q.nowS);
  // each meter's settings are those of its version in force on its own today
  const settingsOf = q.meters
    ? (deviceId: string, channel: number) =>
        settingsFromVersions(versions, (q.meters as FleetDays).calendarOf(deviceId).dateOf(q.nowS))(
          deviceId,
          channel,
        )
    : settingsFromVersions(versions, today);
  const freshness = await ensureCyclesFresh(
    db,
    read,
    Math.floor(q.nowS / 60),
    settingsOf,
    q.refreshBudget ?? {},
  );
  q.signal?.throwIfAborted();
  const refreshing = freshness.pending.length > 0 ? { since: freshness.pendingSince } : null;
  const days = localDays(calendar, q.period.fromDate, q.period.toDate);
  const versionOn = (c: ChannelRef, date: string) => versionAt(versions.get(channelKey(c)) ?? [], date);
  const measured =
    q.volumeMethod === "volumetric"
      ? await measuredVolumes(db, versions, q.channels, q.period.fromS, q.period.toS, q.period.toDate)
      : null;
  const meterDays = fleet ? (deviceId: string) => fleet.byMeter.get(deviceId) : undefined;
  const dateOf = (deviceId: string, unixS: number) => {
    const own = fleet?.byMeter.get(deviceId);
    if (own && q.meters) return localDayOf(own.days, unixS) ?? q.meters.calendarOf(deviceId).dateOf(unixS);
    return localDayOf(days, unixS) ?? calendar.dateOf(unixS);
  };
  const reported = (cycle: StoredCycle): ReportedCycle => {
    const startS = cycle.startMinute * 60;
    // A listed cycle starts within the period's days; the calendar would still answer if one did not.
    const date = dateOf(cycle.deviceId, startS);
    const version = versionOn(cycle, date);
    const m = measured?.get(measuredKey(cycle.deviceId, cycle.channel, cycle.startMinute))?.volumeM3 ?? null;
    return { cycle, date, version, impact: cycleImpact(cycle, version, q.factorSet, m) };
  };
  return {
    refreshing,
    today,
    days,
    versionOn,
    reported,
    measured,
    thresholded: thresholdedChannels(q.channels, settingsOf),
    dateOf,
    meterDays,
    range: {
      channels: q.channels,
      fromMinute: Math.ceil(q.period.fromS / 60),
      toMinute: Math.ceil(q.period.toS / 60),
      meterDays,
      meterRange: meterDays,
    },
  };
}

/**
 * Cycles of some channels starting in a period, newest first, at most `limit` of them, each with the version
 * in force on its local start date; with the period's summary over every cycle of the period, computed in
 * the database from sums per channel and day: a listing limit never changes a figure, and a year of history
 * costs a few hundred summed rows instead of thousands of cycles.
 */
export async function cyclesReport(
  db: Database,
  config: ChannelVersions,
  q: CyclesQuery & { limit: number; gridFactor?: GridFactor | null },
): Promise<CyclesReport> {
  const { refreshing, today, days, versionOn, reported, range, measured, dateOf, thresholded, meterDays } =
    await prepare(db, config, q);
  const daysOfMeter = meterDays ? (deviceId: string) => meterDays(deviceId)?.days : undefined;
  // checked before each statement: a report waiting for PGlite's one connection, or between two of its
  // statements, stops once its client has gone
  const live = <T>(read: () => Promise<T>): Promise<T> => {
    q.signal?.throwIfAborted();
    return read();
  };
  const [totals, spreads, page, monitored, idle] = await inReadSnapshot(db, async (tx) => [
    await live(() => cycleTotalsPerChannelDay(tx, { ...range, days })),
    await live(() => closedCycleSpreads(tx, range)),
    await live(() => cyclesInRange(tx, { ...range, limit: q.limit, includeNoise: q.includeNoise })),
    await live(() => monitoredDates(tx, q.channels, days, daysOfMeter)),
    await live(() => idleEnergyPerChannelDay(tx, thresholded, days, daysOfMeter)),
  ]);
  const perDay = measured === null ? null : measuredPerDay(measured, dateOf);
  const summary = summarizeDays(
    withIdleEnergy(totals, idle).map((t) => {
      const m = perDay?.get(`${channelKey(t)}_${t.date}`);
      return { ...t, version: versionOn(t, t.date), ...(m ? { measured: m } : {}) };
    }),
    spreads,
    { fromDate: q.period.fromDate, toDate: q.period.toDate, today, monitoredDates: monitored },
    { factorSet: q.factorSet, gridFactor: q.gridFactor ?? null },
  );
  return {
    refreshing,
    total: totals.reduce((n, t) => n + t.cycles - (q.includeNoise ? 0 : t.noiseCycles), 0),
    summary,
    cycles: page.map(reported),
  };
}

/**
 * Every cycle of the period, in the report's order, a page at a time: an export of years of history never
 * holds them all, nor the event loop for long. Freshness and versions are settled before the first page.
 */
export async function cyclesExport(
  db: Database,
  config: ChannelVersions,
  q: CyclesQuery & { pageSize: number },
): Promise<AsyncIterable<ReportedCycle[]>> {
  const { reported, range } = await prepare(db, config, q);
  return {
    async *[Symbol.asyncIterator]() {
      let after: CycleCursor | undefined;
      for (;;) {
        const page = await cyclesInRange(db, {
          ...range,
          limit: q.pageSize,
          includeNoise: q.includeNoise,
          after,
        });
        if (page.length > 0) yield page.map(reported);
        const last = page.at(-1);
        if (last === undefined || page.length < q.pageSize) return;
        after = { startMinute: last.startMinute, deviceId: last.deviceId, channel: last.channel };
      }
    },
  };
}

/** The measured cycles summed per channel and local date of their start, as the summary's days are. */
function measuredPerDay(
  measured: Map<string, MeasuredVolume>,
  dateOf: (deviceId: string, unixS: number) => string,
): Map<string, { cycles: number; runtimeMin: number; volumeM3: number }> {
  const out = new Map<string, { cycles: number; runtimeMin: number; volumeM3: number }>();
  for (const m of measured.values()) {
    const key = `${channelKey(m)}_${dateOf(m.deviceId, m.startMinute * 60)}`;
    const d = out.get(key) ?? { cycles: 0, runtimeMin: 0, volumeM3: 0 };
    d.cycles++;
    d.runtimeMin += m.runtimeMin;
    d.volumeM3 += m.volumeM3;
    out.set(key, d);
  }
  return out;
}
