import { sortedHistory, versionAt } from "./history.js";
import {
  type ChannelConfig,
  type ConfigVersion,
  DEFAULT_CHANNEL_CONFIG,
  type VersionChangeRequest,
} from "./types.js";
import { assertEffectiveDate, validateChannelConfig } from "./validate.js";

/**
 * What one change request does to a channel's history. Exactly one version is inserted; at most one
 * existing row is touched:
 * - `create`:  empty history → [D, ∞).
 * - `prepend`: D before the first version → [D, first.effectiveFrom).
 * - `split`:   D inside [F, E) → that row is closed at D (`closed`), the new one takes [D, E).
 * - `correct`: D equals a version's start → that row is superseded (`replaced`: delete or archive it),
 *              the new one takes its period with `version` + 1.
 */
export interface VersionPlan<T extends ConfigVersion> {
  kind: "create" | "prepend" | "split" | "correct";
  inserted: ConfigVersion;
  closed: { row: T; effectiveTo: string } | null;
  replaced: T | null;
  /** the complete history after the change, sorted */
  versions: ConfigVersion[];
}

export function planVersionChange<T extends ConfigVersion>(
  existing: readonly T[],
  request: VersionChangeRequest,
): VersionPlan<T> {
  const date = assertEffectiveDate(request.effectiveFrom);
  const history = sortedHistory(existing);
  const inForce = versionAt(history, date);
  const config = mergeConfig(inForce ?? DEFAULT_CHANNEL_CONFIG, request);
  const first = history[0];

  if (inForce === null || first === undefined) {
    const inserted: ConfigVersion = { ...config, effectiveFrom: date, effectiveTo: null, version: 1 };
    return { kind: "create", inserted, closed: null, replaced: null, versions: [inserted] };
  }
  if (date < first.effectiveFrom) {
    const inserted: ConfigVersion = {
      ...config,
      effectiveFrom: date,
      effectiveTo: first.effectiveFrom,
      version: 1,
    };
    return {
      kind: "prepend",
      inserted,
      closed: null,
      replaced: null,
      versions: [inserted, ...history.map(copy)],
    };
  }
  if (date === inForce.effectiveFrom) {
    const inserted: ConfigVersion = {
      ...config,
      effectiveFrom: date,
      effectiveTo: inForce.effectiveTo,
      version: inForce.version + 1,
    };
    const versions = history.map((v) => (v === inForce ? inserted : copy(v)));
    return { kind: "correct", inserted, closed: null, replaced: inForce, versions };
  }
  const inserted: ConfigVersion = {
    ...config,
    effectiveFrom: date,
    effectiveTo: inForce.effectiveTo,
    version: 1,
  };
  const versions = history.flatMap((v) =>
    v === inForce ? [{ ...copy(v), effectiveTo: date }, inserted] : [copy(v)],
  );
  return { kind: "split", inserted, closed: { row: inForce, effectiveTo: date }, replaced: null, versions };
}

/**
 * "Enregistrer tout" on the channel row: edit the version in force today without creating history
 * (bug 15), which is a correction of that version. With no history yet, a first version from today.
 */
export function planCurrentConfigUpdate<T extends ConfigVersion>(
  existing: readonly T[],
  fields: Partial<ChannelConfig>,
  today: string,
): VersionPlan<T> {
  const current = versionAt(sortedHistory(existing), assertEffectiveDate(today, "today"));
  return planVersionChange(existing, { ...fields, effectiveFrom: current?.effectiveFrom ?? today });
}

function mergeConfig(base: Readonly<ChannelConfig>, request: VersionChangeRequest): ChannelConfig {
  const pick = <K extends keyof ChannelConfig>(key: K): unknown =>
    request[key] === undefined ? base[key] : request[key];
  return validateChannelConfig({
    name: pick("name"),
    pumpType: pick("pumpType"),
    flowRateM3h: pick("flowRateM3h"),
    pumpModelId: pick("pumpModelId"),
    dbo5MgL: pick("dbo5MgL"),
    dcoMgL: pick("dcoMgL"),
    mesMgL: pick("mesMgL"),
    activityThresholdW: pick("activityThresholdW"),
    stopGapMin: pick("stopGapMin"),
    minCycleMin: pick("minCycleMin"),
    sump: pick("sump"),
    sumpVolumeM3: pick("sumpVolumeM3"),
  });
}

function copy(v: ConfigVersion): ConfigVersion {
  return {
    effectiveFrom: v.effectiveFrom,
    effectiveTo: v.effectiveTo,
    version: v.version,
    name: v.name,
    pumpType: v.pumpType,
    flowRateM3h: v.flowRateM3h,
    pumpModelId: v.pumpModelId,
    dbo5MgL: v.dbo5MgL,
    dcoMgL: v.dcoMgL,
    mesMgL: v.mesMgL,
    activityThresholdW: v.activityThresholdW,
    stopGapMin: v.stopGapMin,
    minCycleMin: v.minCycleMin,
    sump: v.sump,
    sumpVolumeM3: v.sumpVolumeM3,
  };
}
