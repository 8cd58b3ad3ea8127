import type { PumpType } from "../config-versions/index.js";
import { ImpactError } from "./errors.js";

/**
 * Treated volume of one run: the installation's effective flow × running time. Null — shown "-", never 0 —
 * when the channel is not a lift station (only `relevage` water is treated wastewater) or has no flow rate.
 */
export function volumeM3(
  runtimeMin: number,
  flowRateM3h: number | null,
  pumpType: PumpType | null,
): number | null {
  if (!Number.isFinite(runtimeMin))
    throw new ImpactError("invalid_number", "Durée de fonctionnement invalide");
  if (runtimeMin < 0) throw new ImpactError("negative_runtime", "La durée ne peut pas être négative");
  if (pumpType !== "relevage" || flowRateM3h === null) return null;
  if (!Number.isFinite(flowRateM3h)) throw new ImpactError("invalid_number", "Débit invalide");
  return (runtimeMin / 60) * flowRateM3h;
}
