import { describe, expect, it } from "vitest";
import { type HealthAlert, replayHealthAlerts } from "../src/domain/pump-health/alerts.js";
import { measureSump } from "../src/domain/pump-health/volumetric.js";
import { DAY, type Simulated, simulateWetWell } from "./wet-well.js";

// pump_wear and inflow_high replayed hour by hour over the simulator's wet well (domain level: readings →
// cycles → edges → measured flows → rules), against its truth: pump 2 (channel 1) wears linearly from 20 to
// 16 m³/h over five months; day 100 is rainy (inflow × 3).

const dateOf = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);

function replayed(s: Simulated): HealthAlert[] {
  const first = s.days[0]?.startS as number;
  return replayHealthAlerts({
    cycles: s.cycles,
    measured: measureSump(s.cycles, s.truth.volumeM3),
    volumeM3: s.truth.volumeM3,
    days: s.days,
    dateOf,
    flowRateOf: () => 20,
    baselineSince: new Map([
      [0, dateOf(first)],
      [1, dateOf(first)],
    ]),
    fromS: first,
    toS: s.days.at(-1)?.endS as number,
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

describe("pump-health alerts against the simulator's wet well", () => {
  const worn = simulateWetWell({ days: 150, wear: true, rainyDays: [100], seed: 17 });
  const alerts = replayed(worn);
  const start = worn.days[0]?.startS as number;

  it("raises pump_wear within a week of the worn pump's real flow crossing −10 % of its baseline, never for the healthy one", () => {
    // the truth's baseline: the median real flow of the pump's runs over the same first 14 days
    const runs = worn.truth.runs.filter((r) => r.channel === 1);
    const baseline = median(runs.filter((r) => r.start < start + 14 * DAY).map((r) => r.flowM3h));
    const crossing = runs.find((r) => r.flowM3h < 0.9 * baseline)?.start as number;
    const wear = alerts.filter((a) => a.rule === "pump_wear");
    console.log(
      `truth crosses −10 % on day ${((crossing - start) / DAY).toFixed(1)}; pump_wear raised on day(s) ${wear
        .map((a) => `${((a.startedS - start) / DAY).toFixed(1)} (channel ${a.channel})`)
        .join(", ")}`,
    );
    expect(wear.filter((a) => a.channel === 0)).toEqual([]);
    const raised = wear.filter((a) => a.channel === 1);
    expect(raised).toHaveLength(1);
    const at = (raised[0] as HealthAlert).startedS;
    expect(at).toBeGreaterThanOrEqual(crossing - DAY);
    expect(at).toBeLessThanOrEqual(crossing + 7 * DAY);
    expect((raised[0] as HealthAlert).endedS).toBeNull();
  });

  it("raises inflow_high on the rainy day only", () => {
    const inflow = alerts.filter((a) => a.rule === "inflow_high");
    console.log(
      `inflow_high: ${inflow.map((a) => `day ${((a.startedS - start) / DAY).toFixed(2)} → ${a.endedS === null ? "open" : ((a.endedS - start) / DAY).toFixed(2)}`).join(", ")}`,
    );
    expect(inflow).toHaveLength(1);
    const day = Math.floor(((inflow[0] as HealthAlert).startedS - start) / DAY);
    expect(day).toBe(100);
  });

  it("raises nothing over 90 normal days (after 14 days of learning)", () => {
    const normal = simulateWetWell({ days: 104, wear: false, rainyDays: [], seed: 23 });
    const found = replayed(normal);
    expect(found).toEqual([]);
  });
});
