import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decimalText,
  parseDecimal,
  validateEffectiveDate,
  validateFlowRate,
  validateThreshold,
  validateWater,
} from "./config-form";

describe("the channel form's rules", () => {
  it("reads French and English decimals, and an empty field as no value", () => {
    expect(parseDecimal("12,5")).toBe(12.5);
    expect(parseDecimal(" 18.0 ")).toBe(18);
    expect(parseDecimal("")).toBeNull();
    expect(parseDecimal("abc")).toBeNaN();
    expect(parseDecimal("1e3")).toBeNaN();
    expect(parseDecimal("12,5,3")).toBeNaN();
  });

  it("writes back what it reads", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1e6, noNaN: true }), (v) => {
        expect(parseDecimal(decimalText(v))).toBe(v);
      }),
    );
  });

  it("refuses a flow rate that is not a positive number (predecessor bug 42), accepts an empty one", () => {
    expect(validateFlowRate("abc", "PR1")).toMatch(/^Débit effectif invalide pour PR1/);
    expect(validateFlowRate("-3", "PR1")).toMatch(/invalide/);
    expect(validateFlowRate("0", "PR1")).toMatch(/invalide/);
    expect(validateFlowRate("", "PR1")).toBeNull();
    expect(validateFlowRate("9,5", "PR1")).toBeNull();
  });

  it("needs a positive activity threshold", () => {
    expect(validateThreshold("", "PS")).toMatch(/Seuil d'activité invalide pour PS/);
    expect(validateThreshold("10", "PS")).toBeNull();
  });

  it("keeps raw-water quality within the predecessor's ranges", () => {
    expect(validateWater({ dbo5: "570", dco: "1250", mes: "650" })).toEqual({});
    expect(Object.keys(validateWater({ dbo5: "5001", dco: "-1", mes: "x" }))).toEqual(["dbo5", "dco", "mes"]);
    expect(validateWater({ dbo5: "570", dco: "10000", mes: "0" })).toEqual({});
  });

  it("refuses the year 206 and days that do not exist (predecessor bug 16)", () => {
    expect(validateEffectiveDate("0206-02-19")).toContain("l'année 206");
    expect(validateEffectiveDate("2026-02-30")).toContain("n'existe pas");
    expect(validateEffectiveDate("")).toBe("Date d'effet requise.");
    expect(validateEffectiveDate("2026-02-19")).toBeNull();
  });
});
