import { expect } from "vitest";
import { type ConfigVersion, DEFAULT_CHANNEL_CONFIG } from "../src/domain/config-versions/index.js";
import {
  type CycleSummary,
  type CycleWithVersion,
  co2eAvoided,
  FP_2026,
  FRANCE_GRID_FACTOR,
} from "../src/domain/impact/index.js";

/**
 * The floating figures are sums of many terms added in another order (per day, then per period, and runtime
 * before × flow rate), so they may differ in their last bits: each of n roundings is at most 2^-53 of the
 * running sum, so |difference| ≤ about n × 2^-52 × Σ|term|. 1e-9 × Σ|term| is far above that for the few
 * hundred terms here, and far below any figure the API shows (rounded to 0.01 at best).
 */
export function expectSameSummary(
  actual: CycleSummary,
  expected: CycleSummary,
  scale: Record<string, number>,
) {
  const floats = [
    "energyKwh",
    "electricityCo2eKg",
    "treatedVolumeM3",
    "treatedVolumePerDayM3",
    "co2eAvoidedKg",
    "ch4AvoidedKg",
    "mesRetainedKg",
    "reductionPercent",
  ] as const;
  for (const field of floats) {
    const a = actual[field];
    const e = expected[field];
    if (e === null || a === null) {
      expect(a, field).toBe(e);
      continue;
    }
    const tolerance = 1e-9 * Math.max(Math.abs(e), scale[field] ?? 0, Number.MIN_VALUE);
    expect(Math.abs(a - e), `${field}: ${a} vs ${e}`).toBeLessThanOrEqual(tolerance);
  }
  // Counts, integer durations, medians and ranges are exact.
  const rest = (s: CycleSummary) => {
    const copy: Partial<CycleSummary> = { ...s };
    for (const field of floats) delete copy[field];
    return copy;
  };
  expect(rest(actual)).toEqual(rest(expected));
}

/** Σ|term| of each floating figure, cycle by cycle: the scale its rounding errors are relative to. */
export function scalesOf(items: readonly CycleWithVersion[], factorSet = FP_2026): Record<string, number> {
  let volume = 0;
  let co2e = 0;
  let ch4 = 0;
  let ch4Reference = 0;
  let mes = 0;
  let energy = 0;
  for (const { cycle, version } of items) {
    energy += cycle.energyWh / 1000;
    if (cycle.noise || cycle.ongoing || version?.pumpType !== "relevage" || version.flowRateM3h === null)
      continue;
    const v = (cycle.runtimeMin / 60) * version.flowRateM3h;
    const r = co2eAvoided({ volumeM3: v, dbo5MgL: version.dbo5MgL, dcoMgL: version.dcoMgL }, factorSet);
    volume += v;
    co2e += Math.abs(r.co2eAvoidedKg);
    ch4 += Math.abs(r.ch4AvoidedKg);
    ch4Reference += r.ch4ReferenceKg;
    mes += (v * version.mesMgL) / 1000;
  }
  return {
    energyKwh: energy,
    electricityCo2eKg: energy * FRANCE_GRID_FACTOR.kgCo2ePerKwh,
    treatedVolumeM3: volume,
    treatedVolumePerDayM3: volume,
    co2eAvoidedKg: co2e,
    ch4AvoidedKg: ch4,
    mesRetainedKg: mes,
    reductionPercent: ch4Reference > 0 ? (100 * ch4) / ch4Reference : 0,
  };
}

/** Versions starting on distinct dates, each ending where the next one starts: a channel's history. */
export function versionHistory(
  entries: readonly (readonly [string, Partial<ConfigVersion>])[],
): ConfigVersion[] {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
  return sorted.map(([effectiveFrom, fields], i) => ({
    ...DEFAULT_CHANNEL_CONFIG,
    ...fields,
    effectiveFrom,
    effectiveTo: sorted[i + 1]?.[0] ?? null,
    version: 1,
  }));
}
