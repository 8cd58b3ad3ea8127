import { describe, expect, it } from "vitest";
import type { Version } from "../../api/types";
import { plannedChange } from "./version-plan";

const version = (id: number, from: string, to: string | null, v = 1): Version => ({
  id,
  effective_from: from,
  effective_to: to,
  version: v,
  name: "PR1",
  pump_type: "relevage",
  flow_rate_m3h: 18,
  pump_model_id: null,
  dbo5_mg_l: 570,
  dco_mg_l: 1250,
  mes_mg_l: 650,
  activity_threshold_w: 10,
  stop_gap_min: 4,
  min_cycle_min: 2,
  created_at: "2026-01-01T00:00:00Z",
  created_by: null,
});

describe("what a new version on a date does to the history", () => {
  const history = [version(1, "2025-10-21", "2026-02-15"), version(2, "2026-02-15", null, 2)];

  it("splits the version in force that day", () => {
    const plan = plannedChange(history, "2026-01-10");
    expect(plan.inForce?.id).toBe(1);
    expect(plan.sentence).toBe(
      "La version du 21/10/2025 sera coupée : elle s'appliquera jusqu'au 10/01/2026 exclu, la nouvelle du 10/01/2026 au 15/02/2026 exclu.",
    );
  });

  it("corrects a version that starts that day", () => {
    const plan = plannedChange(history, "2026-02-15");
    expect(plan.inForce?.id).toBe(2);
    expect(plan.sentence).toContain("elle sera corrigée (v3)");
  });

  it("adds a version before the first one", () => {
    const plan = plannedChange(history, "2025-01-01");
    expect(plan.inForce).toBeNull();
    expect(plan.sentence).toContain("précède la première version (21/10/2025)");
  });

  it("starts the history of a channel never configured", () => {
    expect(plannedChange([], "2026-03-01").sentence).toContain("première version");
  });
});
