import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AlertCycle,
  type AlertReading,
  type Condition,
  evaluateChannel,
  evaluateMeter,
  learnChannel,
  meterVoltage,
  type OpenAlert,
  quantile,
  replay,
  robustZ,
  step,
  thresholdOf,
} from "./index.js";

const DAY = 1440;
const T0 = 29_000_160; // a unix minute at midnight UTC (2025-02-20)

/** A pump that starts every `period` minutes and runs `duration` minutes at `powerW`. */
function regularCycles(
  from: number,
  to: number,
  period: number,
  duration: number,
  powerW = 800,
): AlertCycle[] {
  const out: AlertCycle[] = [];
  for (let s = from; s + duration < to; s += period) {
    out.push({
      startMinute: s,
      lastActiveMinute: s + duration,
      noise: false,
      avgPowerW: powerW,
      avgCurrentA: powerW / 184,
    });
  }
  return out;
}

/** Per-minute readings consistent with the cycles (off: 0 W), 230 V. */
function readingsOf(
  cycles: readonly AlertCycle[],
  from: number,
  to: number,
  powerAt?: (m: number) => number | null,
): AlertReading[] {
  const out: AlertReading[] = [];
  let i = 0;
  for (let m = from; m < to; m++) {
    while (i < cycles.length && (cycles[i] as AlertCycle).lastActiveMinute < m) i++;
    const c = cycles[i];
    const on = c !== undefined && c.startMinute <= m && m <= c.lastActiveMinute;
    const p = powerAt?.(m) ?? (on ? (c as AlertCycle).avgPowerW : 0);
    out.push({ minute: m, apowerW: p, currentA: p / 184, voltageV: 230 });
  }
  return out;
}

describe("order statistics", () => {
  it("a quantile lies within the sample and grows with p", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, p, q) => {
          const [a, b] = p <= q ? [p, q] : [q, p];
          expect(quantile(xs, a)).toBeGreaterThanOrEqual(Math.min(...xs));
          expect(quantile(xs, b)).toBeLessThanOrEqual(Math.max(...xs));
          expect(quantile(xs, a)).toBeLessThanOrEqual(quantile(xs, b) + 1e-9);
        },
      ),
    );
  });

  it("the p95 of 1..20 is 19.05 (closest ranks interpolated)", () => {
    expect(
      quantile(
        Array.from({ length: 20 }, (_, i) => i + 1),
        0.95,
      ),
    ).toBeCloseTo(19.05, 10);
  });

  it("a robust z-score does not depend on the unit", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 100, max: 2000, noNaN: true }), { minLength: 3, maxLength: 40 }),
        fc.double({ min: 100, max: 3000, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (ref, x, k) => {
          expect(
            robustZ(
              x * k,
              ref.map((v) => v * k),
            ),
          ).toBeCloseTo(robustZ(x, ref), 6);
        },
      ),
    );
  });
});

describe("thresholds", () => {
  it("never go below the floors, whatever the history, and stay at the defaults before 7 days", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 600 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 20 }),
        (period, duration, days) => {
          const t = T0 + 20 * DAY;
          const first = t - days * DAY;
          const cycles = regularCycles(first, t, Math.max(period, duration + 2), duration);
          const learned = learnChannel(cycles, t, first);
          const inactive = thresholdOf(
            "pump_inactive",
            learned,
            undefined,
            cycles.at(-1)?.startMinute ?? null,
          );
          const long = thresholdOf("cycle_too_long", learned, undefined);
          expect(inactive.value).toBeGreaterThanOrEqual(120);
          expect(long.value).toBeGreaterThanOrEqual(12);
          if (days < 7) {
            expect(inactive).toEqual({ value: 120, source: "default" });
            expect(long).toEqual({ value: 12, source: "default" });
          } else {
            expect(inactive.source).toBe("learned");
          }
        },
      ),
    );
  });

  it("learn 3 × p95 once the floors are passed (a pump every 90 min, 20 min runs)", () => {
    const t = T0 + 20 * DAY;
    const cycles = regularCycles(T0, t, 90, 20);
    const learned = learnChannel(cycles, t, T0);
    expect(thresholdOf("pump_inactive", learned, undefined, cycles.at(-1)?.startMinute ?? null).value).toBe(
      270,
    );
    expect(thresholdOf("cycle_too_long", learned, undefined).value).toBe(60);
    expect(thresholdOf("dry_run", learned, undefined).value).toBeCloseTo(560, 9);
  });

  it("an override wins over the learned value", () => {
    const learned = learnChannel(regularCycles(T0, T0 + 20 * DAY, 90, 20), T0 + 20 * DAY, T0);
    expect(thresholdOf("pump_inactive", learned, { enabled: true, threshold: 400 })).toEqual({
      value: 400,
      source: "override",
    });
  });
});

const cond = (active: boolean, value: number, since: number | null = null): Condition => ({
  rule: "dry_run",
  channel: 0,
  active,
  value,
  threshold: 10,
  since,
  source: "default",
  lowerIsWorse: false,
});

describe("lifecycle", () => {
  it("opens once, keeps the peak, and resolves only after 5 clear minutes in a row", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ active: fc.boolean(), value: fc.integer({ min: 0, max: 100 }) }), {
          maxLength: 200,
        }),
        fc.boolean(),
        (seq, silenced) => {
          let open: OpenAlert | null = null;
          let opens = 0;
          let peak = -1;
          let clearRun = 0;
          seq.forEach((s, t) => {
            const change = step(open, cond(s.active, s.value), t, { silenced, mayOpen: true });
            clearRun = s.active ? 0 : clearRun + 1;
            if (change.kind === "open") {
              expect(open).toBeNull();
              expect(s.active && !silenced).toBe(true);
              opens++;
              peak = s.value;
              open = change.alert;
            } else if (change.kind === "update") {
              open = change.alert;
            } else if (change.kind === "resolve") {
              expect(clearRun).toBe(6);
              expect(change.endedMinute).toBe(t - 5);
              open = null;
            }
            if (open && s.active) peak = Math.max(peak, s.value);
            if (open) expect(open.peak).toBe(peak);
            if (!open && s.active && !silenced) expect.unreachable("an active condition left without alert");
          });
          if (silenced) expect(opens).toBe(0);
        },
      ),
    );
  });

  it("never opens from a backfill", () => {
    expect(step(null, cond(true, 5, 3), 10, { silenced: false, mayOpen: false })).toEqual({ kind: "none" });
  });
});

describe("rules", () => {
  const first = T0;
  const t = T0 + 10 * DAY;

  it("Marche à sec: 2 minutes below 70 % of the usual power while running", () => {
    const cycles = regularCycles(first, t + 60, 90, 20);
    const running = cycles.at(-1) as AlertCycle;
    const dryFrom = running.startMinute + 5;
    const readings = readingsOf(cycles, t - 120, t + 60, (m) =>
      m >= dryFrom && m <= running.lastActiveMinute ? 440 : null,
    );
    const learned = learnChannel(cycles, dryFrom, first);
    const at = (m: number) =>
      evaluateChannel({ channel: 1, cycles, readings, firstMinute: first, overrides: {} }, m, learned).find(
        (c) => c.rule === "dry_run",
      );
    expect(at(dryFrom)?.active).toBe(false);
    expect(at(dryFrom + 1)).toMatchObject({ active: true, since: dryFrom + 1, value: 440 });
    expect(at(running.lastActiveMinute + 1)?.active).toBe(false);
  });

  it("Compteur hors ligne: only past 10 minutes, and never for a history of readings above 10 W only", () => {
    expect(
      evaluateMeter({ lastReadingMinute: 100, sendsWhenIdle: true, override: undefined }, 110).active,
    ).toBe(false);
    expect(
      evaluateMeter({ lastReadingMinute: 100, sendsWhenIdle: true, override: undefined }, 111),
    ).toMatchObject({
      active: true,
      since: 111,
      value: 11,
    });
    expect(
      evaluateMeter({ lastReadingMinute: 100, sendsWhenIdle: false, override: undefined }, 500).active,
    ).toBe(false);
  });
});

describe("backtest replay", () => {
  it("a regular pump raises nothing over weeks; a 6 h stop raises Pompe inactive once, resolved by the restart", () => {
    const to = T0 + 21 * DAY;
    const stopFrom = T0 + 15 * DAY + 600;
    const stopTo = stopFrom + 360;
    const normal = regularCycles(T0, to, 90, 20);
    const faulty = normal.filter((c) => c.startMinute < stopFrom || c.startMinute >= stopTo);
    const run = (cycles: AlertCycle[]) =>
      replay({
        fromMinute: T0 + 8 * DAY,
        toMinute: to,
        firstMinute: T0,
        channels: [
          { channel: 0, cycles, readings: readingsOf(cycles, T0 + 8 * DAY - 60, to), overrides: {} },
        ],
        meter: { sendsWhenIdle: true, override: undefined },
      });
    expect(run(normal)).toEqual([]);
    const alerts = run(faulty);
    expect(alerts).toHaveLength(1);
    const lastStart = (faulty.filter((c) => c.startMinute < stopFrom).at(-1) as AlertCycle).startMinute;
    const restart = (faulty.find((c) => c.startMinute >= stopTo) as AlertCycle).startMinute;
    expect(alerts[0]).toMatchObject({
      rule: "pump_inactive",
      channel: 0,
      startedMinute: lastStart + 271,
      endedMinute: restart,
      threshold: 270,
    });
  });
});

describe("Tension anormale: the meter's voltage, one alert per supply fault (issue 21)", () => {
  const from = T0 + 8 * DAY;
  const to = from + 240;
  const dipFrom = from + 60;
  const dipTo = dipFrom + 30;
  /** Four channels: two pumps, a spare and an idle one, each reading `voltOf(channel, minute)`. */
  const meter = (voltOf: (channel: number, m: number) => number) =>
    [0, 1, 2, 3].map((channel) => {
      const cycles = channel < 2 ? regularCycles(T0, to, 45, 8) : [];
      return {
        channel,
        cycles,
        readings: readingsOf(cycles, from - 60, to).map((r) => ({
          ...r,
          voltageV: voltOf(channel, r.minute),
        })),
        overrides: {},
      };
    });
  const run = (voltOf: (channel: number, m: number) => number) =>
    replay({
      fromMinute: from,
      toMinute: to,
      firstMinute: T0,
      channels: meter(voltOf),
      meter: { sendsWhenIdle: true, override: undefined },
    }).filter((a) => a.rule === "voltage");
  const inDip = (m: number) => m >= dipFrom && m < dipTo;

  it("195 V for 30 minutes on the whole meter: one alert, channel null, not one per channel", () => {
    const alerts = run((ch, m) => (inDip(m) ? 195 : 229 + ch * 0.4));
    expect(alerts).toHaveLength(1);
    // the 10-minute median goes below 207 V once 6 of its minutes are in the dip
    expect(alerts[0]).toMatchObject({
      channel: null,
      startedMinute: dipFrom + 5,
      value: 195,
      threshold: 207,
    });
    // ended at the first minute whose median is clear again (5 of its 10 minutes back at 229 V), resolved
    // once it stayed clear for 5 minutes
    expect(alerts[0]?.endedMinute).toBe(dipTo + 4);
  });

  it("one channel alone at 195 V (its own wiring) raises that channel's alert only", () => {
    const alerts = run((ch, m) => (ch === 2 && inDip(m) ? 195 : 230));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ channel: 2, value: 195 });
  });

  it("channels a volt apart crossing 207 V at different minutes still make one meter alert", () => {
    const alerts = run((ch, m) => (inDip(m) ? 206.5 - ch * 0.5 + (m - dipFrom) / 100 : 230));
    expect(alerts.map((a) => a.channel)).toEqual([null]);
  });

  it("any mix of channel voltages: a channel alert only for a channel far from a meter in range", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(null), fc.double({ min: 150, max: 280, noNaN: true })), {
          minLength: 4,
          maxLength: 4,
        }),
        (values) => {
          const conditions = values.map((value, channel) => {
            const active = value !== null && (value < 207 || value > 253);
            const condition: Condition = {
              rule: "voltage",
              channel,
              active,
              value,
              threshold: 207,
              since: active ? T0 : null,
              source: "default",
              lowerIsWorse: true,
            };
            return { condition, override: undefined };
          });
          const [m, ...own] = meterVoltage(conditions, T0);
          const seen = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
          expect(m?.channel).toBeNull();
          if (m?.active) expect(own.every((c) => !c.active)).toBe(true);
          for (const c of own) {
            if (c.active) {
              expect(Math.abs((c.value as number) - (m?.value as number))).toBeGreaterThan(10);
              expect(seen.length).toBeGreaterThan(1);
            }
          }
          // all channels out of range on the same side: the meter's alert, never the channels'
          if (seen.length > 0 && seen.every((v) => v < 207)) {
            expect(m?.active).toBe(true);
            expect(own.some((c) => c.active)).toBe(false);
          }
        },
      ),
    );
  });
});
