/**
 * The two pump-health alert rules (issue 17) as pure functions, and their replay over a sump's history (the
 * backtest, and the tests against the simulator).
 *
 * - `pump_wear` (warning): the median measured flow of the pump's last 20 qualifying cycles below
 *   (1 − threshold) × its baseline; threshold 0.1 by default. A median of 20 cycles (two or three days of a
 *   small plant) is the persistence: one odd fill does not move it.
 * - `inflow_high` (warning): the sump's inflow over the last 24 h above threshold × the 20th percentile of its
 *   daily inflow over the previous 90 days, at least 14 of them; threshold 1.5 by default (rain, infiltration).
 */

import { quantile } from "../alerts/stats.js";
import { median } from "../cycles/detect.js";
import { baselineFlow, type DayBounds, type HealthCycle, inflowCurve, pumpedVolumes } from "./daily.js";
import type { MeasuredCycle } from "./volumetric.js";

export const WEAR_CYCLES = 20;
/** days of measured flow the baseline is the median of (daily.ts's baselineFlow default) */
const BASELINE_DAYS = 14;
export const DEFAULT_WEAR_THRESHOLD = 0.1;
export const INFLOW_HISTORY_DAYS = 90;
export const INFLOW_MIN_DAYS = 14;
export const DEFAULT_INFLOW_THRESHOLD = 1.5;

export interface HealthCondition {
  active: boolean;
  /** pump_wear: the median flow, m³/h; inflow_high: the last 24 h's inflow, m³; null: nothing to judge */
  value: number | null;
  /** pump_wear: (1 − threshold) × baseline, m³/h; inflow_high: threshold × p20, m³ */
  limit: number | null;
  /** the limit without the operator's: what the baseline / the daily inflow taught (rules screen) */
  learnedLimit: number | null;
}

/** `flows`: the pump's qualifying measured flows, oldest first, up to now. */
export function pumpWear(
  flows: readonly number[],
  baselineM3h: number | null,
  threshold = DEFAULT_WEAR_THRESHOLD,
  /** the operator's limit, m³/h (replaces (1 − threshold) × baseline) */
  limitM3h: number | null = null,
): HealthCondition {
  const learnedLimit = baselineM3h === null ? null : (1 - threshold) * baselineM3h;
  const limit = limitM3h ?? learnedLimit;
  if (limit === null || flows.length < WEAR_CYCLES)
    return { active: false, value: null, limit, learnedLimit };
  const value = median(flows.slice(-WEAR_CYCLES)) as number;
  return { active: value < limit, value, limit, learnedLimit };
}

/** `previousDays`: the sump's daily inflow over the days before (null: unknown), any order. */
export function inflowHigh(
  last24hM3: number | null,
  previousDays: readonly (number | null)[],
  threshold = DEFAULT_INFLOW_THRESHOLD,
  /** the operator's limit, m³ in 24 h (replaces threshold × p20) */
  limitM3: number | null = null,
): HealthCondition {
  const known = previousDays.filter((d): d is number => d !== null).slice(-INFLOW_HISTORY_DAYS);
  const learnedLimit = known.length < INFLOW_MIN_DAYS ? null : threshold * quantile(known, 0.2);
  const limit = limitM3 ?? learnedLimit;
  if (last24hM3 === null || limit === null) return { active: false, value: last24hM3, limit, learnedLimit };
  return { active: last24hM3 > limit, value: last24hM3, limit, learnedLimit };
}

export interface HealthAlert {
  rule: "pump_wear" | "inflow_high";
  /** null: the sump (inflow_high) */
  channel: number | null;
  startedS: number;
  /** null: still raised at the end */
  endedS: number | null;
  value: number;
  limit: number;
}

export interface HealthReplayInput {
  /** every cycle of the sump's pumps, from before the baselines and 90 days before the period */
  cycles: readonly HealthCycle[];
  measured: readonly MeasuredCycle[];
  volumeM3: number;
  /** the local days covering the cycles (for the daily medians and the daily inflow) */
  days: readonly DayBounds[];
  dateOf: (unixS: number) => string;
  flowRateOf: (channel: number, date: string) => number | null;
  /** per pump, the first local date of its baseline */
  baselineSince: ReadonlyMap<number, string>;
  fromS: number;
  toS: number;
  /** how often the rules look (default hourly, as the live rounds learn) */
  stepS?: number;
  wearThreshold?: number;
  inflowThreshold?: number;
  /** the operator's limits (m³/h per pump; m³ for the sump), replacing the learned ones */
  wearLimitOf?: (channel: number) => number | null;
  inflowLimit?: number | null;
  /** the channel inflow_high is reported on (the sump's first pump); default null */
  inflowChannel?: number | null;
}

/** One rule's verdict at one step: the pump's wear, or the sump's inflow. */
export interface HealthStep {
  rule: HealthAlert["rule"];
  channel: number | null;
  condition: HealthCondition;
}

/**
 * What the two rules see, step by step: call it with increasing instants (unix s), each seeing only what had
 * happened by then. The live evaluator takes one step at the start of the hour, the backtest every hour.
 */
export function healthStepper(input: HealthReplayInput): (t: number) => HealthStep[] {
  const { cycles, measured } = input;
  const dates = cycles.map((c) => input.dateOf(c.startS ?? c.startMinute * 60));
  // Daily medians per pump, and the water each cycle moved: known at the end of each day, used after it.
  const perPumpDay = new Map<string, number[]>();
  for (let i = 0; i < cycles.length; i++) {
    const m = measured[i] as MeasuredCycle;
    if (m.flowM3h === null) continue;
    const key = `${m.channel}/${dates[i]}`;
    (perPumpDay.get(key) ?? perPumpDay.set(key, []).get(key) ?? []).push(m.flowM3h);
  }
  const dayMedian = new Map<string, number | null>();
  for (const [k, flows] of perPumpDay) dayMedian.set(k, median(flows));
  const pumped = pumpedVolumes(cycles, measured, dates, dayMedian, new Map(), input.flowRateOf);
  const at = inflowCurve(cycles, measured, pumped, input.volumeM3);
  const dailyInflow = input.days.map((d) => {
    const a = at(d.startS);
    const b = at(d.endS);
    return a === null || b === null ? null : Math.max(0, b - a);
  });
  const dayIndex = new Map(input.days.map((d, i) => [d.date, i]));

  const pumps = [...input.baselineSince.keys()];
  // Each pump's baseline, and the last of its 14 days: it is known from the day after.
  const baselines = new Map<number, { flowM3h: number; lastDate: string } | null>();
  for (const ch of pumps) {
    const since = input.baselineSince.get(ch) as string;
    const days = input.days
      .map((d) => ({ date: d.date, measuredFlowM3h: dayMedian.get(`${ch}/${d.date}`) ?? null }))
      .filter((d) => d.date >= since && d.measuredFlowM3h !== null);
    const flow = baselineFlow(days, since);
    const last = days[BASELINE_DAYS - 1];
    baselines.set(ch, flow === null || !last ? null : { flowM3h: flow, lastDate: last.date });
  }
  const qualifying = cycles
    .map((c, i) => ({ c, m: measured[i] as MeasuredCycle }))
    .filter((x) => x.m.flowM3h !== null && x.c.stopS !== null)
    .sort((a, b) => (a.c.stopS as number) - (b.c.stopS as number));
  const flowsOf = new Map<number, number[]>(pumps.map((p) => [p, []]));
  let q = 0;
  return (t: number) => {
    while (q < qualifying.length && (qualifying[q]?.c.stopS as number) <= t) {
      const x = qualifying[q] as (typeof qualifying)[number];
      flowsOf.get(x.c.channel)?.push(x.m.flowM3h as number);
      q++;
    }
    const today = input.dateOf(t);
    const out: HealthStep[] = [];
    for (const ch of pumps) {
      const b = baselines.get(ch);
      const baseline = b && b.lastDate < today ? b.flowM3h : null;
      out.push({
        rule: "pump_wear",
        channel: ch,
        condition: pumpWear(
          flowsOf.get(ch) ?? [],
          baseline,
          input.wearThreshold,
          input.wearLimitOf?.(ch) ?? null,
        ),
      });
    }
    // the 24 h up to the last instant the level was known: a step sees no stop after it (the live round
    // does not have them; the replay must not use them)
    const known = at.lastKnownAt(t);
    const a = known === null ? null : at(known - 86_400);
    const z = known === null ? null : at(known);
    const k = dayIndex.get(today);
    const previous = k === undefined ? [] : dailyInflow.slice(Math.max(0, k - INFLOW_HISTORY_DAYS), k);
    out.push({
      rule: "inflow_high",
      channel: input.inflowChannel ?? null,
      condition: inflowHigh(
        a === null || z === null ? null : Math.max(0, z - a),
        previous,
        input.inflowThreshold,
        input.inflowLimit ?? null,
      ),
    });
    return out;
  };
}

/** The two rules replayed over [fromS, toS), each step seeing only what had happened by then. */
export function replayHealthAlerts(input: HealthReplayInput): HealthAlert[] {
  const stepper = healthStepper(input);
  const open = new Map<string, HealthAlert>();
  const out: HealthAlert[] = [];
  const stepS = input.stepS ?? 3600;
  for (let t = input.fromS; t < input.toS; t += stepS) {
    for (const { rule, channel, condition: cond } of stepper(t)) {
      const key = `${rule}/${channel ?? ""}`;
      const current = open.get(key);
      if (cond.active && !current) {
        const alert: HealthAlert = {
          rule,
          channel,
          startedS: t,
          endedS: null,
          value: cond.value as number,
          limit: cond.limit as number,
        };
        open.set(key, alert);
        out.push(alert);
      } else if (cond.active && current) {
        // the worst value seen while open, as the other rules keep their peak
        current.value =
          rule === "pump_wear"
            ? Math.min(current.value, cond.value as number)
            : Math.max(current.value, cond.value as number);
      } else if (!cond.active && current && cond.value !== null) {
        current.endedS = t;
        open.delete(key);
      }
    }
  }
  return out;
}
