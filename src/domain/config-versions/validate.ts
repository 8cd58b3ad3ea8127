import { parseCalendarDate } from "./calendar-date.js";
import { ConfigVersionError } from "./errors.js";
import {
  type ChannelConfig,
  FIRST_ALLOWED_DATE,
  LAST_ALLOWED_DATE,
  MAX_CONCENTRATION_MG_L,
  MAX_NAME_LENGTH,
  MAX_SUMP_LENGTH,
  MAX_SUMP_VOLUME_M3,
  PUMP_TYPES,
  type PumpType,
} from "./types.js";

/** A real calendar date within 2000-01-01 … 2100-12-31 (the predecessor accepted the year 206). */
export function assertEffectiveDate(date: unknown, field = "effectiveFrom"): string {
  if (typeof date !== "string" || parseCalendarDate(date) === null) {
    throw new ConfigVersionError(
      "invalid_date",
      "La date d'effet doit être une date réelle AAAA-MM-JJ",
      field,
    );
  }
  if (date < FIRST_ALLOWED_DATE || date > LAST_ALLOWED_DATE) {
    throw new ConfigVersionError(
      "date_out_of_range",
      `La date d'effet doit être comprise entre ${FIRST_ALLOWED_DATE} et ${LAST_ALLOWED_DATE}`,
      field,
    );
  }
  return date;
}

/**
 * Checks every field of a configuration and normalises the name (trimmed, empty → null). Values typed
 * `unknown` on purpose: requests come from outside, and the type system can't vouch for them.
 */
export function validateChannelConfig(config: Record<keyof ChannelConfig, unknown>): ChannelConfig {
  return {
    name: checkName(config.name),
    pumpType: checkPumpType(config.pumpType),
    flowRateM3h: checkFlowRate(config.flowRateM3h),
    pumpModelId: checkPumpModelId(config.pumpModelId),
    dbo5MgL: checkConcentration(config.dbo5MgL, "dbo5MgL", "DBO5"),
    dcoMgL: checkConcentration(config.dcoMgL, "dcoMgL", "DCO"),
    mesMgL: checkConcentration(config.mesMgL, "mesMgL", "MES"),
    activityThresholdW: checkPositive(config.activityThresholdW, "activityThresholdW", "Le seuil d'activité"),
    stopGapMin: checkPositive(config.stopGapMin, "stopGapMin", "L'écart d'arrêt"),
    minCycleMin: checkPositive(config.minCycleMin, "minCycleMin", "La durée minimale de cycle"),
    sump: checkSump(config.sump),
    sumpVolumeM3: checkSumpVolume(config.sumpVolumeM3),
  };
}

function checkSump(value: unknown): string {
  const trimmed = typeof value === "string" ? value.trim() : "";
  if (trimmed === "" || trimmed.length > MAX_SUMP_LENGTH) {
    throw new ConfigVersionError(
      "invalid_sump",
      `La bâche doit être un nom court (1 à ${MAX_SUMP_LENGTH} caractères), par exemple « 1 »`,
      "sump",
    );
  }
  return trimmed;
}

function checkSumpVolume(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === "number" && Number.isFinite(value) && value > 0 && value <= MAX_SUMP_VOLUME_M3)
    return value;
  throw new ConfigVersionError(
    "invalid_sump_volume",
    `Le volume utile de la bâche doit être un nombre de m³ supérieur à 0 et au plus ${MAX_SUMP_VOLUME_M3}, ou vide`,
    "sumpVolumeM3",
  );
}

function checkName(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "string") throw new ConfigVersionError("invalid_name", "Nom invalide", "name");
  const trimmed = value.trim();
  if (trimmed.length > MAX_NAME_LENGTH) {
    throw new ConfigVersionError("invalid_name", `Le nom dépasse ${MAX_NAME_LENGTH} caractères`, "name");
  }
  return trimmed === "" ? null : trimmed;
}

function checkPumpType(value: unknown): PumpType {
  if (typeof value === "string" && (PUMP_TYPES as readonly string[]).includes(value))
    return value as PumpType;
  throw new ConfigVersionError(
    "invalid_pump_type",
    "Le type de poste doit être relevage, sortie ou autre",
    "pumpType",
  );
}

// Zero is refused like any non-positive flow (predecessor defect 6): "no flow" is null, not 0.
function checkFlowRate(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  throw new ConfigVersionError(
    "invalid_flow_rate",
    "Le débit doit être un nombre positif ou vide",
    "flowRateM3h",
  );
}

function checkPumpModelId(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  throw new ConfigVersionError("invalid_pump_model", "Modèle de pompe invalide", "pumpModelId");
}

function checkConcentration(value: unknown, field: string, label: string): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= MAX_CONCENTRATION_MG_L) {
    return value;
  }
  throw new ConfigVersionError(
    "invalid_concentration",
    `${label} doit être comprise entre 0 et ${MAX_CONCENTRATION_MG_L} mg/L`,
    field,
  );
}

function checkPositive(value: unknown, field: string, label: string): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  throw new ConfigVersionError("invalid_threshold", `${label} doit être un nombre positif`, field);
}
