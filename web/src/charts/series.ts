/**
 * Pure conversions from the API's answers to uPlot's aligned columns ([x, y1, y2, …], x in unix seconds).
 */
import type { Cycle, Series } from "../api/types";

export type Metric = "power" | "current";
export type Period = "24h" | "7d" | "30d";
export type Columns = [number[], ...(number | null)[][]];

export interface ChannelLine {
  channel: number;
  name: string;
}

/**
 * The 5-minute buckets as they come: every bucket is present and a bucket without activity is 0, so a
 * stepped line drops to 0 when the pump stops and stays there through a gap (bug 27). The window's end is
 * added as a last point so the line reaches the right edge.
 */
export function seriesToColumns(series: Series, metric: Metric, channels: ChannelLine[]): Columns {
  const endS = Date.parse(series.end) / 1000;
  const first = series.series[0];
  const xs = (first?.t ?? []).map((t) => Date.parse(t) / 1000);
  const ys = channels.map((c) => {
    const s = series.series.find((x) => x.channel === c.channel);
    const values = s ? (metric === "power" ? s.power_w : s.current_a) : xs.map(() => 0);
    return [...values, 0];
  });
  return [[...xs, endS], ...ys];
}

/**
 * Each cycle drawn at its average power (or current) from its first to its last minute, 0 elsewhere: on 7 or
 * 30 days the API's 1 h / 6 h buckets would average a 5-minute cycle into a flat hump (docs/decisions).
 * An ongoing cycle runs up to `nowS`.
 */
export function cyclesToColumns(
  cycles: readonly Cycle[],
  metric: Metric,
  channels: ChannelLine[],
  startS: number,
  endS: number,
  nowS: number,
): Columns {
  const spans = cycles
    .filter((c) => !c.noise)
    .map((c) => ({
      channel: c.channel,
      from: Math.max(startS, Date.parse(c.start) / 1000),
      // the last active minute is a whole minute of running
      to: Math.min(endS, c.end === null ? nowS : Date.parse(c.end) / 1000 + 60),
      value: metric === "power" ? c.avg_power_w : (c.avg_current_a ?? 0),
    }))
    .filter((s) => s.to > s.from);
  const xs = [...new Set([startS, endS, ...spans.flatMap((s) => [s.from, s.to])])].sort((a, b) => a - b);
  const ys = channels.map((ch) => {
    const mine = spans.filter((s) => s.channel === ch.channel);
    return xs.map((x) => {
      if (x >= endS) return 0;
      const on = mine.find((s) => s.from <= x && x < s.to);
      return on ? on.value : 0;
    });
  });
  return [xs, ...ys];
}

/** Whether a window has something to show: a channel with a non-zero value somewhere. */
export function hasData(columns: Columns): boolean {
  return columns.slice(1).some((ys) => ys.some((y) => y !== null && y > 0));
}

export type FallbackMessage = "empty-24h" | "empty-7d" | null;

/**
 * The automatic widening of the first view (bug 32): 24 h empty → 7 days with a message; 7 days empty →
 * a message offering 30 days, never loaded by itself. A period the user chose never widens (bug 33).
 */
export function fallback(
  period: Period,
  automatic: boolean,
  withData: boolean,
): { next: Period | null; message: FallbackMessage } {
  if (!automatic || withData) return { next: null, message: null };
  if (period === "24h") return { next: "7d", message: "empty-24h" };
  if (period === "7d") return { next: null, message: "empty-7d" };
  return { next: null, message: null };
}

/** "filtreplante_station-keur-massar_puissance_24h_2026-02-14.png" */
export function pngName(device: string, metric: Metric, period: Period, endDate: string): string {
  const slug =
    device
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "appareil";
  const p = { "24h": "24h", "7d": "7j", "30d": "30j" }[period];
  return `filtreplante_${slug}_${metric === "power" ? "puissance" : "courant"}_${p}_${endDate}.png`;
}

export interface DayBar {
  date: string;
  volumeM3: number;
  cycles: number;
}

/**
 * m³ and cycles per local day of the period, lift channels only (only relevage counts, bug 17): closed
 * cycles bring their volume (an ongoing one brings none, bug 18), noise is left out; every day is present.
 */
export function dailyBars(cycles: readonly Cycle[], dates: readonly string[]) {
  const byDate = new Map<string, DayBar>(dates.map((d) => [d, { date: d, volumeM3: 0, cycles: 0 }]));
  for (const c of cycles) {
    if (c.noise || c.pump_type !== "relevage") continue;
    // the service's local day of the cycle: its meter's zone then (a fleet across zones, a meter that moved)
    const bar = byDate.get(c.date);
    if (!bar) continue;
    bar.cycles += 1;
    if (!c.ongoing && c.volume_m3 !== null) bar.volumeM3 += c.volume_m3;
  }
  return [...byDate.values()];
}

/**
 * Whether the daily volumes chart has nothing to draw because no flow rate is configured: no closed lift
 * cycle of the period carries a volume while some channel lacks its flow rate (or its type). An empty plot
 * would only say « 0 » without saying why (issue 21).
 */
export function volumesNeedFlowRate(cycles: readonly Cycle[], unconfigured: boolean): boolean {
  if (!unconfigured) return false;
  return !cycles.some((c) => c.pump_type === "relevage" && !c.noise && !c.ongoing && c.volume_m3 !== null);
}

/** Every calendar date from `from` to `to`, both included ("YYYY-MM-DD"). */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length < 3700; t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
