/**
 * The backtest: the rules replayed minute by minute over a past period, with what each minute knew
 * (cycles and readings up to it, thresholds learned before its hour), through the same lifecycle as live
 * evaluation. Stores and sends nothing.
 */
import { type Change, type OpenAlert, step } from "./lifecycle.js";
import type { TimeOfDay } from "./local-time.js";
import {
  evaluateChannel,
  evaluateMeter,
  type Learned,
  learnChannel,
  meterVoltage,
  type Overrides,
} from "./rules.js";
import type { AlertCycle, AlertReading, Condition, RuleId, RuleOverride } from "./types.js";

/**
 * The rules of a minute look at the last start, the running cycle, the last 6 closed cycles and the starts
 * of the last hour; 64 cycles cover that for any pump that ever runs at least 2 minutes.
 */
const RECENT_CYCLES = 64;

export interface ReplayChannel {
  channel: number;
  /** sorted by start, from at least 14 days before the period */
  cycles: readonly AlertCycle[];
  /** sorted by minute, from at least an hour before the period */
  readings: readonly AlertReading[];
  overrides: Overrides;
}

export interface ReplayInput {
  fromMinute: number;
  toMinute: number;
  firstMinute: number | null;
  channels: readonly ReplayChannel[];
  /** include the meter-wide rule */
  meter: {
    sendsWhenIdle: boolean;
    override: RuleOverride | undefined;
    /**
     * minutes of imported filtered history (only readings above 10 W were kept): silence there is pumps
     * off, so whether the meter was offline cannot be told
     */
    filteredAt?: (minute: number) => boolean;
  } | null;
  /** minutes [from, to) inside a maintenance window of a channel (null key: the whole meter) */
  silencedAt?: (channel: number | null, minute: number) => boolean;
  /** the site's time of day (default UTC), for the hours of Pompe inactive */
  timeOfDay?: TimeOfDay;
}

export interface ReplayedAlert {
  channel: number | null;
  rule: RuleId;
  startedMinute: number;
  /** null: still open at the end of the period */
  endedMinute: number | null;
  value: number;
  threshold: number | null;
}

/** Readings with minute in (t − 60, t], by sliding indexes over the sorted list. */
class Window<T extends { minute: number }> {
  private lo = 0;
  private hi = 0;
  constructor(private readonly items: readonly T[]) {}
  at(t: number): T[] {
    while (this.hi < this.items.length && (this.items[this.hi] as T).minute <= t) this.hi++;
    while (this.lo < this.hi && (this.items[this.lo] as T).minute <= t - 60) this.lo++;
    return this.items.slice(this.lo, this.hi);
  }
}

export function replay(input: ReplayInput): ReplayedAlert[] {
  const done: ReplayedAlert[] = [];
  const open = new Map<string, { alert: OpenAlert; condition: Condition }>();
  const windows = input.channels.map((c) => new Window(c.readings));
  const allReadings = input.channels.flatMap((c) => c.readings.map((r) => r.minute)).sort((a, b) => a - b);
  let lastIdx = 0;
  const learned: (Learned | null)[] = input.channels.map(() => null);
  // Index of the first cycle starting after t, per channel: a minute's rules look at the latest cycles only.
  const next = input.channels.map(() => 0);

  const apply = (key: string, condition: Condition, t: number, silenced: boolean) => {
    const current = open.get(key) ?? null;
    const change: Change = step(current?.alert ?? null, condition, t, { silenced, mayOpen: true });
    if (change.kind === "open" || change.kind === "update") open.set(key, { alert: change.alert, condition });
    if (change.kind === "resolve" && current) {
      open.delete(key);
      done.push(toReplayed(current, change.endedMinute));
    }
  };

  for (let t = input.fromMinute; t < input.toMinute; t++) {
    while (lastIdx < allReadings.length && (allReadings[lastIdx] as number) <= t) lastIdx++;
    const lastReading = lastIdx > 0 ? (allReadings[lastIdx - 1] as number) : null;
    const voltage: Parameters<typeof meterVoltage>[0][number][] = [];
    input.channels.forEach((ch, i) => {
      const readings = (windows[i] as Window<AlertReading>).at(t);
      let l = learned[i] ?? null;
      if (l === null || l.hourMinute !== Math.floor(t / 60) * 60) {
        l = learnChannel(ch.cycles, t, input.firstMinute, input.timeOfDay);
        learned[i] = l;
      }
      let n = next[i] as number;
      while (n < ch.cycles.length && (ch.cycles[n] as AlertCycle).startMinute <= t) n++;
      next[i] = n;
      const conditions = evaluateChannel(
        {
          channel: ch.channel,
          cycles: ch.cycles.slice(Math.max(0, n - RECENT_CYCLES), n),
          readings,
          firstMinute: input.firstMinute,
          overrides: ch.overrides,
        },
        t,
        l,
      );
      for (const c of conditions) {
        // with every channel replayed, the voltage is judged for the meter below, as live evaluation does
        if (c.rule === "voltage" && input.meter)
          voltage.push({ condition: c, override: ch.overrides.voltage });
        else apply(`${c.rule}:${ch.channel}`, c, t, input.silencedAt?.(ch.channel, t) ?? false);
      }
    });
    for (const c of input.meter ? meterVoltage(voltage, t) : []) {
      apply(`voltage:${c.channel ?? ""}`, c, t, input.silencedAt?.(c.channel, t) ?? false);
    }
    if (input.meter) {
      const { filteredAt, ...meter } = input.meter;
      const c = evaluateMeter(
        {
          lastReadingMinute: lastReading,
          ...meter,
          sendsWhenIdle: meter.sendsWhenIdle && !(filteredAt?.(t) ?? false),
        },
        t,
      );
      apply("meter_offline:", c, t, input.silencedAt?.(null, t) ?? false);
    }
  }
  for (const current of open.values()) done.push(toReplayed(current, null));
  return done.sort((a, b) => a.startedMinute - b.startedMinute || a.rule.localeCompare(b.rule));
}

function toReplayed(
  current: { alert: OpenAlert; condition: Condition },
  endedMinute: number | null,
): ReplayedAlert {
  return {
    channel: current.condition.channel,
    rule: current.condition.rule,
    startedMinute: current.alert.startedMinute,
    endedMinute,
    value: current.alert.peak,
    threshold: current.alert.threshold,
  };
}
