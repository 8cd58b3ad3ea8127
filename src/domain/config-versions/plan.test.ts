import { describe, expect, it } from "vitest";
import { ConfigVersionError } from "./errors.js";
import { sortedHistory, versionAt } from "./history.js";
import { planCurrentConfigUpdate, planVersionChange } from "./plan.js";
import { type ConfigVersion, DEFAULT_CHANNEL_CONFIG, type VersionChangeRequest } from "./types.js";

function apply(history: ConfigVersion[], request: VersionChangeRequest): ConfigVersion[] {
  return planVersionChange(history, request).versions;
}

function build(...requests: VersionChangeRequest[]): ConfigVersion[] {
  return requests.reduce<ConfigVersion[]>(apply, []);
}

function errorOf(f: () => unknown): ConfigVersionError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigVersionError) return e;
    throw e;
  }
  throw new Error("expected a ConfigVersionError");
}

const periods = (versions: ConfigVersion[]) =>
  versions.map((v) => [v.effectiveFrom, v.effectiveTo, v.version]);

describe("planVersionChange", () => {
  it("creates the first version from the defaults", () => {
    const plan = planVersionChange([], { effectiveFrom: "2025-10-21", flowRateM3h: 18 });
    expect(plan.kind).toBe("create");
    expect(plan.versions).toEqual([
      {
        ...DEFAULT_CHANNEL_CONFIG,
        flowRateM3h: 18,
        effectiveFrom: "2025-10-21",
        effectiveTo: null,
        version: 1,
      },
    ]);
    expect(plan.inserted).toMatchObject({ pumpType: "relevage", dbo5MgL: 570, dcoMgL: 1250, mesMgL: 650 });
    expect(plan.inserted).toMatchObject({ activityThresholdW: 10, stopGapMin: 4, minCycleMin: 2 });
  });

  it("splits the version in force: the old one is closed at D (exclusive), the new one takes [D, old end)", () => {
    const history = build({ effectiveFrom: "2025-10-21", flowRateM3h: 18 });
    const plan = planVersionChange(history, { effectiveFrom: "2026-02-10", flowRateM3h: 9 });
    expect(plan.kind).toBe("split");
    expect(plan.closed).toEqual({ row: history[0], effectiveTo: "2026-02-10" });
    expect(plan.replaced).toBeNull();
    expect(periods(plan.versions)).toEqual([
      ["2025-10-21", "2026-02-10", 1],
      ["2026-02-10", null, 1],
    ]);
  });

  it("splits a closed version in the middle of the history without touching the others", () => {
    const history = build({ effectiveFrom: "2025-01-01" }, { effectiveFrom: "2025-06-01" });
    const plan = planVersionChange(history, { effectiveFrom: "2025-03-01", dbo5MgL: 400 });
    expect(periods(plan.versions)).toEqual([
      ["2025-01-01", "2025-03-01", 1],
      ["2025-03-01", "2025-06-01", 1],
      ["2025-06-01", null, 1],
    ]);
  });

  it("copies omitted fields from the version in force on that date, not from the latest one", () => {
    const history = build(
      { effectiveFrom: "2025-01-01", flowRateM3h: 18, dbo5MgL: 500, name: "PR1" },
      { effectiveFrom: "2025-06-01", flowRateM3h: 9, dbo5MgL: 600, pumpType: "sortie" },
    );
    const plan = planVersionChange(history, { effectiveFrom: "2025-03-01", mesMgL: 700 });
    expect(plan.inserted).toMatchObject({ flowRateM3h: 18, dbo5MgL: 500, pumpType: "relevage", name: "PR1" });
    expect(plan.inserted.mesMgL).toBe(700);
  });

  it("keeps the generic row type for the rows it touches, so the database layer has their ids", () => {
    const rows = build({ effectiveFrom: "2025-01-01" }).map((v) => ({ ...v, id: 42 }));
    const plan = planVersionChange(rows, { effectiveFrom: "2025-01-01", flowRateM3h: 5 });
    expect(plan.replaced?.id).toBe(42);
  });
});

describe("§1.4 versioning defects of the predecessor", () => {
  it("defect 1 / bug 12: no one-day hole: D − 1 keeps the previous version and its flow", () => {
    const history = build(
      { effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      { effectiveFrom: "2026-02-15", flowRateM3h: 9.5 },
    );
    expect(versionAt(history, "2026-02-14")?.flowRateM3h).toBe(18);
    expect(versionAt(history, "2026-02-15")?.flowRateM3h).toBe(9.5);
  });

  it("defect 2: a version the day after the previous one gives a valid one-day period", () => {
    const history = build(
      { effectiveFrom: "2026-02-14", flowRateM3h: 18 },
      { effectiveFrom: "2026-02-15", flowRateM3h: 9 },
    );
    expect(periods(history)).toEqual([
      ["2026-02-14", "2026-02-15", 1],
      ["2026-02-15", null, 1],
    ]);
    expect(versionAt(history, "2026-02-14")?.flowRateM3h).toBe(18);
  });

  it("defect 3: a date before the first version uses the first version", () => {
    const history = build(
      { effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      { effectiveFrom: "2026-02-10", flowRateM3h: 9 },
    );
    expect(versionAt(history, "2025-01-01")?.flowRateM3h).toBe(18);
    expect(versionAt([], "2025-01-01")).toBeNull();
  });

  it("defect 4: back-dating before the first version prepends, and erases nothing", () => {
    const history = build(
      { effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      { effectiveFrom: "2026-02-10", flowRateM3h: 9 },
    );
    const plan = planVersionChange(history, { effectiveFrom: "2025-09-01", flowRateM3h: 12 });
    expect(plan.kind).toBe("prepend");
    expect(plan.inserted).toMatchObject({ effectiveTo: "2025-10-21", flowRateM3h: 12, version: 1 });
    expect(periods(plan.versions)).toEqual([
      ["2025-09-01", "2025-10-21", 1],
      ["2025-10-21", "2026-02-10", 1],
      ["2026-02-10", null, 1],
    ]);
  });

  it("defect 4: back-dating inside an older version splits it; later versions stay", () => {
    const history = build(
      { effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      { effectiveFrom: "2026-02-10", flowRateM3h: 9 },
    );
    const versions = apply(history, { effectiveFrom: "2025-12-01", flowRateM3h: 20 });
    expect(versions.map((v) => [v.effectiveFrom, v.flowRateM3h])).toEqual([
      ["2025-10-21", 18],
      ["2025-12-01", 20],
      ["2026-02-10", 9],
    ]);
  });

  it("defect 5: an explicit null clears the flow rate; an omitted one keeps it", () => {
    const history = build({ effectiveFrom: "2025-10-21", flowRateM3h: 18 });
    expect(apply(history, { effectiveFrom: "2026-01-01" })[1]?.flowRateM3h).toBe(18);
    expect(apply(history, { effectiveFrom: "2026-01-01", flowRateM3h: null })[1]?.flowRateM3h).toBeNull();
    expect(
      planCurrentConfigUpdate(history, { flowRateM3h: null }, "2026-02-19").inserted.flowRateM3h,
    ).toBeNull();
  });

  it("defect 6: a zero flow rate is refused like any non-positive one", () => {
    for (const flowRateM3h of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(errorOf(() => planVersionChange([], { effectiveFrom: "2026-01-01", flowRateM3h })).code).toBe(
        "invalid_flow_rate",
      );
    }
  });
});

describe("§5 bugs 11–16", () => {
  it("bug 11: a flow change from 18 to 9 on 10/02 keeps 18 for a cycle on 09/02", () => {
    const history = build(
      { effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      { effectiveFrom: "2026-02-10", flowRateM3h: 9 },
    );
    expect(versionAt(history, "2026-02-09")?.flowRateM3h).toBe(18);
    expect(versionAt(history, "2026-02-10")?.flowRateM3h).toBe(9);
  });

  it("bug 13: two versions on the same date keep one, the last, at version + 1", () => {
    const history = build(
      { effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      { effectiveFrom: "2026-02-15", flowRateM3h: 9.5 },
      { effectiveFrom: "2026-02-15", flowRateM3h: 22 },
    );
    expect(periods(history)).toEqual([
      ["2025-10-21", "2026-02-15", 1],
      ["2026-02-15", null, 2],
    ]);
    expect(versionAt(history, "2026-03-01")?.flowRateM3h).toBe(22);
    const plan = planVersionChange(history, { effectiveFrom: "2026-02-15", flowRateM3h: 20 });
    expect(plan.kind).toBe("correct");
    expect(plan.replaced?.flowRateM3h).toBe(22);
    expect(plan.inserted).toMatchObject({ version: 3, flowRateM3h: 20, effectiveTo: null });
  });

  it("bug 13: correcting a closed version keeps its period", () => {
    const history = build({ effectiveFrom: "2025-10-21", flowRateM3h: 18 }, { effectiveFrom: "2026-02-15" });
    const plan = planVersionChange(history, { effectiveFrom: "2025-10-21", flowRateM3h: 17 });
    expect(plan.inserted).toMatchObject({ effectiveTo: "2026-02-15", version: 2, flowRateM3h: 17 });
    expect(plan.versions).toHaveLength(2);
  });

  it("bug 14: a version with only the flow copies pump type and DBO5/DCO/MES from the previous one", () => {
    const history = build({
      effectiveFrom: "2025-10-21",
      pumpType: "sortie",
      dbo5MgL: 800,
      dcoMgL: 1300,
      mesMgL: 500,
    });
    const { inserted } = planVersionChange(history, { effectiveFrom: "2026-02-10", flowRateM3h: 9 });
    expect(inserted).toMatchObject({
      pumpType: "sortie",
      dbo5MgL: 800,
      dcoMgL: 1300,
      mesMgL: 500,
      flowRateM3h: 9,
    });
  });

  it("bug 15: saving the channel row changes the version in force, without new history", () => {
    const history = build(
      { effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      { effectiveFrom: "2026-02-15", flowRateM3h: 9.5 },
    );
    const plan = planCurrentConfigUpdate(history, { flowRateM3h: 20 }, "2026-02-19");
    expect(plan.kind).toBe("correct");
    expect(plan.versions).toHaveLength(2);
    expect(versionAt(plan.versions, "2026-02-19")).toMatchObject({ flowRateM3h: 20, version: 2 });
    expect(versionAt(plan.versions, "2026-02-14")?.flowRateM3h).toBe(18);
  });

  it("bug 15: with no history yet, saving creates a first version from today", () => {
    const plan = planCurrentConfigUpdate([], { flowRateM3h: 20 }, "2026-02-19");
    expect(plan.inserted).toMatchObject({ effectiveFrom: "2026-02-19", effectiveTo: null, flowRateM3h: 20 });
  });

  it("bug 16: dates that are not real or not plausible are refused", () => {
    expect(errorOf(() => planVersionChange([], { effectiveFrom: "0206-02-19" })).code).toBe(
      "date_out_of_range",
    );
    expect(errorOf(() => planVersionChange([], { effectiveFrom: "206-02-19" })).code).toBe("invalid_date");
    expect(errorOf(() => planVersionChange([], { effectiveFrom: "1999-12-31" })).code).toBe(
      "date_out_of_range",
    );
    expect(errorOf(() => planVersionChange([], { effectiveFrom: "2101-01-01" })).code).toBe(
      "date_out_of_range",
    );
    for (const bad of [
      "2026-02-30",
      "2025-02-29",
      "2026-13-01",
      "2026-00-10",
      "19/02/2026",
      "2026-2-19",
      "",
    ]) {
      expect(errorOf(() => planVersionChange([], { effectiveFrom: bad })).code).toBe("invalid_date");
    }
    expect(planVersionChange([], { effectiveFrom: "2024-02-29" }).inserted.effectiveFrom).toBe("2024-02-29");
    expect(planVersionChange([], { effectiveFrom: "2000-01-01" }).kind).toBe("create");
    expect(planVersionChange([], { effectiveFrom: "2100-12-31" }).kind).toBe("create");
  });
});

describe("validation", () => {
  const at = (fields: Record<string, unknown>) => () =>
    planVersionChange([], { effectiveFrom: "2026-01-01", ...(fields as Partial<VersionChangeRequest>) });

  it("checks the pump type", () => {
    expect(errorOf(at({ pumpType: "lift" })).code).toBe("invalid_pump_type");
    expect(errorOf(at({ pumpType: null })).code).toBe("invalid_pump_type");
    expect(planVersionChange([], { effectiveFrom: "2026-01-01", pumpType: "autre" }).inserted.pumpType).toBe(
      "autre",
    );
  });

  it("checks concentrations are ≥ 0 and plausible", () => {
    const error = errorOf(at({ dbo5MgL: -1 }));
    expect(error).toMatchObject({ code: "invalid_concentration", field: "dbo5MgL" });
    expect(errorOf(at({ dcoMgL: 100_001 })).field).toBe("dcoMgL");
    expect(errorOf(at({ mesMgL: null })).field).toBe("mesMgL");
    expect(errorOf(at({ dbo5MgL: "570" })).code).toBe("invalid_concentration");
    expect(planVersionChange([], { effectiveFrom: "2026-01-01", dbo5MgL: 0 }).inserted.dbo5MgL).toBe(0);
  });

  it("checks thresholds are > 0", () => {
    expect(errorOf(at({ activityThresholdW: 0 })).field).toBe("activityThresholdW");
    expect(errorOf(at({ stopGapMin: -4 })).field).toBe("stopGapMin");
    expect(errorOf(at({ minCycleMin: Number.NaN })).code).toBe("invalid_threshold");
  });

  it("checks the pump model id and normalises the name", () => {
    expect(errorOf(at({ pumpModelId: 1.5 })).code).toBe("invalid_pump_model");
    expect(errorOf(at({ name: "x".repeat(101) })).code).toBe("invalid_name");
    expect(planVersionChange([], { effectiveFrom: "2026-01-01", name: "  PR1 " }).inserted.name).toBe("PR1");
    expect(planVersionChange([], { effectiveFrom: "2026-01-01", name: "  " }).inserted.name).toBeNull();
  });

  it("refuses to plan on top of a history that does not tile", () => {
    const [a] = build({ effectiveFrom: "2025-01-01" });
    if (a === undefined) throw new Error("no version");
    const gap = [
      { ...a, effectiveTo: "2025-02-01" },
      { ...a, effectiveFrom: "2025-03-01", effectiveTo: null },
    ];
    expect(errorOf(() => planVersionChange(gap, { effectiveFrom: "2026-01-01" })).code).toBe(
      "inconsistent_history",
    );
    const twoOpen = [a, { ...a, effectiveFrom: "2025-03-01" }];
    expect(() => sortedHistory(twoOpen)).toThrow(ConfigVersionError);
    const empty = [
      { ...a, effectiveTo: "2025-01-01" },
      { ...a, effectiveFrom: "2025-01-01" },
    ];
    expect(() => sortedHistory(empty)).toThrow(ConfigVersionError);
  });
});
