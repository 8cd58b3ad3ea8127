import { type ChannelVersions, channelKey, cyclesReport } from "../analytics/cycles-report.js";
import type { Database } from "../db/database.js";
import { liveVersionsOfChannel } from "../db/queries/channel-versions.js";
import { deviceExists } from "../db/queries/device-names.js";
import { firstCycleStartOfChannel } from "../db/queries/first-cycle-of-channel.js";
import { pumpModelById } from "../db/queries/pump-models.js";
import {
  addDays,
  type ConfigVersion,
  localDateOf,
  planVersionChange,
  versionAt,
} from "../domain/config-versions/index.js";
import type { CycleSummary, FactorSet } from "../domain/impact/index.js";
import { parsePeriod } from "../domain/period.js";
import { ConfigAdminError, unknownDevice } from "./config-errors.js";
import { type AddChannelVersionInput, checkChannelRef, configFieldsOf } from "./config-versions.js";

const DETECTION_FIELDS = ["activityThresholdW", "stopGapMin", "minCycleMin"] as const;

export interface VersionPreview {
  action: "create" | "prepend" | "split" | "correct";
  /** the version that would be written */
  version: ConfigVersion;
  /** the channel's history as it would be, oldest first */
  versions: ConfigVersion[];
  /** the version split or corrected, or the first one for a prepend; null for a first version */
  touched: ConfigVersion | null;
  /** the past local days whose figures change, both included; null when only future days change */
  affected: { from: string; to: string } | null;
  before: CycleSummary | null;
  after: CycleSummary | null;
  /** the change moves the detection settings in force today: the cycles themselves would be re-detected */
  detectionChanged: boolean;
}

/**
 * What `addChannelVersion` would do, committing nothing: the plan of the pure domain on the live history,
 * and the cycles report of the affected days computed twice, with the history as it is and as planned —
 * the same computation /api/cycles makes, so after saving it reports exactly the `after` figures (unless
 * `detectionChanged`: then the cycles are re-detected and the figures are those of today's cycles).
 * Same errors as addChannelVersion.
 */
export async function previewChannelVersion(
  db: Database,
  input: AddChannelVersionInput,
  now: Date,
  timeZone: string,
  factorSet: FactorSet,
): Promise<VersionPreview> {
  const ref = checkChannelRef(input);
  if (!(await deviceExists(db, ref.deviceId))) throw unknownDevice(ref.deviceId);
  const history = await liveVersionsOfChannel(db, ref.deviceId, ref.channel);
  const plan = planVersionChange(history, { ...configFieldsOf(input), effectiveFrom: input.effectiveFrom });
  const modelId = plan.inserted.pumpModelId;
  if (modelId !== null && (await pumpModelById(db, modelId)) === null) {
    throw new ConfigAdminError("unknown_pump_model", `Modèle de pompe inconnu : ${modelId}.`, {
      field: "pumpModelId",
    });
  }
  const nowS = Math.floor(now.getTime() / 1000);
  const today = localDateOf(nowS, timeZone);
  const touched =
    plan.replaced ?? plan.closed?.row ?? (plan.kind === "prepend" ? (history[0] ?? null) : null);

  // Dates before the first version use the first version: a new first version changes them too.
  let from = plan.inserted.effectiveFrom;
  if (plan.versions[0] === plan.inserted) {
    const first = await firstCycleStartOfChannel(db, ref.deviceId, ref.channel);
    if (first !== null) {
      const firstDate = localDateOf(first.getTime() / 1000, timeZone);
      if (firstDate < from) from = firstDate;
    }
  }
  const lastDay = plan.inserted.effectiveTo === null ? null : addDays(plan.inserted.effectiveTo, -1);
  const to = lastDay === null || lastDay > today ? today : lastDay;

  const todayBefore = versionAt(history, today);
  const todayAfter = versionAt(plan.versions, today);
  const detectionChanged =
    todayAfter !== null && DETECTION_FIELDS.some((f) => todayBefore?.[f] !== todayAfter[f]);
  const preview = {
    action: plan.kind,
    version: plan.inserted,
    versions: plan.versions,
    touched,
    detectionChanged,
  };
  if (from > to) return { ...preview, affected: null, before: null, after: null };

  const parsed = parsePeriod(from, to, timeZone, nowS);
  if (!parsed.ok) throw new RangeError(`preview period ${from}..${to}: ${parsed.error}`);
  const report = async (versions: readonly ConfigVersion[]) => {
    const source: ChannelVersions = {
      versionsOf: async () => new Map([[channelKey(ref), [...versions]]]),
    };
    const result = await cyclesReport(db, source, {
      channels: [ref],
      period: parsed.period,
      includeNoise: false,
      nowS,
      timeZone,
      factorSet,
      limit: 1,
    });
    return result.summary;
  };
  const before = await report(history);
  // The refresh before a report detects cycles with the settings in force today: the planned ones must not
  // detect anything the saved history would not (the impact of a cycle does not depend on them).
  const settings = todayBefore ?? todayAfter;
  const after = await report(
    plan.versions.map((v) =>
      settings === null
        ? v
        : {
            ...v,
            activityThresholdW: settings.activityThresholdW,
            stopGapMin: settings.stopGapMin,
            minCycleMin: settings.minCycleMin,
          },
    ),
  );
  return { ...preview, affected: { from, to }, before, after };
}
