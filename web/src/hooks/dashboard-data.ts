/**
 * The dashboard's data hooks, one per panel, all on the same live tick. Types are the service's contracts.
 */
import { compareOriginal } from "../../../src/domain/cycle-order.js";
import { get, query } from "../api/client";
import type { Cycle, Cycles, Devices, Series, Sites } from "../api/types";
import type { Period } from "../charts/series";
import { addDays, type DashboardView } from "../state/filters";
import { useLive } from "./use-live";

/** What /api/cycles returns at most per request; a longer period is read in several pages. */
export const PAGE = 5000;
/** The newest cycles re-read at each tick: more than can start or end in a minute. */
const RECENT = 200;
/** The first answer: the summary and the table's first page, before the whole period arrives. */
export const FIRST = 100;

const cycleKey = (c: Cycle) => `${c.device_id}|${c.channel}|${c.start}`;

/** The period's cycles with the newest ones replaced or added, in the API's order. */
export function mergeCycles(base: readonly Cycle[], fresh: readonly Cycle[]): Cycle[] {
  const byKey = new Map(base.map((c) => [cycleKey(c), c]));
  for (const c of fresh) byKey.set(cycleKey(c), c);
  return [...byKey.values()].sort(compareOriginal);
}

export function cyclesParams(v: DashboardView) {
  return {
    device_id: v.device,
    channel: v.channel,
    from: v.from,
    to: v.to,
    include_noise: v.noise ? "true" : "",
  };
}

export function useDevices() {
  return useLive("devices", () => get<Devices>("/api/devices"));
}

/** The sites the caller may see, with their meters: the fleet is grouped by them. */
export function useSites() {
  return useLive("sites", () => get<Sites>("/api/sites"));
}

/** Summary and first rows: the KPIs show as soon as this small answer arrives. */
export function useSummary(v: DashboardView) {
  const params = cyclesParams(v);
  return useLive(JSON.stringify(params), (signal) =>
    get<Cycles>(`/api/cycles${query({ ...params, limit: FIRST })}`, signal),
  );
}

/**
 * Every cycle of the period for the table, read newest first in pages whose `to` is the oldest start read
 * so far (plus a minute, the duplicates dropped); each tick re-reads only the newest ones and merges them.
 */
export function useAllCycles(v: DashboardView, enabled: boolean) {
  const params = cyclesParams(v);
  const load = async (signal: AbortSignal): Promise<Cycles> => {
    const first = await get<Cycles>(`/api/cycles${query({ ...params, limit: PAGE })}`, signal);
    let cycles = first.cycles;
    let last = first.cycles;
    while (last.length === PAGE && cycles.length < first.total) {
      const oldest = last[last.length - 1] as Cycle;
      const to = new Date(Date.parse(oldest.start) + 60_000).toISOString();
      const page = await get<Cycles>(`/api/cycles${query({ ...params, to, limit: PAGE })}`, signal);
      const before = cycles.length;
      cycles = mergeCycles(cycles, page.cycles);
      last = page.cycles;
      if (cycles.length === before) break;
    }
    return { ...first, cycles };
  };
  const refresh = async (previous: Cycles, signal: AbortSignal): Promise<Cycles> => {
    const recent = await get<Cycles>(`/api/cycles${query({ ...params, limit: RECENT })}`, signal);
    return { ...recent, cycles: mergeCycles(previous.cycles, recent.cycles) };
  };
  return useLive(enabled ? JSON.stringify(params) : null, load, refresh);
}

/**
 * Today's cycles of every device, for the fleet tiles: the day before and after too, each meter's read in its
 * own zone (decision 0019), so that each tile keeps its meter's own today whatever its zone's offset.
 */
export function useToday(v: DashboardView, enabled: boolean) {
  return useLive(enabled ? `today|${v.today}` : null, (signal) =>
    get<Cycles>(
      `/api/cycles${query({ from: addDays(v.today, -1), to: addDays(v.today, 1), limit: 10_000 })}`,
      signal,
    ),
  );
}

export interface ChartData {
  period: Period;
  until: string;
  series: Series;
  cycles: Cycle[];
}

/** The chart's window (the API's own bounds) and the cycles inside it, for shading and 7/30-day lines. */
export function useChart(device: string, channel: string, period: Period, until: string, enabled: boolean) {
  const key = device && enabled ? JSON.stringify({ device, channel, period, until }) : null;
  return useLive<ChartData>(key, async (signal) => {
    const series = await get<Series>(
      `/api/series${query({ device_id: device, channel, period, end: until })}`,
      signal,
    );
    const cycles = await get<Cycles>(
      `/api/cycles${query({ device_id: device, channel, from: series.start, to: series.end, limit: 10_000 })}`,
      signal,
    );
    return { period, until, series, cycles: cycles.cycles };
  });
}
