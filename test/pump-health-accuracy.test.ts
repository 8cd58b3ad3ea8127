import { describe, expect, it } from "vitest";
import type { PumpDay } from "../src/domain/pump-health/daily.js";
import { pumpsOf, simulateWetWell } from "./wet-well.js";

// The volumetric method against the simulator's wet well (physics, second by second): five months, one pump
// wearing from 20 to 16 m³/h, one rainy day. Generated at the domain level (readings → cycles → edges →
// measured flows), the path the service takes without the database, so months run in seconds.

const DAYS = 150;
const RAINY_DAY = 100;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

describe("volumetric method against the simulator's wet well (five months, pump 2 wearing 20 → 16 m³/h)", () => {
  const s = simulateWetWell({ days: DAYS, wear: true, rainyDays: [RAINY_DAY], seed: 17 });
  const pumps = pumpsOf(s);

  it("measures each pump's daily flow within 2 % of the truth (median over the days)", () => {
    for (const channel of [0, 1]) {
      const errors: number[] = [];
      s.days.forEach((d, i) => {
        const runs = s.truth.runs.filter(
          (r) => r.channel === channel && r.start >= d.startS && r.start < d.endS,
        );
        const measured = pumps[channel]?.[i]?.measuredFlowM3h;
        if (runs.length === 0 || measured === null || measured === undefined) return;
        errors.push(Math.abs(measured / median(runs.map((r) => r.flowM3h)) - 1));
      });
      expect(errors.length).toBeGreaterThan(DAYS * 0.9);
      console.log(
        `pump ${channel}: median daily flow error ${(median(errors) * 100).toFixed(2)} % over ${errors.length} days`,
      );
      expect(median(errors)).toBeLessThan(0.02);
    }
  });

  it("gives each day's inflow within 5 % on 9 days in 10", () => {
    const inflow = pumps[0] as PumpDay[];
    const errors: number[] = [];
    s.truth.days.forEach((d, i) => {
      const m = inflow[i]?.inflowM3;
      errors.push(m === null || m === undefined ? Number.POSITIVE_INFINITY : Math.abs(m / d.inflowM3 - 1));
    });
    const within = errors.filter((e) => e <= 0.05).length / errors.length;
    console.log(
      `inflow within 5 % on ${(within * 100).toFixed(1)} % of ${errors.length} days; median error ${(median(errors) * 100).toFixed(2)} %`,
    );
    expect(within).toBeGreaterThanOrEqual(0.9);
  });

  it("gives the volume pumped within 3 % of the truth, where runtime × débit effectif drifts with the wear", () => {
    const truthM3 = s.truth.runs.reduce((sum, r) => sum + (r.flowM3h * (r.end - r.start)) / 3600, 0);
    const volumetric = pumps.flat().reduce((sum, d) => sum + (d.pumpedM3 ?? 0), 0);
    const flowRate = s.cycles.filter((c) => !c.noise).reduce((sum, c) => sum + (20 * c.runtimeMin) / 60, 0);
    console.log(
      `pumped: truth ${truthM3.toFixed(0)} m³, volumetric ${volumetric.toFixed(0)} m³ (${((volumetric / truthM3 - 1) * 100).toFixed(2)} %), runtime × 20 m³/h ${flowRate.toFixed(0)} m³ (${((flowRate / truthM3 - 1) * 100).toFixed(2)} %)`,
    );
    expect(Math.abs(volumetric / truthM3 - 1)).toBeLessThan(0.03);
  });
});

describe("imported history without the per-minute energy (edges to the minute)", () => {
  const s = simulateWetWell({ days: 60, wear: false, rainyDays: [], seed: 5, minuteEnergy: false });
  const pumps = pumpsOf(s);

  it("marks the edges as minute resolution and still measures each pump's daily flow, less precisely", () => {
    expect(s.cycles.every((c) => c.resolution === "minute")).toBe(true);
    const errors: number[] = [];
    for (const channel of [0, 1])
      s.days.forEach((d, i) => {
        const runs = s.truth.runs.filter(
          (r) => r.channel === channel && r.start >= d.startS && r.start < d.endS,
        );
        const measured = pumps[channel]?.[i]?.measuredFlowM3h;
        if (runs.length > 0 && measured !== null && measured !== undefined)
          errors.push(Math.abs(measured / median(runs.map((r) => r.flowM3h)) - 1));
      });
    console.log(
      `minute edges: median daily flow error ${(median(errors) * 100).toFixed(2)} % over ${errors.length} pump-days`,
    );
    expect(median(errors)).toBeLessThan(0.05);
  });
});
