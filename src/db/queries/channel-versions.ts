import type { ConfigVersion, PumpType } from "../../domain/config-versions/index.js";
import type { Queryable } from "../database.js";

/** A live row of `channel_config_versions` as the domain sees it: a ConfigVersion plus where and who. */
export interface StoredConfigVersion extends ConfigVersion {
  id: number;
  deviceId: string;
  channel: number;
  createdAt: Date;
  createdBy: string | null;
}

interface VersionRow {
  id: number;
  device_id: string;
  channel: number;
  effective_from_day: number;
  effective_to_day: number | null;
  version: number;
  name: string | null;
  pump_type: PumpType;
  flow_rate_m3h: number | null;
  pump_model_id: number | null;
  dbo5_mg_l: number;
  dco_mg_l: number;
  mes_mg_l: number;
  activity_threshold_w: number;
  stop_gap_min: number;
  min_cycle_min: number;
  sump: string;
  sump_volume_m3: number | null;
  created_at: Date;
  created_by: string | null;
}

// Dates as days since 1970-01-01: pg would turn a `date` into a JS Date at local midnight of the process, and
// to_char or a cast to text depend on settings, which Citus refuses in RETURNING (scale-rules.md, rule 3);
// date - date is immutable.
const COLUMNS = `id, device_id, channel,
  effective_from - DATE '1970-01-01' AS effective_from_day, effective_to - DATE '1970-01-01' AS effective_to_day,
  version, name, pump_type, flow_rate_m3h, pump_model_id, dbo5_mg_l, dco_mg_l, mes_mg_l,
  activity_threshold_w, stop_gap_min, min_cycle_min, sump, sump_volume_m3, created_at, created_by`;

function isoDateOfDay(day: number): string {
  return new Date(Number(day) * 86_400_000).toISOString().slice(0, 10);
}

/** The one place where a row becomes a domain value. */
function toStoredVersion(row: VersionRow): StoredConfigVersion {
  return {
    id: row.id,
    deviceId: row.device_id,
    channel: row.channel,
    effectiveFrom: isoDateOfDay(row.effective_from_day),
    effectiveTo: row.effective_to_day === null ? null : isoDateOfDay(row.effective_to_day),
    version: row.version,
    name: row.name,
    pumpType: row.pump_type,
    flowRateM3h: row.flow_rate_m3h,
    pumpModelId: row.pump_model_id,
    dbo5MgL: row.dbo5_mg_l,
    dcoMgL: row.dco_mg_l,
    mesMgL: row.mes_mg_l,
    activityThresholdW: row.activity_threshold_w,
    stopGapMin: row.stop_gap_min,
    minCycleMin: row.min_cycle_min,
    sump: row.sump,
    sumpVolumeM3: row.sump_volume_m3,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

// Advisory-lock class of "one channel's configuration history" (the second key is a hash of the channel).
const CHANNEL_CONFIG_LOCK_CLASS = 40_404;

/**
 * Serialises changes to one channel's history until the transaction ends. An advisory lock rather than
 * SELECT … FOR UPDATE: it also holds for a channel that has no row yet (two first versions at once).
 */
export async function lockChannelHistory(tx: Queryable, deviceId: string, channel: number): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock($1::int4, hashtext($2::text || '/' || $3::text))", [
    CHANNEL_CONFIG_LOCK_CLASS,
    deviceId,
    channel,
  ]);
}

/** The live versions of one channel, oldest first. */
export async function liveVersionsOfChannel(
  db: Queryable,
  deviceId: string,
  channel: number,
): Promise<StoredConfigVersion[]> {
  const { rows } = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM channel_config_versions
     WHERE device_id = $1 AND channel = $2 AND superseded_at IS NULL
     ORDER BY effective_from`,
    [deviceId, channel],
  );
  return rows.map(toStoredVersion);
}

/**
 * For each of these channels, the live versions in force on some date of [fromDate, toDate] (both
 * included), plus the channel's first version (dates before it use it), sorted by channel then date.
 */
export async function liveVersionsMeetingDates(
  db: Queryable,
  channels: { deviceIds: readonly string[]; channels: readonly number[] },
  fromDate: string,
  toDate: string,
): Promise<StoredConfigVersion[]> {
  const { rows } = await db.query<VersionRow>(
    `SELECT ${COLUMNS} FROM channel_config_versions v
     WHERE (v.device_id, v.channel) IN (SELECT * FROM unnest($1::text[], $2::int2[]))
       AND v.superseded_at IS NULL
       AND (daterange(v.effective_from, v.effective_to, '[)') && daterange($3::date, $4::date, '[]')
            OR NOT EXISTS (SELECT 1 FROM channel_config_versions p
                           WHERE p.device_id = v.device_id AND p.channel = v.channel
                             AND p.superseded_at IS NULL AND p.effective_from < v.effective_from))
     ORDER BY v.device_id, v.channel, v.effective_from`,
    [channels.deviceIds, channels.channels, fromDate, toDate],
  );
  return rows.map(toStoredVersion);
}

export interface NewVersionRow extends ConfigVersion {
  deviceId: string;
  channel: number;
  createdAt: Date;
  createdBy: string | null;
  /** the live row this one corrects (superseded in the same transaction), or null */
  supersedesId: number | null;
}

export async function insertChannelVersion(tx: Queryable, v: NewVersionRow): Promise<StoredConfigVersion> {
  const { rows } = await tx.query<VersionRow>(
    `INSERT INTO channel_config_versions (device_id, channel, effective_from, effective_to, version, name,
       pump_type, flow_rate_m3h, pump_model_id, dbo5_mg_l, dco_mg_l, mes_mg_l, activity_threshold_w,
       stop_gap_min, min_cycle_min, created_at, created_by, supersedes_id, sump, sump_volume_m3)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
     RETURNING ${COLUMNS}`,
    [
      v.deviceId,
      v.channel,
      v.effectiveFrom,
      v.effectiveTo,
      v.version,
      v.name,
      v.pumpType,
      v.flowRateM3h,
      v.pumpModelId,
      v.dbo5MgL,
      v.dcoMgL,
      v.mesMgL,
      v.activityThresholdW,
      v.stopGapMin,
      v.minCycleMin,
      v.createdAt.toISOString(),
      v.createdBy,
      v.supersedesId,
      v.sump,
      v.sumpVolumeM3,
    ],
  );
  return toStoredVersion(rows[0] as VersionRow);
}

/** Ends a live version at `effectiveTo` (exclusive); null when it is not a live row. */
export async function closeChannelVersion(
  tx: Queryable,
  deviceId: string,
  id: number,
  effectiveTo: string,
): Promise<StoredConfigVersion | null> {
  const { rows } = await tx.query<VersionRow>(
    `UPDATE channel_config_versions SET effective_to = $3
     WHERE device_id = $1 AND id = $2 AND superseded_at IS NULL
     RETURNING ${COLUMNS}`,
    [deviceId, id, effectiveTo],
  );
  const row = rows[0];
  return row ? toStoredVersion(row) : null;
}

/** Takes a live version out of the history, keeping the row for the record; false when it was not live. */
export async function supersedeChannelVersion(
  tx: Queryable,
  deviceId: string,
  id: number,
  at: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    "UPDATE channel_config_versions SET superseded_at = $3 WHERE device_id = $1 AND id = $2 AND superseded_at IS NULL",
    [deviceId, id, at.toISOString()],
  );
  return rowCount > 0;
}

/** How many channels (device, channel) have a version, live or superseded, using this pump model. */
export async function countChannelsUsingPumpModel(db: Queryable, pumpModelId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n
     FROM (SELECT DISTINCT device_id, channel FROM channel_config_versions WHERE pump_model_id = $1) AS used`,
    [pumpModelId],
  );
  return rows[0]?.n ?? 0;
}
