/**
 * The life of one alert (one rule on one channel): opened once, its peak kept, resolved once its
 * condition has stayed clear for CLEAR_MIN minutes. Pure: the evaluator applies the returned change to
 * the stored alert, the backtest to an in-memory one, so both follow the same rule.
 */
import { CLEAR_MIN, type Condition } from "./types.js";

export interface OpenAlert {
  startedMinute: number;
  /** the worst value seen while open */
  peak: number;
  threshold: number | null;
  /** first minute of the current clear stretch, null while the condition holds */
  clearSince: number | null;
}

export type Change =
  | { kind: "none" }
  | { kind: "open"; alert: OpenAlert }
  | { kind: "update"; alert: OpenAlert }
  | { kind: "resolve"; endedMinute: number };

export interface StepContext {
  /** a maintenance window covers this channel now: nothing new opens */
  silenced: boolean;
  /**
   * The data evaluated is current (not a backfill of the past): only then may an alert open. A late
   * batch of old readings can still resolve what it explains, never raise anything.
   */
  mayOpen: boolean;
}

function worse(condition: Condition, a: number, b: number): number {
  return condition.lowerIsWorse ? Math.min(a, b) : Math.max(a, b);
}

/** What evaluating `condition` at minute `t` does to the alert of its rule and channel (`open`, if any). */
export function step(open: OpenAlert | null, condition: Condition, t: number, context: StepContext): Change {
  if (open === null) {
    if (!condition.active || context.silenced || !context.mayOpen || condition.value === null) {
      return { kind: "none" };
    }
    return {
      kind: "open",
      alert: {
        startedMinute: condition.since ?? t,
        peak: condition.value,
        threshold: condition.threshold,
        clearSince: null,
      },
    };
  }
  if (condition.active) {
    const peak = condition.value === null ? open.peak : worse(condition, open.peak, condition.value);
    if (peak === open.peak && open.clearSince === null) return { kind: "none" };
    return { kind: "update", alert: { ...open, peak, clearSince: null } };
  }
  const clearSince = open.clearSince ?? t;
  if (t - clearSince >= CLEAR_MIN) return { kind: "resolve", endedMinute: clearSince };
  if (clearSince === open.clearSince) return { kind: "none" };
  return { kind: "update", alert: { ...open, clearSince } };
}
