export {
  type Co2eInput,
  type Co2eResult,
  co2eAvoided,
  electricityCo2eKg,
  FRANCE_GRID_FACTOR,
  type GridFactor,
  mesRetainedKg,
} from "./co2e.js";
export { ImpactError, type ImpactErrorCode } from "./errors.js";
export {
  DEFAULT_FACTOR_SET_ID,
  FACTOR_SET_IDS,
  type FactorSet,
  type FactorSetId,
  FP_2026,
  factorSetById,
  type GwpChoice,
  type Ipcc2019VfOptions,
  type IpccReference,
  ipcc2019Vf,
} from "./factor-sets.js";
export {
  type CycleImpact,
  type CycleSummary,
  type CycleWithVersion,
  cycleImpact,
  type DayTotals,
  type PeriodSpreads,
  type Spread,
  type SummaryOptions,
  type SummaryRange,
  summarizeCycles,
  summarizeDays,
  wholeDaysOf,
} from "./summary.js";
export { volumeM3 } from "./volume.js";
