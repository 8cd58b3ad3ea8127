import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "./calendar-date.js";
import { versionAt } from "./history.js";
import { planVersionChange } from "./plan.js";
import {
  type ChannelConfig,
  type ConfigVersion,
  DEFAULT_CHANNEL_CONFIG,
  type VersionChangeRequest,
} from "./types.js";

const BASE_DATE = "2026-01-01";
const HORIZON_DAYS = 80;

const fieldsArb = fc.record(
  {
    name: fc.constantFrom(null, "PR1", "PS"),
    pumpType: fc.constantFrom("relevage" as const, "sortie" as const, "autre" as const),
    flowRateM3h: fc.constantFrom(null, 5, 18, 22.5),
    pumpModelId: fc.constantFrom(null, 1, 2),
    dbo5MgL: fc.integer({ min: 0, max: 1000 }),
    stopGapMin: fc.constantFrom(3, 4),
  },
  { requiredKeys: [] },
);

const requestArb = fc.record({ day: fc.integer({ min: 5, max: HORIZON_DAYS - 6 }), fields: fieldsArb });

type ModelDay = (ChannelConfig & { version: number }) | undefined;

/** The rules restated day by day: a change at d rewrites every day from d up to the next version start. */
class NaiveHistory {
  readonly days: ModelDay[] = Array.from({ length: HORIZON_DAYS }, () => undefined);
  readonly starts: boolean[] = Array.from({ length: HORIZON_DAYS }, () => false);

  apply(day: number, fields: Partial<ChannelConfig>): void {
    const firstDefined = this.days.find((d) => d !== undefined);
    const base: ChannelConfig = this.days[day] ?? firstDefined ?? DEFAULT_CHANNEL_CONFIG;
    const merged: ChannelConfig = { ...pickConfig(base) };
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
    const version = this.starts[day] ? (this.days[day]?.version ?? 0) + 1 : 1;
    let end = day + 1;
    while (end < HORIZON_DAYS && !this.starts[end]) end++;
    for (let i = day; i < end; i++) this.days[i] = { ...merged, version };
    this.starts[day] = true;
  }
}

function pickConfig(c: ChannelConfig): ChannelConfig {
  const { name, pumpType, flowRateM3h, pumpModelId, dbo5MgL, dcoMgL, mesMgL } = c;
  const { activityThresholdW, stopGapMin, minCycleMin, sump, sumpVolumeM3 } = c;
  return {
    name,
    pumpType,
    flowRateM3h,
    pumpModelId,
    dbo5MgL,
    dcoMgL,
    mesMgL,
    activityThresholdW,
    stopGapMin,
    minCycleMin,
    sump,
    sumpVolumeM3,
  };
}

function assertTiles(versions: ConfigVersion[]): void {
  versions.forEach((v, i) => {
    const next = versions[i + 1];
    if (next === undefined) expect(v.effectiveTo).toBeNull();
    else {
      expect(v.effectiveTo).toBe(next.effectiveFrom);
      expect(v.effectiveFrom < next.effectiveFrom).toBe(true);
    }
  });
}

describe("config history properties", () => {
  it("any sequence of changes tiles [first, ∞) and agrees with a day-by-day model", () => {
    fc.assert(
      fc.property(fc.array(requestArb, { minLength: 1, maxLength: 12 }), (requests) => {
        const model = new NaiveHistory();
        let versions: ConfigVersion[] = [];
        for (const { day, fields } of requests) {
          const request: VersionChangeRequest = { ...fields, effectiveFrom: addDays(BASE_DATE, day) };
          versions = planVersionChange(versions, request).versions;
          model.apply(day, fields);
          assertTiles(versions);
        }
        const firstDefined = model.days.find((d) => d !== undefined);
        for (let day = 0; day < HORIZON_DAYS; day++) {
          const found = versionAt(versions, addDays(BASE_DATE, day));
          const expected = model.days[day] ?? firstDefined;
          expect(found && { ...pickConfig(found), version: found.version }).toEqual(expected);
        }
        expect(versionAt(versions, addDays(BASE_DATE, 10_000))).toBe(versions[versions.length - 1]);
      }),
      { numRuns: 500 },
    );
  });
});
