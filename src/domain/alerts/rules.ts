/**
 * The seven rules of issue 11 as pure functions of what the data showed up to a minute `t`.
 *
 * Thresholds are learned from the closed cycles that ended before the start of t's hour, within the
 * 14 days before it. Learning per hour rather than per minute makes live evaluation (one round now and
 * then) and the backtest (every minute) see the very same thresholds, and costs a sort per hour.
 */
import { type TimeOfDay, utcTimeOfDay } from "./local-time.js";
import { median, quantile, robustScale, zFrom } from "./stats.js";
import {
  type AlertCycle,
  type AlertReading,
  type Condition,
  LEARNING_MIN,
  LIMITS,
  LOOKBACK_MIN,
  type RuleId,
  type RuleOverride,
} from "./types.js";

export type Overrides = Partial<Record<RuleId, RuleOverride>>;

/** What one channel's past taught, as of the start of an hour. */
export interface Learned {
  /** the hour (unix minute) it was learned at */
  hourMinute: number;
  /** at least LEARNING_MIN of history before that hour */
  learned: boolean;
  /**
   * gaps between consecutive cycle starts: start minute of the earlier cycle, its local time of day
   * (minutes since the site's midnight) and the gap
   */
  gaps: { startMinute: number; timeOfDay: number; gapMin: number }[];
  /** the site's time of day of a minute */
  timeOfDay: TimeOfDay;
  durations: number[];
  powers: number[];
  currents: number[];
  /** median and spread of powers / currents, null below minReferenceCycles */
  powerScale: { median: number; spread: number } | null;
  durationP95: number | null;
  /** p95 of the gaps near a time of day, by last start (memo: the same for every minute of an hour) */
  inactiveP95: Map<number | null, number>;
  currentScale: { median: number; spread: number } | null;
}

const hourOf = (minute: number) => Math.floor(minute / 60) * 60;

/** Closed, real (not noise) cycles that ended before `beforeMinute`, newest last. */
function closedBefore(cycles: readonly AlertCycle[], fromMinute: number, beforeMinute: number): AlertCycle[] {
  return cycles.filter((c) => !c.noise && c.startMinute >= fromMinute && c.lastActiveMinute < beforeMinute);
}

/** Learns one channel's normal behaviour from the cycles before the hour of `t`. */
export function learnChannel(
  cycles: readonly AlertCycle[],
  t: number,
  firstMinute: number | null,
  timeOfDay: TimeOfDay = utcTimeOfDay,
): Learned {
  const hour = hourOf(t);
  const closed = closedBefore(cycles, hour - LOOKBACK_MIN, hour);
  // Every start counts for the gaps, a short run flagged as noise too: the rule's condition restarts its
  // clock at any start, and leaving the short runs out would join the gaps on either side of them.
  const started = cycles.filter((c) => c.startMinute >= hour - LOOKBACK_MIN && c.lastActiveMinute < hour);
  const gaps: Learned["gaps"] = [];
  for (let i = 1; i < started.length; i++) {
    const a = started[i - 1] as AlertCycle;
    const b = started[i] as AlertCycle;
    gaps.push({
      startMinute: a.startMinute,
      timeOfDay: timeOfDay(a.startMinute),
      gapMin: b.startMinute - a.startMinute,
    });
  }
  const powers: number[] = [];
  const currents: number[] = [];
  const durations: number[] = [];
  for (const c of closed) {
    powers.push(c.avgPowerW);
    if (c.avgCurrentA !== null) currents.push(c.avgCurrentA);
    durations.push(c.lastActiveMinute - c.startMinute);
  }
  return {
    hourMinute: hour,
    durationP95: durations.length > 0 ? quantile(durations, 0.95) : null,
    inactiveP95: new Map(),
    powerScale: powers.length >= LIMITS.minReferenceCycles ? robustScale(powers) : null,
    currentScale: currents.length >= LIMITS.minReferenceCycles ? robustScale(currents) : null,
    learned: firstMinute !== null && hour - firstMinute >= LEARNING_MIN,
    gaps,
    timeOfDay,
    durations,
    powers,
    currents,
  };
}

export interface Threshold {
  value: number | null;
  source: Condition["source"];
}

/** Distance between two times of day (minutes since midnight), across midnight. */
function circularDistance(a: number, b: number): number {
  const d = Math.abs(a - b);
  return Math.min(d, 1440 - d);
}

/**
 * The threshold a rule applies: the operator's override, else the learned value once 7 days are known,
 * else the default. Rules whose threshold is relative to the pump's own figures (dry run) have no default
 * value: while fewer than `minReferenceCycles` cycles are known they look at nothing (value null).
 */
export function thresholdOf(
  rule: RuleId,
  learned: Learned,
  override: RuleOverride | undefined,
  lastStartMinute: number | null = null,
): Threshold {
  if (override?.threshold !== undefined && override.threshold !== null) {
    return { value: override.threshold, source: "override" };
  }
  const source = learned.learned ? "learned" : "default";
  switch (rule) {
    case "pump_inactive": {
      if (!learned.learned) return { value: LIMITS.inactiveFloorMin, source };
      const known = learned.inactiveP95.get(lastStartMinute);
      if (known !== undefined)
        return { value: Math.max(LIMITS.inactiveFloorMin, LIMITS.inactiveFactor * known), source };
      const at = lastStartMinute === null ? null : learned.timeOfDay(lastStartMinute);
      const near =
        at === null
          ? []
          : learned.gaps.filter((g) => circularDistance(g.timeOfDay, at) <= LIMITS.inactiveHourWindowMin);
      // Too few gaps at that time of day to say what is usual there: all gaps of the day.
      const sample = (near.length >= 5 ? near : learned.gaps).map((g) => g.gapMin);
      const p95 = sample.length > 0 ? quantile(sample, 0.95) : 0;
      learned.inactiveP95.set(lastStartMinute, p95);
      return { value: Math.max(LIMITS.inactiveFloorMin, LIMITS.inactiveFactor * p95), source };
    }
    case "cycle_too_long": {
      if (!learned.learned || learned.durations.length === 0) return { value: LIMITS.longFloorMin, source };
      const p95 = learned.durationP95 ?? quantile(learned.durations, 0.95);
      return { value: Math.max(LIMITS.longFloorMin, LIMITS.longFactor * p95), source };
    }
    case "dry_run": {
      if (learned.powers.length < LIMITS.minReferenceCycles) return { value: null, source };
      return { value: LIMITS.dryRunShare * (learned.powerScale?.median ?? median(learned.powers)), source };
    }
    case "overload":
      return { value: LIMITS.overloadZ, source };
    case "short_cycling":
      return { value: LIMITS.shortCount, source };
    case "meter_offline":
      return { value: LIMITS.offlineMin, source: "default" };
    case "voltage":
      return { value: LIMITS.voltageLowV, source: "default" };
    // judged from the sump's measured flows (src/alerts/health.ts), not from one channel's readings
    case "pump_wear":
    case "inflow_high":
      return { value: null, source: "default" };
  }
}

/** The channel's data up to minute t, and what is configured for it. */
export interface ChannelInput {
  channel: number;
  /** stored cycles sorted by start; any that start after t are ignored */
  cycles: readonly AlertCycle[];
  /** readings sorted by minute; any after t are ignored */
  readings: readonly AlertReading[];
  /** first minute of the meter's history (null: none) */
  firstMinute: number | null;
  overrides: Overrides;
}

/** The cycles as they were known at minute t: later ones dropped, a cycle running at t cut at t. */
export function cyclesAsOf(cycles: readonly AlertCycle[], t: number): AlertCycle[] {
  const out: AlertCycle[] = [];
  for (const c of cycles) {
    if (c.startMinute > t) break;
    out.push(c.lastActiveMinute > t ? { ...c, lastActiveMinute: t } : c);
  }
  return out;
}

const off = (
  rule: RuleId,
  channel: number | null,
  threshold: Threshold,
  lowerIsWorse = false,
  value: number | null = null,
): Condition => ({
  rule,
  channel,
  active: false,
  value,
  threshold: threshold.value,
  since: null,
  source: threshold.source,
  lowerIsWorse,
});

const running = (r: AlertReading | undefined) => r?.apowerW != null && r.apowerW > LIMITS.activityW;

/** Evaluates every channel rule at minute t (`learned` from {@link learnChannel} for t's hour). */
export function evaluateChannel(input: ChannelInput, t: number, learned: Learned): Condition[] {
  const { channel, overrides } = input;
  const cycles = cyclesAsOf(input.cycles, t);
  const readings = input.readings.filter((r) => r.minute <= t && r.minute > t - 60);
  const byMinute = new Map(readings.map((r) => [r.minute, r]));
  const last = cycles[cycles.length - 1];
  const runningNow = last !== undefined && last.lastActiveMinute === t;
  const out: Condition[] = [];

  // Pompe inactive: the last start is further back than usual, and the pump is not running now.
  {
    const lastStart = last?.startMinute ?? null;
    const th = thresholdOf("pump_inactive", learned, overrides.pump_inactive, lastStart);
    if (lastStart === null || th.value === null || runningNow) {
      out.push(off("pump_inactive", channel, th));
    } else {
      const value = t - lastStart;
      const active = value > th.value;
      out.push({
        ...off("pump_inactive", channel, th, false, value),
        active,
        since: active ? lastStart + Math.floor(th.value) + 1 : null,
      });
    }
  }
  // Cycle trop long: the running cycle has lasted longer than usual.
  {
    const th = thresholdOf("cycle_too_long", learned, overrides.cycle_too_long);
    if (!runningNow || last === undefined || th.value === null) {
      out.push(off("cycle_too_long", channel, th));
    } else {
      const value = t - last.startMinute;
      const active = value > th.value;
      out.push({
        ...off("cycle_too_long", channel, th, false, value),
        active,
        since: active ? last.startMinute + Math.floor(th.value) + 1 : null,
      });
    }
  }
  // Marche à sec: running, but drawing less than 70 % of its usual power, minute after minute.
  {
    const th = thresholdOf("dry_run", learned, overrides.dry_run);
    const limit = th.value;
    const low = (r: AlertReading | undefined) =>
      limit !== null && running(r) && (r?.apowerW as number) < limit;
    let from = t;
    while (low(byMinute.get(from - 1))) from--;
    const span = low(byMinute.get(t)) ? t - from + 1 : 0;
    const active = span >= LIMITS.dryRunMin;
    const now = byMinute.get(t);
    out.push({
      ...off("dry_run", channel, th, true, running(now) ? (now?.apowerW ?? null) : null),
      active,
      since: active ? from + LIMITS.dryRunMin - 1 : null,
    });
  }
  // Surcharge: the last 6 closed cycles all far above the usual power or current.
  {
    const th = thresholdOf("overload", learned, overrides.overload);
    const limit = th.value as number;
    const closed = cycles.filter((c) => !c.noise && c.lastActiveMinute < t);
    const { powerScale, currentScale } = learned;
    const zOf = (c: AlertCycle) =>
      Math.max(
        powerScale ? zFrom(c.avgPowerW, powerScale) : 0,
        c.avgCurrentA !== null && currentScale ? zFrom(c.avgCurrentA, currentScale) : 0,
      );
    let run = 0;
    for (let i = closed.length - 1; i >= 0 && zOf(closed[i] as AlertCycle) > limit; i--) run++;
    const lastClosed = closed[closed.length - 1];
    const value = lastClosed ? zOf(lastClosed) : null;
    const active = run >= LIMITS.overloadCycles;
    const sixth = closed[closed.length - run + LIMITS.overloadCycles - 1];
    out.push({
      ...off("overload", channel, th, false, value),
      active,
      // The condition became true when the 6th high cycle of this run closed.
      since: active && sixth ? sixth.lastActiveMinute + 1 : null,
    });
  }
  // Cycles courts: starts less than 10 min apart, several times within the last hour.
  {
    const th = thresholdOf("short_cycling", learned, overrides.short_cycling);
    const limit = th.value as number;
    const recent = cycles.filter((c) => c.startMinute > t - 60);
    const before = cycles[cycles.length - recent.length - 1];
    const starts = [...(before ? [before.startMinute] : []), ...recent.map((c) => c.startMinute)];
    const shortAt: number[] = [];
    for (let i = 1; i < starts.length; i++) {
      if ((starts[i] as number) - (starts[i - 1] as number) < LIMITS.shortStartMin)
        shortAt.push(starts[i] as number);
    }
    const value = shortAt.length;
    const active = value >= limit;
    out.push({
      ...off("short_cycling", channel, th, false, value),
      active,
      since: active ? (shortAt[Math.max(0, Math.ceil(limit) - 1)] as number) : null,
    });
  }
  // Tension anormale: the median voltage of the last 10 minutes outside 207–253 V.
  {
    const override = overrides.voltage;
    const lowV = override?.threshold ?? LIMITS.voltageLowV;
    const source: Condition["source"] = override?.threshold != null ? "override" : "default";
    const windowMedian = (end: number): number | null => {
      const vs: number[] = [];
      for (let m = end - LIMITS.voltageWindowMin + 1; m <= end; m++) {
        const v = byMinute.get(m)?.voltageV;
        if (v != null && v > 0) vs.push(v);
      }
      // Fewer than half the minutes seen: not enough to say the voltage stayed anywhere.
      return vs.length * 2 >= LIMITS.voltageWindowMin ? median(vs) : null;
    };
    const outside = (v: number | null) => v !== null && (v < lowV || v > LIMITS.voltageHighV);
    const value = windowMedian(t);
    const active = outside(value);
    let from = t;
    while (active && from > t - 50 && outside(windowMedian(from - 1))) from--;
    const high = value !== null && value > LIMITS.voltageHighV;
    out.push({
      rule: "voltage",
      channel,
      active,
      value,
      threshold: high ? LIMITS.voltageHighV : lowV,
      since: active ? from : null,
      source,
      lowerIsWorse: !high,
    });
  }
  return out.map((c) => (overrides[c.rule]?.enabled === false ? { ...c, active: false, since: null } : c));
}

/** The meter's side: when its last reading was, and whether it sends readings while its pumps are off. */
export interface MeterInput {
  lastReadingMinute: number | null;
  /**
   * Meters that send every minute have readings at ≤ 10 W; a history holding only readings above 10 W
   * cannot tell offline from off, so the rule raises nothing for it.
   */
  sendsWhenIdle: boolean;
  override: RuleOverride | undefined;
}

export function evaluateMeter(input: MeterInput, now: number): Condition {
  const th: Threshold =
    input.override?.threshold != null
      ? { value: input.override.threshold, source: "override" }
      : { value: LIMITS.offlineMin, source: "default" };
  if (!input.sendsWhenIdle || input.lastReadingMinute === null || input.override?.enabled === false) {
    return off("meter_offline", null, th);
  }
  const value = now - input.lastReadingMinute;
  const limit = th.value as number;
  const active = value > limit;
  return {
    ...off("meter_offline", null, th, false, value),
    active,
    since: active ? input.lastReadingMinute + Math.floor(limit) + 1 : null,
  };
}

/** A channel's voltage this far from the meter's (the channels' median) is that channel's own fault. */
export const VOLTAGE_APART_V = 10;

/**
 * The voltage is the meter's, not a pump's: its four channels measure the same supply, so one low-voltage
 * event raised four alerts, idle channels included (issue 21). From the channels' voltage conditions at one
 * minute, this gives one meter condition (channel null), active when the channels' median voltage is out of
 * range, and keeps a channel's own condition active only when that channel alone is off: out of range while
 * the meter is not, and more than {@link VOLTAGE_APART_V} from the others. The meter condition is switched off
 * only when every channel has the rule switched off, and takes the most lenient low threshold of the enabled
 * channels (an operator who tolerates 200 V on a weak grid sets it on the channels).
 */
export function meterVoltage(
  channels: readonly { condition: Condition; override: RuleOverride | undefined }[],
  t: number,
): Condition[] {
  const looked = channels.filter((c) => c.condition.value !== null);
  const meterV = looked.length > 0 ? median(looked.map((c) => c.condition.value as number)) : null;
  const enabled = channels.filter((c) => c.override?.enabled !== false);
  const lowV =
    enabled.length > 0
      ? Math.min(...enabled.map((c) => c.override?.threshold ?? LIMITS.voltageLowV))
      : LIMITS.voltageLowV;
  const forced = enabled.some((c) => c.override?.threshold != null);
  const outside = (v: number | null) => v !== null && (v < lowV || v > LIMITS.voltageHighV);
  const high = meterV !== null && meterV > LIMITS.voltageHighV;
  const active = enabled.length > 0 && outside(meterV);
  const sinces = channels.flatMap((c) =>
    c.condition.active && c.condition.since !== null ? [c.condition.since] : [],
  );
  const meter: Condition = {
    rule: "voltage",
    channel: null,
    active,
    value: meterV,
    threshold: high ? LIMITS.voltageHighV : lowV,
    // the channels' windows saw the same minutes: the earliest of theirs is when the meter's went out
    since: active ? (sinces.length > 0 ? Math.min(...sinces) : t) : null,
    source: forced ? "override" : "default",
    lowerIsWorse: !high,
  };
  const own = channels.map(({ condition: c }) => {
    const alone =
      c.active &&
      c.value !== null &&
      meterV !== null &&
      !outside(meterV) &&
      Math.abs(c.value - meterV) > VOLTAGE_APART_V;
    return alone ? c : { ...c, active: false, since: null };
  });
  return [meter, ...own];
}
