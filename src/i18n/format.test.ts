import { describe, expect, it } from "vitest";
import { frenchDate, frenchDecimal, frenchTime } from "./format.js";

const at = (iso: string) => Date.parse(iso) / 1000;

describe("French formats", () => {
  it("bug 1: 2026-02-14T09:40:00Z → 14/02/2026 and 09h40 in UTC (never Invalid Date)", () => {
    expect(frenchDate(at("2026-02-14T09:40:00Z"), "UTC")).toBe("14/02/2026");
    expect(frenchTime(at("2026-02-14T09:40:00Z"), "UTC")).toBe("09h40");
  });

  it("shows the site's local time", () => {
    expect(frenchTime(at("2026-07-01T22:30:00Z"), "Europe/Paris")).toBe("00h30");
    expect(frenchDate(at("2026-07-01T22:30:00Z"), "Europe/Paris")).toBe("02/07/2026");
    expect(frenchTime(at("2026-07-01T22:30:00Z"), "Africa/Dakar")).toBe("22h30");
  });

  it("bug 6: one decimal with a decimal comma: 2.48 → 2,5; 423 → 423,0; 228.94 → 228,9", () => {
    expect(frenchDecimal(2.48, 1)).toBe("2,5");
    expect(frenchDecimal(423, 1)).toBe("423,0");
    expect(frenchDecimal(228.94, 1)).toBe("228,9");
    expect(frenchDecimal(null, 1)).toBe("-");
  });
});
