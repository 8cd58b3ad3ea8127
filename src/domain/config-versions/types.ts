export const PUMP_TYPES = ["relevage", "sortie", "autre"] as const;
export type PumpType = (typeof PUMP_TYPES)[number];

/** Everything a version carries besides its validity period. */
export interface ChannelConfig {
  /** the channel's custom name ("PR1"); null shows the technical id */
  name: string | null;
  pumpType: PumpType;
  /** "débit effectif" of this installation; null: no volume is computed */
  flowRateM3h: number | null;
  pumpModelId: number | null;
  /** raw-water quality, mg/L */
  dbo5MgL: number;
  dcoMgL: number;
  mesMgL: number;
  activityThresholdW: number;
  stopGapMin: number;
  minCycleMin: number;
  /** the wet well this pump empties: the relevage channels of one meter with the same sump share it */
  sump: string;
  /** useful volume of that sump between the stop and the start float, m³; null: unknown (no measured flow) */
  sumpVolumeM3: number | null;
}

/**
 * One row of the channel's Type 2 history: valid on the whole days [effectiveFrom, effectiveTo).
 * A valid history tiles [first effectiveFrom, ∞): sorted, each effectiveTo is the next effectiveFrom,
 * only the last one is open (null).
 */
export interface ConfigVersion extends ChannelConfig {
  effectiveFrom: string;
  effectiveTo: string | null;
  /** 1 for a new date; + 1 each time the version of that date is corrected */
  version: number;
}

export const DEFAULT_CHANNEL_CONFIG: Readonly<ChannelConfig> = Object.freeze({
  name: null,
  pumpType: "relevage",
  flowRateM3h: null,
  pumpModelId: null,
  dbo5MgL: 570,
  dcoMgL: 1250,
  mesMgL: 650,
  activityThresholdW: 10,
  stopGapMin: 4,
  minCycleMin: 2,
  sump: "1",
  sumpVolumeM3: null,
});

/**
 * A new version from `effectiveFrom` on. A field left out (undefined) is copied from the version in force
 * on that date; null clears a nullable field (name, flowRateM3h, pumpModelId).
 */
export interface VersionChangeRequest extends Partial<ChannelConfig> {
  effectiveFrom: string;
}

export const FIRST_ALLOWED_DATE = "2000-01-01";
export const LAST_ALLOWED_DATE = "2100-12-31";
export const MAX_CONCENTRATION_MG_L = 100_000;
export const MAX_NAME_LENGTH = 100;
export const MAX_SUMP_LENGTH = 20;
/** a lift station's wet well is a few m³; beyond this the figure is a typo (litres, or cm) */
export const MAX_SUMP_VOLUME_M3 = 1000;
