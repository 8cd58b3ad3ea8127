import { describe, expect, it } from "vitest";
import type { Cycle, Series } from "../api/types";
import {
  cyclesToColumns,
  dailyBars,
  datesBetween,
  fallback,
  hasData,
  pngName,
  seriesToColumns,
  volumesNeedFlowRate,
} from "./series";

const cycle = (over: Partial<Cycle>): Cycle => ({
  device_id: "d",
  channel: 0,
  date: (over.start ?? "2026-02-14T09:40:00Z").slice(0, 10),
  start: "2026-02-14T09:40:00Z",
  end: "2026-02-14T09:49:00Z",
  ongoing: false,
  samples: 10,
  duration_min: 9,
  runtime_min: 10,
  avg_power_w: 800,
  avg_current_a: 3.5,
  median_voltage_v: 230,
  energy_kwh: 0.13,
  pump_type: "relevage",
  flow_rate_m3h: 18,
  volume_m3: 3,
  co2e_avoided_kg: 1,
  noise: false,
  ...over,
});

describe("chart series", () => {
  it("keeps the API's zero buckets (pump off through a gap, bug 27) and reaches the window's end", () => {
    const series: Series = {
      start: "2026-02-14T00:00:00Z",
      end: "2026-02-14T00:15:00Z",
      bucket_seconds: 300,
      series: [
        {
          channel: 2,
          name: "PS",
          t: ["2026-02-14T00:00:00Z", "2026-02-14T00:05:00Z", "2026-02-14T00:10:00Z"],
          power_w: [420, 0, 0],
          current_a: [2.4, 0, 0],
        },
      ],
    };
    const cols = seriesToColumns(series, "power", [{ channel: 2, name: "PS" }]);
    const t0 = Date.parse("2026-02-14T00:00:00Z") / 1000;
    expect(cols[0]).toEqual([t0, t0 + 300, t0 + 600, t0 + 900]);
    expect(cols[1]).toEqual([420, 0, 0, 0]);
    expect(seriesToColumns(series, "current", [{ channel: 2, name: "PS" }])[1]).toEqual([2.4, 0, 0, 0]);
  });

  it("draws each cycle at its average from start to last minute, 0 elsewhere, over the whole window", () => {
    const start = Date.parse("2026-02-14T00:00:00Z") / 1000;
    const end = start + 86_400;
    const cols = cyclesToColumns([cycle({})], "power", [{ channel: 0, name: "PR1" }], start, end, end);
    const a = Date.parse("2026-02-14T09:40:00Z") / 1000;
    const b = Date.parse("2026-02-14T09:50:00Z") / 1000;
    expect(cols[0]).toEqual([start, a, b, end]);
    expect(cols[1]).toEqual([0, 800, 0, 0]);
    expect(hasData(cols)).toBe(true);
    const noise = cyclesToColumns(
      [cycle({ noise: true })],
      "power",
      [{ channel: 0, name: "PR1" }],
      start,
      end,
      end,
    );
    expect(hasData(noise)).toBe(false);
    // an ongoing cycle runs until now
    const now = a + 300;
    const ongoing = cyclesToColumns(
      [cycle({ end: null, ongoing: true })],
      "current",
      [{ channel: 0, name: "PR1" }],
      start,
      end,
      now,
    );
    expect(ongoing[0]).toEqual([start, a, now, end]);
    expect(ongoing[1]).toEqual([0, 3.5, 0, 0]);
  });

  it("widens 24 h to 7 days, then offers 30 days without loading it; never on a manual choice (bugs 32–33)", () => {
    expect(fallback("24h", true, false)).toEqual({ next: "7d", message: "empty-24h" });
    expect(fallback("7d", true, false)).toEqual({ next: null, message: "empty-7d" });
    expect(fallback("30d", true, false)).toEqual({ next: null, message: null });
    expect(fallback("24h", false, false)).toEqual({ next: null, message: null });
    expect(fallback("24h", true, true)).toEqual({ next: null, message: null });
  });

  it("names the PNG with device, metric, period and date (bug 35)", () => {
    expect(pngName("Station Keur Massar", "power", "24h", "2026-02-14")).toBe(
      "filtreplante_station-keur-massar_puissance_24h_2026-02-14.png",
    );
    expect(pngName("Épuration n°2", "current", "7d", "2026-02-14")).toBe(
      "filtreplante_epuration-n-2_courant_7j_2026-02-14.png",
    );
    expect(pngName("***", "current", "30d", "2026-02-14")).toBe(
      "filtreplante_appareil_courant_30j_2026-02-14.png",
    );
  });

  it("sums m³ and cycles per day for lift channels only, closed cycles' volume only (bugs 17–18)", () => {
    const dates = datesBetween("2026-02-13", "2026-02-15");
    expect(dates).toEqual(["2026-02-13", "2026-02-14", "2026-02-15"]);
    const bars = dailyBars(
      [
        cycle({ volume_m3: 2 }),
        cycle({ volume_m3: 1.5, start: "2026-02-14T12:00:00Z" }),
        cycle({ pump_type: "sortie", volume_m3: null }),
        cycle({ ongoing: true, end: null, volume_m3: null, start: "2026-02-15T08:00:00Z" }),
        cycle({ noise: true, volume_m3: 0.1 }),
      ],
      dates,
    );
    expect(bars).toEqual([
      { date: "2026-02-13", volumeM3: 0, cycles: 0 },
      { date: "2026-02-14", volumeM3: 3.5, cycles: 2 },
      { date: "2026-02-15", volumeM3: 0, cycles: 1 },
    ]);
  });

  it("the daily volumes say « Débit non configuré » when no lift cycle has a volume for want of a flow rate (issue 21)", () => {
    // a device never configured: its cycles have no type, so no bar can ever rise above 0
    expect(
      volumesNeedFlowRate([cycle({ pump_type: null, flow_rate_m3h: null, volume_m3: null })], true),
    ).toBe(true);
    // a lift channel without its flow rate
    expect(volumesNeedFlowRate([cycle({ flow_rate_m3h: null, volume_m3: null })], true)).toBe(true);
    expect(volumesNeedFlowRate([], true)).toBe(true);
    // one channel configured is enough to draw the chart
    expect(volumesNeedFlowRate([cycle({ volume_m3: null }), cycle({ volume_m3: 2 })], true)).toBe(false);
    // everything configured: an empty period is a chart of zeros, not a configuration problem
    expect(volumesNeedFlowRate([], false)).toBe(false);
  });
});
