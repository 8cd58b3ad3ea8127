import { describe, expect, it } from "vitest";
import type { Cycle } from "../api/types";
import { frenchDecimal, frenchTime } from "../i18n/format";
import { flowRatesUsed, kwhPerM3, massText, monitoredDaysText } from "./impact-text";

describe("dashboard figures", () => {
  it("one decimal for W, A and V, decimal comma (bug 6); HHhMM, never Invalid Date (bug 1)", () => {
    expect(frenchDecimal(2.48, 1)).toBe("2,5");
    expect(frenchDecimal(423, 1)).toBe("423,0");
    expect(frenchDecimal(228.94, 1)).toBe("228,9");
    expect(frenchDecimal(null, 1)).toBe("-");
    expect(frenchTime(Date.parse("2026-02-14T09:40:00Z") / 1000, "UTC")).toBe("09h40");
  });

  it("CO₂e in kg under a tonne and in t above (bug 20), kWh/m³ only when water was treated", () => {
    expect(massText(6580)).toBe("6,58 t");
    expect(massText(594.2)).toBe("594,2 kg");
    expect(massText(0)).toBe("0,0 kg");
    expect(kwhPerM3(18, 132)).toBe("0,136");
    expect(kwhPerM3(3, 0)).toBe("-");
  });

  it("lists the flow rates each lift channel used over the period, oldest first", () => {
    const c = (start: string, flow: number | null, pump: Cycle["pump_type"] = "relevage") =>
      ({ device_id: "d", channel: 0, start, flow_rate_m3h: flow, pump_type: pump, noise: false }) as Cycle;
    // the API lists newest first
    const list = [
      c("2026-02-11", 9),
      c("2026-02-10", 9),
      c("2026-02-09", 18),
      c("2026-02-09", null, "sortie"),
    ];
    expect(flowRatesUsed(list, () => "PR1")).toEqual(["PR1 : 18,0 puis 9,0 m³/h"]);
  });

  it("says how many days the per-day figure divides by: the days the meter was monitored (issue 21)", () => {
    expect(monitoredDaysText(8, 8)).toBe("sur 8 jours suivis");
    expect(monitoredDaysText(7, 30)).toBe("sur 7 jours suivis (période : 30 jours entiers)");
    expect(monitoredDaysText(1, 1)).toBe("sur 1 jour suivi");
    expect(monitoredDaysText(0, 0)).toBe("sur 0 jour suivi");
  });
});
