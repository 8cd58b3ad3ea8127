import type { Database, Queryable, Transaction } from "../db/database.js";
import {
  closeChannelVersion,
  insertChannelVersion,
  liveVersionsMeetingDates,
  liveVersionsOfChannel,
  lockChannelHistory,
  type StoredConfigVersion,
  supersedeChannelVersion,
} from "../db/queries/channel-versions.js";
import { type AuditEntry, appendConfigAudit } from "../db/queries/config-audit.js";
import { deviceExists } from "../db/queries/device-names.js";
import { enqueueChannelRebuild } from "../db/queries/enqueue-cycle-refresh.js";
import { pumpModelExistsLocked } from "../db/queries/pump-models.js";
import {
  type ChannelConfig,
  ConfigVersionError,
  FIRST_ALLOWED_DATE,
  LAST_ALLOWED_DATE,
  localDateOf,
  parseCalendarDate,
  planCurrentConfigUpdate,
  planVersionChange,
  sortedHistory,
  type VersionPlan,
} from "../domain/config-versions/index.js";
import { ConfigAdminError, unknownDevice } from "./config-errors.js";

export type { StoredConfigVersion } from "../db/queries/channel-versions.js";

export interface ChannelRef {
  deviceId: string;
  /** 0–3 (switch:N) */
  channel: number;
}

/**
 * A change of configuration: a field left out (undefined) is copied from the version in force on that date;
 * null clears a nullable field (name, flowRateM3h, pumpModelId). Values are checked by the domain.
 */
export type ChannelConfigFields = Partial<ChannelConfig>;

export interface AddChannelVersionInput extends ChannelRef, ChannelConfigFields {
  /** "YYYY-MM-DD", a local date in APP_TIMEZONE, 2000-01-01 … 2100-12-31 */
  effectiveFrom: string;
}

export interface VersionChangeResult {
  /**
   * What happened to the history: `create` (first version), `prepend` (before the first one), `split` (inside
   * a version, which is closed at that date), `correct` (same start date as a version: replaced, version + 1),
   * `unchanged` (updateCurrentChannelConfig with nothing different: nothing written).
   */
  kind: VersionPlan<StoredConfigVersion>["kind"] | "unchanged";
  /** the version written (for `unchanged`, the version in force today) */
  version: StoredConfigVersion;
  /** the channel's whole live history afterwards, oldest first */
  versions: StoredConfigVersion[];
}

const CONFIG_KEYS: readonly (keyof ChannelConfig)[] = [
  "name",
  "pumpType",
  "flowRateM3h",
  "pumpModelId",
  "dbo5MgL",
  "dcoMgL",
  "mesMgL",
  "activityThresholdW",
  "stopGapMin",
  "minCycleMin",
  "sump",
  "sumpVolumeM3",
];

/**
 * A new version of a channel's configuration from `effectiveFrom` on (the "Créer cette version" form and
 * `POST …/versions`). One transaction: the channel's history is locked, planned by the domain, written, and
 * audited; two calls on one channel run one after the other, so the history never has a gap or an overlap.
 * Errors: ConfigVersionError (date, values), ConfigAdminError unknown_device / invalid_channel /
 * unknown_pump_model.
 */
export async function addChannelVersion(
  db: Database,
  input: AddChannelVersionInput,
  actor: string,
  now: Date,
): Promise<VersionChangeResult> {
  const ref = checkChannelRef(input);
  const request = { ...configFieldsOf(input), effectiveFrom: input.effectiveFrom };
  return changeHistory(db, ref, actor, now, (history) => planVersionChange(history, request), "never");
}

/**
 * "Enregistrer tout" for one channel (predecessor bug 15): edits the version in force today, in the site's
 * time zone, as a correction of it (version + 1, the replaced row is kept superseded, and audited), so the
 * history shows what the form shows. Explicit null clears a field, e.g. the flow rate (defect 5). With no
 * history yet, a first version from today. When nothing differs from the version in force, nothing is written.
 */
export async function updateCurrentChannelConfig(
  db: Database,
  input: ChannelRef & ChannelConfigFields,
  actor: string,
  now: Date,
  timeZone: string,
): Promise<VersionChangeResult> {
  const ref = checkChannelRef(input);
  const today = localDateOf(now.getTime() / 1000, timeZone);
  const fields = configFieldsOf(input);
  return changeHistory(
    db,
    ref,
    actor,
    now,
    (history) => planCurrentConfigUpdate(history, fields, today),
    "same_as_replaced",
  );
}

/** A channel's live history, oldest first (empty when it was never configured). */
export async function listChannelVersions(
  db: Queryable,
  deviceId: string,
  channel: number,
): Promise<StoredConfigVersion[]> {
  const ref = checkChannelRef({ deviceId, channel });
  if (!(await deviceExists(db, ref.deviceId))) throw unknownDevice(ref.deviceId);
  return liveVersionsOfChannel(db, ref.deviceId, ref.channel);
}

/** The key of a channel in the maps below: `${deviceId}_${channel}`. */
export const channelVersionsKey = (c: ChannelRef): string => `${c.deviceId}_${c.channel}`;

/**
 * For analytics: for each channel, the versions needed to find the version of every local date of
 * [fromDate, toDate] (both included) with the domain's `versionAt`: those overlapping the range, plus the
 * channel's first version (a date before it uses it, defect 3). Each list is sorted by date; it is a
 * subset of the history, not necessarily a tiling. Every requested channel has an entry (maybe empty).
 */
export async function versionsInForce(
  db: Queryable,
  channels: readonly ChannelRef[],
  fromDate: string,
  toDate: string,
): Promise<Map<string, StoredConfigVersion[]>> {
  for (const [date, field] of [
    [fromDate, "fromDate"],
    [toDate, "toDate"],
  ] as const) {
    if (parseCalendarDate(date) === null) {
      throw new ConfigVersionError("invalid_date", "La date doit être une date réelle AAAA-MM-JJ", field);
    }
  }
  const result = new Map<string, StoredConfigVersion[]>();
  const unique = new Map<string, ChannelRef>();
  for (const c of channels) {
    const ref = checkChannelRef(c);
    unique.set(channelVersionsKey(ref), ref);
    result.set(channelVersionsKey(ref), []);
  }
  if (unique.size === 0 || fromDate > toDate) return result;
  const refs = [...unique.values()];
  const rows = await liveVersionsMeetingDates(
    db,
    { deviceIds: refs.map((r) => r.deviceId), channels: refs.map((r) => r.channel) },
    fromDate,
    toDate,
  );
  for (const row of rows) result.get(channelVersionsKey(row))?.push(row);
  return result;
}

/** The whole live history of each channel (the `versionsOf` the cycles report needs). */
export function versionsOfChannels(
  db: Queryable,
  channels: readonly ChannelRef[],
): Promise<Map<string, StoredConfigVersion[]>> {
  return versionsInForce(db, channels, FIRST_ALLOWED_DATE, LAST_ALLOWED_DATE);
}

export function checkChannelRef(ref: ChannelRef): ChannelRef {
  const { deviceId, channel } = ref;
  if (typeof deviceId !== "string" || deviceId.length < 1 || deviceId.length > 128) {
    throw unknownDevice(String(deviceId));
  }
  if (!Number.isInteger(channel) || channel < 0 || channel > 3) {
    throw new ConfigAdminError("invalid_channel", "Canal invalide : 0 à 3 (switch:0 à switch:3) attendu.", {
      field: "channel",
    });
  }
  return { deviceId, channel };
}

/** Only the configuration fields, and only those given (undefined means "copy"). */
export function configFieldsOf(input: ChannelConfigFields): ChannelConfigFields {
  const fields: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    if (input[key] !== undefined) fields[key] = input[key];
  }
  return fields as ChannelConfigFields;
}

function sameConfig(a: ChannelConfig, b: ChannelConfig): boolean {
  return CONFIG_KEYS.every((key) => a[key] === b[key]);
}

function inconsistent(ref: ChannelRef): ConfigVersionError {
  return new ConfigVersionError(
    "inconsistent_history",
    `L'historique de configuration de ${ref.deviceId} canal ${ref.channel} a changé pendant l'enregistrement`,
  );
}

const DETECTION_FIELDS = ["activityThresholdW", "stopGapMin", "minCycleMin"] as const;

/**
 * When a planned change writes nothing: `never`; `same_as_replaced` (a correction with the values of the
 * version it corrects); `same_as_in_force` (the values of the version it corrects or splits).
 */
export type SkipRule = "never" | "same_as_replaced" | "same_as_in_force";

function changeHistory(
  db: Database,
  ref: ChannelRef,
  actor: string,
  now: Date,
  plan: (history: StoredConfigVersion[]) => VersionPlan<StoredConfigVersion>,
  skip: SkipRule,
): Promise<VersionChangeResult> {
  return db.transaction(async (tx) => {
    if (!(await deviceExists(tx, ref.deviceId))) throw unknownDevice(ref.deviceId);
    return changeChannelHistory(tx, ref, actor, now, plan, skip);
  });
}

/**
 * One channel's change inside the caller's transaction (the device must exist): locks the channel's
 * history, plans, checks the pump model, writes, audits, queues a rebuild of the cycles when detection
 * settings moved, and checks the stored history.
 */
export async function changeChannelHistory(
  tx: Transaction,
  ref: ChannelRef,
  actor: string,
  now: Date,
  plan: (history: StoredConfigVersion[]) => VersionPlan<StoredConfigVersion>,
  skip: SkipRule,
): Promise<VersionChangeResult> {
  await lockChannelHistory(tx, ref.deviceId, ref.channel);
  const history = await liveVersionsOfChannel(tx, ref.deviceId, ref.channel);
  const change = plan(history);
  const inForce =
    skip === "same_as_in_force" ? (change.replaced ?? change.closed?.row ?? null) : change.replaced;
  if (skip !== "never" && inForce !== null && sameConfig(inForce, change.inserted)) {
    return { kind: "unchanged", version: inForce, versions: history };
  }
  const modelId = change.inserted.pumpModelId;
  if (modelId !== null && !(await pumpModelExistsLocked(tx, modelId))) {
    throw new ConfigAdminError("unknown_pump_model", `Modèle de pompe inconnu : ${modelId}.`, {
      field: "pumpModelId",
    });
  }
  const inserted = await applyPlan(tx, ref, change, actor, now);
  // Detection settings shape the cycles themselves: the channel's stored cycles are recomputed.
  const before = change.replaced ?? change.closed?.row ?? null;
  if (before === null || DETECTION_FIELDS.some((f) => before[f] !== inserted[f])) {
    await enqueueChannelRebuild(tx, ref);
  }
  const versions = await liveVersionsOfChannel(tx, ref.deviceId, ref.channel);
  sortedHistory(versions); // the domain's own check of what was stored; the database checks it at commit too
  return { kind: change.kind, version: inserted, versions };
}

/** Writes a plan: close or supersede the one row it touches, insert the new version, audit each row. */
async function applyPlan(
  tx: Transaction,
  ref: ChannelRef,
  plan: VersionPlan<StoredConfigVersion>,
  actor: string,
  now: Date,
): Promise<StoredConfigVersion> {
  const audit: AuditEntry[] = [];
  const entry = (e: Pick<AuditEntry, "entityKey" | "action" | "before" | "after">): AuditEntry => ({
    ...e,
    at: now,
    actor,
    entity: "channel_version",
    deviceId: ref.deviceId,
  });
  if (plan.closed !== null) {
    const closed = await closeChannelVersion(tx, ref.deviceId, plan.closed.row.id, plan.closed.effectiveTo);
    if (closed === null) throw inconsistent(ref);
    audit.push(
      entry({ entityKey: String(closed.id), action: "close", before: plan.closed.row, after: closed }),
    );
  }
  if (plan.replaced !== null && !(await supersedeChannelVersion(tx, ref.deviceId, plan.replaced.id, now))) {
    throw inconsistent(ref);
  }
  const inserted = await insertChannelVersion(tx, {
    ...plan.inserted,
    deviceId: ref.deviceId,
    channel: ref.channel,
    createdAt: now,
    createdBy: actor,
    supersedesId: plan.replaced?.id ?? null,
  });
  if (plan.replaced !== null) {
    audit.push(
      entry({
        entityKey: String(plan.replaced.id),
        action: "supersede",
        before: plan.replaced,
        after: { ...plan.replaced, supersededAt: now, supersededBy: inserted.id },
      }),
    );
  }
  audit.push(
    entry({
      entityKey: String(inserted.id),
      action: "create",
      before: null,
      after: { ...inserted, kind: plan.kind, supersedes: plan.replaced?.id ?? null },
    }),
  );
  await appendConfigAudit(tx, audit);
  return inserted;
}
