/**
 * The simulator's wet well turned into what the service derives from readings (cycles, run edges) at the domain
 * level, without frames or the database: months of a sump in seconds.
 */
import { simulateFleet, type WetWellTruth } from "../simulator/index.js";
import { channelReadings } from "../simulator/readings.js";
import { detectCycles } from "../src/domain/cycles/detect.js";
import type { CycleSample, DetectedCycle } from "../src/domain/cycles/types.js";
import { type DayBounds, type HealthCycle, type PumpDay, pumpDays } from "../src/domain/pump-health/daily.js";
import { type RunEdges, runEdges } from "../src/domain/pump-health/edges.js";
import { measureSump } from "../src/domain/pump-health/volumetric.js";

export const DAY = 86_400;
export const START = "2026-01-01T00:00:00Z";

export interface Simulated {
  truth: WetWellTruth;
  cycles: HealthCycle[];
  /** per channel, the cycles as the service stores them (detection and run edges from the readings) */
  stored: { channel: number; cycles: DetectedCycle[]; edges: RunEdges[] }[];
  days: DayBounds[];
}

export function simulateWetWell(options: {
  days: number;
  wear: boolean;
  rainyDays: number[];
  seed: number;
  minuteEnergy?: boolean;
}): Simulated {
  const sim = simulateFleet({
    seed: options.seed,
    devices: 1,
    days: options.days,
    start: START,
    liftPattern: "wetwell",
    wetWell: {
      volumeM3: 2.4,
      meanInflowM3h: 2,
      flowM3h: [20, 20],
      ...(options.wear ? { wear: { channel: 1 as const, toM3h: 16 } } : {}),
      rainyDays: options.rainyDays,
    },
  });
  const truth = sim.plan.devices[0]?.wetWell as WetWellTruth;
  const cycles: HealthCycle[] = [];
  const stored: Simulated["stored"] = [];
  for (const channel of [0, 1]) {
    const own: Simulated["stored"][number] = { channel, cycles: [], edges: [] };
    stored.push(own);
    const samples: CycleSample[] = [
      ...channelReadings(sim.plan, 0, channel, { withMinuteEnergy: options.minuteEnergy ?? true }),
    ];
    const last = samples.at(-1)?.minute ?? 0;
    for (const c of detectCycles(samples, {}, last + 60)) {
      const e = runEdges(samples, c);
      own.cycles.push(c);
      own.edges.push(e);
      cycles.push({
        channel,
        startMinute: c.startMinute,
        startS: e.startS,
        stopS: e.stopS,
        resolution: e.resolution,
        ongoing: c.ongoing,
        noise: c.noise,
        runtimeMin: c.runtimeMin,
        energyWh: c.energyWh,
      });
    }
  }
  const days = truth.days.map((d) => ({
    date: new Date(d.start * 1000).toISOString().slice(0, 10),
    startS: d.start,
    endS: d.start + DAY,
  }));
  return { truth, cycles, stored, days };
}

export function pumpsOf(s: Simulated): PumpDay[][] {
  const measured = measureSump(s.cycles, s.truth.volumeM3);
  const dateOf = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  return [0, 1].map((channel) =>
    pumpDays({
      channel,
      cycles: s.cycles,
      measured,
      volumeM3: s.truth.volumeM3,
      days: s.days,
      flowRateOf: () => 20,
      dateOf,
    }),
  );
}
