import { describe, expect, it } from "vitest";
import { type ConfigVersion, DEFAULT_CHANNEL_CONFIG } from "../config-versions/index.js";
import { baselineSince, sumpOf, sumpsOf } from "./sumps.js";

const v = (from: string, to: string | null, fields: Partial<ConfigVersion> = {}): ConfigVersion => ({
  ...DEFAULT_CHANNEL_CONFIG,
  effectiveFrom: from,
  effectiveTo: to,
  version: 1,
  ...fields,
});

describe("sumpOf", () => {
  const histories = new Map([
    [0, [v("2026-01-01", null, { sumpVolumeM3: 2.4 })]],
    [1, [v("2026-01-01", "2026-03-01", { sumpVolumeM3: 2.4 }), v("2026-03-01", null, { sump: "B" })]],
    [2, [v("2026-01-01", null, { pumpType: "sortie" })]],
    [3, []],
  ]);
  it("groups the lift pumps of one meter by sump name, on the date asked", () => {
    expect(sumpOf(histories, 0, "2026-02-01")).toEqual({ sump: "1", volumeM3: 2.4, channels: [0, 1] });
    expect(sumpOf(histories, 0, "2026-03-01")).toEqual({ sump: "1", volumeM3: 2.4, channels: [0] });
    expect(sumpOf(histories, 1, "2026-03-01")).toEqual({ sump: "B", volumeM3: null, channels: [1] });
  });
  it("leaves an outlet pump or an unconfigured channel alone, with no volume", () => {
    expect(sumpOf(histories, 2, "2026-02-01")).toEqual({ sump: "1", volumeM3: null, channels: [2] });
    expect(sumpOf(histories, 3, "2026-02-01").channels).toEqual([3]);
    expect(sumpsOf(histories, "2026-02-01").map((s) => s.channels)).toEqual([[0, 1]]);
  });
});

describe("baselineSince", () => {
  it("restarts at the last change of pump model or débit effectif, not at other changes", () => {
    const history = [
      v("2026-01-01", "2026-02-01", { flowRateM3h: 20 }),
      v("2026-02-01", "2026-03-01", { flowRateM3h: 20, dbo5MgL: 600 }),
      v("2026-03-01", "2026-04-01", { flowRateM3h: 18 }),
      v("2026-04-01", null, { flowRateM3h: 18, pumpModelId: 3 }),
    ];
    expect(baselineSince(history, [], "2026-02-15")).toBe("2026-01-01");
    expect(baselineSince(history, [], "2026-03-15")).toBe("2026-03-01");
    expect(baselineSince(history, [], "2026-05-01")).toBe("2026-04-01");
  });
  it("restarts the day after an overhaul or a replacement noted in the journal, when that is later", () => {
    const history = [v("2026-01-01", null, { flowRateM3h: 20 })];
    expect(baselineSince(history, ["2026-02-10"], "2026-03-01")).toBe("2026-02-11");
    expect(baselineSince(history, ["2026-02-10"], "2026-02-05")).toBe("2026-01-01");
    expect(baselineSince([], [], "2026-03-01")).toBeNull();
  });
});
