import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Version } from "../../api/types";
import { versionInForce } from "./version-plan";

const version = (id: number, from: string, to: string | null): Version => ({
  id,
  effective_from: from,
  effective_to: to,
  version: 1,
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
  sump: "1",
  sump_volume_m3: null,
  created_at: "2026-01-01T00:00:00Z",
  created_by: null,
});

const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

describe("the version a new one is pre-filled from", () => {
  it("is the one in force that day, [from, to)", () => {
    const history = [version(1, "2025-10-21", "2026-02-15"), version(2, "2026-02-15", null)];
    expect(versionInForce(history, "2026-02-14")?.id).toBe(1);
    expect(versionInForce(history, "2026-02-15")?.id).toBe(2);
    expect(versionInForce(history, "2030-01-01")?.id).toBe(2);
    expect(versionInForce(history, "2025-01-01")?.id).toBe(1);
    expect(versionInForce([], "2026-01-01")).toBeNull();
  });

  it("is exactly one version for every date of a tiled history", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 1000 }),
        (starts, probe) => {
          const sorted = [...starts].sort((a, b) => a - b);
          const history = sorted.map((s, i) =>
            version(i + 1, day(s), i + 1 < sorted.length ? day(sorted[i + 1] as number) : null),
          );
          const found = versionInForce(history, day(probe));
          const expected = probe < (sorted[0] as number) ? 1 : sorted.filter((s) => s <= probe).length;
          expect(found?.id).toBe(expected);
        },
      ),
    );
  });
});
