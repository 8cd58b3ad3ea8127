import { ImpactError } from "./errors.js";
import { type FactorSet, FP_2026 } from "./factor-sets.js";

export interface Co2eInput {
  volumeM3: number;
  /** raw-water DBO5, mg/L; null: unknown (the DCO is used instead where the set allows it) */
  dbo5MgL: number | null;
  dcoMgL: number | null;
  /** only used when the set gives MES a CO₂e coefficient */
  mesMgL?: number | null;
}

export interface Co2eResult {
  co2eAvoidedKg: number;
  ch4AvoidedKg: number;
  ch4ReferenceKg: number;
  ch4FilterKg: number;
  /** avoided CH₄ as a share of the reference scenario's CH₄ */
  reductionPercent: number;
  /** which concentration the loads were computed from; null when none could be */
  basis: "dbo5" | "dco" | null;
  factorSetId: string;
}

/**
 * CH₄ the planted filter avoids compared with the set's reference scenario, in CO₂e.
 * DBO5 and DCO describe the same organic matter, so exactly one of them is the basis — never their sum.
 * A volume or concentration ≤ 0 gives 0 (the predecessor's rule).
 */
export function co2eAvoided(input: Co2eInput, factorSet: FactorSet = FP_2026): Co2eResult {
  const { volumeM3, dbo5MgL, dcoMgL } = input;
  for (const value of [volumeM3, dbo5MgL, dcoMgL, input.mesMgL]) {
    if (value !== null && value !== undefined && !Number.isFinite(value)) {
      throw new ImpactError("invalid_number", "Valeur numérique invalide pour le calcul CO₂e");
    }
  }

  let basis: Co2eResult["basis"] = null;
  let concentrationMgL = 0;
  let bo = 0;
  let outletMgL = 0;
  if (dbo5MgL !== null) {
    basis = "dbo5";
    concentrationMgL = dbo5MgL;
    bo = factorSet.boKgCh4PerKgDbo5;
    outletMgL = factorSet.effluent?.outletDbo5MgL ?? 0;
  } else if (dcoMgL !== null && factorSet.boKgCh4PerKgDco !== null) {
    basis = "dco";
    concentrationMgL = dcoMgL;
    bo = factorSet.boKgCh4PerKgDco;
    outletMgL = factorSet.effluent?.outletDcoMgL ?? 0;
  }
  if (basis === null || volumeM3 <= 0 || concentrationMgL <= 0) {
    return zero(basis, factorSet);
  }

  // mg/L = g/m³, so kg = mg/L × m³ / 1000.
  const loadKg = (volumeM3 * concentrationMgL) / 1000;
  const ch4ReferenceKg = loadKg * bo * factorSet.mcfReference;
  // The outlet cannot carry more than came in: a dilute influent must not be charged for a default outlet.
  const outletLoadKg = (volumeM3 * Math.min(outletMgL, concentrationMgL)) / 1000;
  const ch4FilterKg =
    loadKg * bo * factorSet.mcfFilter + (factorSet.effluent ? outletLoadKg * bo * factorSet.effluent.mcf : 0);
  const ch4AvoidedKg = ch4ReferenceKg - ch4FilterKg;
  const mesKg = input.mesMgL != null ? mesRetainedKg(volumeM3, input.mesMgL) : 0;
  return {
    co2eAvoidedKg: ch4AvoidedKg * factorSet.gwpCh4 + mesKg * factorSet.mesCo2eKgPerKg,
    ch4AvoidedKg,
    ch4ReferenceKg,
    ch4FilterKg,
    reductionPercent: ch4ReferenceKg > 0 ? (ch4AvoidedKg / ch4ReferenceKg) * 100 : 0,
    basis,
    factorSetId: factorSet.id,
  };
}

function zero(basis: Co2eResult["basis"], factorSet: FactorSet): Co2eResult {
  return {
    co2eAvoidedKg: 0,
    ch4AvoidedKg: 0,
    ch4ReferenceKg: 0,
    ch4FilterKg: 0,
    reductionPercent: 0,
    basis,
    factorSetId: factorSet.id,
  };
}

/** Suspended solids retained by the filter: a physical indicator, not a CO₂e. */
export function mesRetainedKg(volumeM3: number, mesMgL: number): number {
  if (!Number.isFinite(volumeM3) || !Number.isFinite(mesMgL)) {
    throw new ImpactError("invalid_number", "Valeur numérique invalide pour les MES");
  }
  return volumeM3 > 0 && mesMgL > 0 ? (volumeM3 * mesMgL) / 1000 : 0;
}

export interface GridFactor {
  kgCo2ePerKwh: number;
  /** named next to the figure */
  source: string;
}

/** ADEME Base Empreinte, average consumption mix; never the per-use factors. */
export const FRANCE_GRID_FACTOR: Readonly<GridFactor> = Object.freeze({
  kgCo2ePerKwh: 0.052,
  source: "ADEME Base Empreinte, « Électricité – mix moyen – consommation », France (millésimes 2022–2024)",
});

/**
 * CO₂e emitted by the pumps' electricity, shown on its own line and never netted against the avoided
 * figure. Null when the site has no grid factor (Senegal ships none: the administrator enters it).
 */
export function electricityCo2eKg(energyKwh: number, gridFactor: GridFactor | null): number | null {
  if (!Number.isFinite(energyKwh)) throw new ImpactError("invalid_number", "Énergie invalide");
  if (energyKwh < 0) throw new ImpactError("negative_energy", "L'énergie ne peut pas être négative");
  if (gridFactor === null) return null;
  if (!Number.isFinite(gridFactor.kgCo2ePerKwh) || gridFactor.kgCo2ePerKwh < 0) {
    throw new ImpactError("invalid_number", "Facteur d'émission du réseau invalide");
  }
  return energyKwh * gridFactor.kgCo2ePerKwh;
}
