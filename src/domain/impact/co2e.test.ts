import { describe, expect, it } from "vitest";
import { co2eAvoided, electricityCo2eKg, FRANCE_GRID_FACTOR, mesRetainedKg } from "./co2e.js";
import { ImpactError } from "./errors.js";
import { DEFAULT_FACTOR_SET_ID, type FactorSet, FP_2026, factorSetById, ipcc2019Vf } from "./factor-sets.js";

const round = (x: number, decimals: number): number => Math.round(x * 10 ** decimals) / 10 ** decimals;

describe("fp-2026 (the predecessor's method)", () => {
  it("is the default set", () => {
    expect(DEFAULT_FACTOR_SET_ID).toBe("fp-2026");
    expect(factorSetById("fp-2026")).toBe(FP_2026);
  });

  it("bug 20: 1461.9 m³ at DBO5 570 avoid 6 579.6 kg CO₂e (6.58 t) with a 94.0 % reduction", () => {
    const result = co2eAvoided({ volumeM3: 1461.9, dbo5MgL: 570, dcoMgL: 1250 });
    expect(round(result.co2eAvoidedKg, 1)).toBe(6579.6);
    expect((result.co2eAvoidedKg / 1000).toFixed(2)).toBe("6.58");
    expect(result.reductionPercent.toFixed(1)).toBe("94.0");
    expect(result).toMatchObject({ basis: "dbo5", factorSetId: "fp-2026" });
  });

  it("bug 20: zero, negative volume and zero DBO5 give 0 and 0", () => {
    for (const input of [
      { volumeM3: 0, dbo5MgL: 570, dcoMgL: null },
      { volumeM3: -5, dbo5MgL: 570, dcoMgL: null },
      { volumeM3: 100, dbo5MgL: 0, dcoMgL: null },
    ]) {
      expect(co2eAvoided(input)).toMatchObject({ co2eAvoidedKg: 0, ch4AvoidedKg: 0, reductionPercent: 0 });
    }
  });

  it("follows the single-line formula V × DBO5 × 0.6 × (0.5 − 0.03) × 28", () => {
    const result = co2eAvoided({ volumeM3: 1, dbo5MgL: 570, dcoMgL: null });
    expect(result.co2eAvoidedKg).toBeCloseTo(0.57 * 0.6 * 0.47 * 28, 12);
    expect(result.ch4AvoidedKg).toBeCloseTo(0.57 * 0.6 * 0.47, 12);
  });

  it("is linear in volume (×100) and grows with DBO5", () => {
    const one = co2eAvoided({ volumeM3: 1, dbo5MgL: 570, dcoMgL: null }).co2eAvoidedKg;
    expect(co2eAvoided({ volumeM3: 100, dbo5MgL: 570, dcoMgL: null }).co2eAvoidedKg).toBeCloseTo(
      100 * one,
      9,
    );
    expect(co2eAvoided({ volumeM3: 1, dbo5MgL: 800, dcoMgL: null }).co2eAvoidedKg).toBeGreaterThan(one);
  });

  it("never uses DCO: it is a DBO5-only method", () => {
    expect(co2eAvoided({ volumeM3: 10, dbo5MgL: null, dcoMgL: 1250 })).toMatchObject({
      co2eAvoidedKg: 0,
      basis: null,
    });
  });

  it("custom coefficients: GWP 29.8 over 28 is between 1.06 and 1.07", () => {
    const ar6Fossil: FactorSet = { ...FP_2026, id: "fp-2026-gwp-29.8", gwpCh4: 29.8 };
    const input = { volumeM3: 10, dbo5MgL: 570, dcoMgL: null };
    const ratio = co2eAvoided(input, ar6Fossil).co2eAvoidedKg / co2eAvoided(input).co2eAvoidedKg;
    expect(ratio).toBeGreaterThan(1.06);
    expect(ratio).toBeLessThan(1.07);
  });

  it("custom coefficients: reference only is a gain, filter only is a loss", () => {
    const input = { volumeM3: 10, dbo5MgL: 570, dcoMgL: null };
    expect(co2eAvoided(input, { ...FP_2026, mcfFilter: 0 }).co2eAvoidedKg).toBeGreaterThan(0);
    expect(co2eAvoided(input, { ...FP_2026, mcfReference: 0 }).co2eAvoidedKg).toBeLessThan(0);
  });

  it("a deliberately broken coefficient changes the reference figure", () => {
    const broken: FactorSet = { ...FP_2026, mcfFilter: -0.03 };
    expect(
      round(co2eAvoided({ volumeM3: 1461.9, dbo5MgL: 570, dcoMgL: null }, broken).co2eAvoidedKg, 1),
    ).not.toBe(6579.6);
  });

  it("is immutable data that names its sources", () => {
    expect(Object.isFrozen(FP_2026)).toBe(true);
    expect(Object.isFrozen(FP_2026.sources)).toBe(true);
    expect(FP_2026.sources.length).toBeGreaterThan(0);
    expect(FP_2026.gwpLabel).toBe("PRG CH₄ = 28, GIEC AR5");
  });
});

describe("ipcc-2019-vf", () => {
  const input = { volumeM3: 1, dbo5MgL: 300, dcoMgL: null };

  it("untreated reference: 1 m³ at DBO5 300, outlet 25 → 0.01690 kg CH₄ → 0.473 kg CO₂e", () => {
    const result = co2eAvoided(input, ipcc2019Vf({ reference: "untreated" }));
    expect(result.ch4AvoidedKg).toBeCloseTo(0.0169, 12);
    expect(round(result.co2eAvoidedKg, 3)).toBe(0.473);
    expect(result.factorSetId).toBe("ipcc-2019-vf");
  });

  it("untreated is the default reference, AR5 the default GWP, 25 mg/L the default outlet", () => {
    const set = ipcc2019Vf();
    expect(set).toMatchObject({ referenceScenario: "untreated", gwpCh4: 28 });
    expect(set.effluent?.outletDbo5MgL).toBe(25);
    expect(factorSetById("ipcc-2019-vf").referenceScenario).toBe("untreated");
  });

  it("septic tank reference: 0.0865 kg CH₄ → 2.42 kg CO₂e", () => {
    const result = co2eAvoided(input, ipcc2019Vf({ reference: "septic" }));
    expect(result.ch4AvoidedKg).toBeCloseTo(0.0865, 12);
    expect(round(result.co2eAvoidedKg, 2)).toBe(2.42);
  });

  it("aerobic plant reference: 0.300 × 0.018 − 0.0035", () => {
    const result = co2eAvoided(input, ipcc2019Vf({ reference: "aerobic" }));
    expect(result.ch4AvoidedKg).toBeCloseTo(0.0054 - 0.0035, 12);
  });

  it("AR6 non-fossil GWP 27.0", () => {
    const result = co2eAvoided(input, ipcc2019Vf({ gwp: "ar6" }));
    expect(result.co2eAvoidedKg).toBeCloseTo(0.0169 * 27, 12);
    expect(ipcc2019Vf({ gwp: "ar6" }).gwpLabel).toContain("AR6");
  });

  it("uses DCO only when DBO5 is missing, never both", () => {
    const both = co2eAvoided({ volumeM3: 1, dbo5MgL: 300, dcoMgL: 750 }, ipcc2019Vf());
    expect(both.basis).toBe("dbo5");
    expect(both.ch4AvoidedKg).toBeCloseTo(0.0169, 12);
    const dco = co2eAvoided({ volumeM3: 1, dbo5MgL: null, dcoMgL: 750 }, ipcc2019Vf());
    expect(dco.basis).toBe("dco");
    // 0.750 × 0.25 × MCF 0.1133 − (0.750 × 0.25 × 0.01 + 0.125 × 0.25 × 0.1133)
    const mcf = 0.068 / 0.6;
    expect(dco.ch4AvoidedKg).toBeCloseTo(0.75 * 0.25 * mcf - (0.75 * 0.25 * 0.01 + 0.125 * 0.25 * mcf), 12);
  });

  it("caps the outlet at the inlet concentration: a dilute inflow costs only the filter's own CH₄", () => {
    const result = co2eAvoided({ volumeM3: 1, dbo5MgL: 20, dcoMgL: null }, ipcc2019Vf());
    expect(result.ch4AvoidedKg).toBeCloseTo(-0.02 * 0.6 * 0.01, 12);
  });

  it("is immutable and names its sources", () => {
    const set = ipcc2019Vf({ reference: "septic" });
    expect(Object.isFrozen(set)).toBe(true);
    expect(Object.isFrozen(set.effluent)).toBe(true);
    expect(set.sources.some((s) => s.includes("2019"))).toBe(true);
  });
});

describe("MES and electricity", () => {
  it("MES retained = V × MES / 1000", () => {
    expect(mesRetainedKg(100, 650)).toBeCloseTo(65, 12);
    expect(mesRetainedKg(0, 650)).toBe(0);
  });

  it("MES adds no CO₂e unless the set says so", () => {
    const input = { volumeM3: 10, dbo5MgL: 570, dcoMgL: null, mesMgL: 650 };
    expect(co2eAvoided(input).co2eAvoidedKg).toBe(co2eAvoided({ ...input, mesMgL: null }).co2eAvoidedKg);
  });

  it("electricity CO₂e = kWh × grid factor, null without a factor", () => {
    expect(electricityCo2eKg(100, FRANCE_GRID_FACTOR)).toBeCloseTo(5.2, 12);
    expect(electricityCo2eKg(100, null)).toBeNull();
    expect(() => electricityCo2eKg(-1, FRANCE_GRID_FACTOR)).toThrow(ImpactError);
  });
});
