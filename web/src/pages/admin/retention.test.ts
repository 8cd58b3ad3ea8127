import { describe, expect, it } from "vitest";
import { retentionMonths, retentionShortens } from "./retention";

describe("the retention field", () => {
  it("keeps everything when unticked, whatever the field holds", () => {
    expect(retentionMonths(false, "abc")).toBeNull();
    expect(retentionMonths(false, "12")).toBeNull();
  });

  it("takes a whole number of months from 1 to 1200, and nothing else", () => {
    expect(retentionMonths(true, " 24 ")).toBe(24);
    expect(retentionMonths(true, "1")).toBe(1);
    expect(retentionMonths(true, "1200")).toBe(1200);
    for (const bad of ["", "0", "1201", "1,5", "1.5", "-3", "douze", "2e1"]) {
      expect(retentionMonths(true, bad)).toBeNaN();
    }
  });

  it("asks for a confirmation only when minutes kept now would be deleted", () => {
    expect(retentionShortens(null, 24)).toBe(true);
    expect(retentionShortens(24, 12)).toBe(true);
    expect(retentionShortens(24, 24)).toBe(false);
    expect(retentionShortens(12, 24)).toBe(false);
    expect(retentionShortens(12, null)).toBe(false);
    expect(retentionShortens(null, null)).toBe(false);
  });
});
