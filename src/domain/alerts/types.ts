/** The alert rules of issue 11 as pure data: ids, severities, defaults. Times are unix minutes. */

export const RULE_IDS = [
  "pump_inactive",
  "cycle_too_long",
  "dry_run",
  "overload",
  "short_cycling",
  "meter_offline",
  "voltage",
  "pump_wear",
  "inflow_high",
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * The pump-health rules (issue 17, src/domain/pump-health/alerts.ts): judged hourly from the measured flows of
 * a sump, not minute by minute from the readings. `inflow_high` is about the sump; it is reported on the
 * sump's first pump.
 */
export const HEALTH_RULES = ["pump_wear", "inflow_high"] as const;
export type HealthRuleId = (typeof HEALTH_RULES)[number];
export const isHealthRule = (r: RuleId): r is HealthRuleId => (HEALTH_RULES as readonly RuleId[]).includes(r);

/** The seven rules judged from the readings and cycles of one pump; `meter_offline` is about the whole meter. */
export const CHANNEL_RULES: readonly Exclude<RuleId, HealthRuleId>[] = RULE_IDS.filter(
  (r): r is Exclude<RuleId, HealthRuleId> => r !== "meter_offline" && !isHealthRule(r),
);

export type Severity = "critical" | "warning";

export const SEVERITY: Readonly<Record<RuleId, Severity>> = {
  pump_inactive: "critical",
  cycle_too_long: "critical",
  dry_run: "critical",
  overload: "warning",
  short_cycling: "warning",
  meter_offline: "critical",
  voltage: "warning",
  pump_wear: "warning",
  inflow_high: "warning",
};

/** Minutes of history a rule needs before its threshold is learned rather than the default. */
export const LEARNING_MIN = 7 * 1440;
/** Learned thresholds look this far back. */
export const LOOKBACK_MIN = 14 * 1440;
/** A condition must stay clear this long before its alert resolves (hysteresis). */
export const CLEAR_MIN = 5;

export const LIMITS = {
  /** pump_inactive: never below 2 h, else 3 × p95 of the gaps between starts at that time of day */
  inactiveFloorMin: 120,
  inactiveFactor: 3,
  /** ± this many minutes of time of day count as "the same hours" */
  inactiveHourWindowMin: 120,
  /** cycle_too_long: never below 12 min, else 3 × p95 of the durations */
  longFloorMin: 12,
  longFactor: 3,
  /** dry_run: power below this share of the median running power for dryRunMin minutes */
  dryRunShare: 0.7,
  dryRunMin: 2,
  /** overload: robust z above this on this many consecutive cycles */
  overloadZ: 3.5,
  overloadCycles: 6,
  /** short_cycling: starts closer than this … */
  shortStartMin: 10,
  /** … at least this many times within the last hour */
  shortCount: 3,
  /** meter_offline: no reading for more than this many minutes */
  offlineMin: 10,
  /** voltage: the median of the last 10 minutes outside this range */
  voltageLowV: 207,
  voltageHighV: 253,
  voltageWindowMin: 10,
  /** a reading is "running" above this power (the predecessor's 10 W activity threshold) */
  activityW: 10,
  /** reference statistics (medians, MAD) need at least this many closed cycles */
  minReferenceCycles: 10,
} as const;

/** What the evaluator knows of a cycle: the stored cycle, seen at some minute. */
export interface AlertCycle {
  startMinute: number;
  lastActiveMinute: number;
  noise: boolean;
  avgPowerW: number;
  avgCurrentA: number | null;
}

/** One minute of one channel. */
export interface AlertReading {
  minute: number;
  apowerW: number | null;
  currentA: number | null;
  voltageV: number | null;
}

/** An operator's choice for one rule of one channel (or the meter). */
export interface RuleOverride {
  enabled: boolean;
  /** replaces the learned/default threshold, in the rule's unit (see `THRESHOLD_UNIT`) */
  threshold: number | null;
}

/** The unit of each rule's threshold and value, as shown to operators. */
export const THRESHOLD_UNIT: Readonly<Record<RuleId, string>> = {
  pump_inactive: "min",
  cycle_too_long: "min",
  dry_run: "W",
  overload: "z",
  short_cycling: "cycles/h",
  meter_offline: "min",
  voltage: "V",
  /** the median measured flow of the last 20 qualifying cycles against (1 − 0.1) × the baseline */
  pump_wear: "m³/h",
  /** the sump's inflow over the last 24 h against 1.5 × the p20 of its daily inflow */
  inflow_high: "m³",
};

/** A rule's verdict at one minute. `since` is the data minute at which the condition became true. */
export interface Condition {
  rule: RuleId;
  /** null for meter-wide rules */
  channel: number | null;
  active: boolean;
  /** the measured value (unit of THRESHOLD_UNIT); null when the rule could not look */
  value: number | null;
  threshold: number | null;
  since: number | null;
  /** where the threshold came from */
  source: "learned" | "default" | "override";
  /** a lower value is worse (dry run, low voltage) */
  lowerIsWorse: boolean;
}
