import type { OldDeviceConfig, OldVersion } from "../../domain/predecessor/versions.js";
import type { Queryable } from "../database.js";

// Statements run on the predecessor's database (predecessor-spec §1), inside one read-only, repeatable-read
// transaction of the importer: one snapshot for every table, and nothing ever written there.

/** Which of the predecessor's tables exist (device_config and its versions came later than power_logs). */
export async function predecessorTables(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema()
       AND table_name IN ('power_logs', 'pump_models', 'device_config', 'device_config_versions')`,
  );
  return new Set(rows.map((r) => r.name));
}

export async function countPowerLogs(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM power_logs");
  return Number(rows[0]?.n ?? 0);
}

export interface PowerLogWire {
  device_id: string | null;
  channel: string | null;
  /** hundredths of a second since the epoch, as text (int8) */
  cs: string | null;
  apower_w: number | null;
  voltage_v: number | null;
  current_a: number | null;
  energy_total_wh: number | null;
}

/**
 * Opens a cursor over every power_logs row in (device, channel, time) order, so the rows of one minute
 * arrive together and memory stays flat however big the table is. "C" collation: byte order, the order
 * the importer's batches keep. The transaction must stay open while it is read.
 */
export async function openPowerLogCursor(tx: Queryable): Promise<void> {
  await tx.query(
    `DECLARE power_logs_import NO SCROLL CURSOR FOR
     SELECT device_id::text AS device_id, channel::text AS channel,
            floor(extract(epoch FROM "timestamp") * 100)::int8::text AS cs,
            apower_w::float8 AS apower_w, voltage_v::float8 AS voltage_v, current_a::float8 AS current_a,
            energy_total_wh::float8 AS energy_total_wh
     FROM power_logs
     ORDER BY device_id COLLATE "C", channel COLLATE "C", "timestamp", id`,
  );
}

/** The next rows of the cursor; fewer than `count` (or none) at the end. */
export async function fetchPowerLogs(tx: Queryable, count: number): Promise<PowerLogWire[]> {
  const { rows } = await tx.query<PowerLogWire>(`FETCH ${Math.trunc(count)} FROM power_logs_import`);
  return rows;
}

export interface OldPumpModel {
  id: number;
  name: string;
  powerKw: number;
  currentA: number;
  flowRateHmt8: number | null;
}

export async function oldPumpModels(db: Queryable): Promise<OldPumpModel[]> {
  const { rows } = await db.query<OldPumpModel>(
    `SELECT id, name, power_kw::float8 AS "powerKw", current_ampere::float8 AS "currentA",
            flow_rate_hmt8::float8 AS "flowRateHmt8"
     FROM pump_models ORDER BY id`,
  );
  return rows;
}

/** device_config with the old pump model ids (the importer maps them). */
export async function oldDeviceConfig(db: Queryable): Promise<OldDeviceConfig[]> {
  const { rows } = await db.query<OldDeviceConfig>(
    `SELECT device_id AS "deviceId", channel, device_name AS "deviceName", channel_name AS "channelName",
            pump_model_id AS "pumpModelId", flow_rate::float8 AS "flowRate", pump_type AS "pumpType",
            dbo5_mg_l::float8 AS dbo5, dco_mg_l::float8 AS dco, mes_mg_l::float8 AS mes
     FROM device_config ORDER BY device_id, channel, id`,
  );
  return rows;
}

/** Every version row; dates as text, so the year 206 reads "0206-…" instead of becoming a JS Date. */
export async function oldConfigVersions(db: Queryable): Promise<OldVersion[]> {
  const { rows } = await db.query<OldVersion>(
    `SELECT id, device_id AS "deviceId", channel,
            to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom",
            to_char(effective_to, 'YYYY-MM-DD') AS "effectiveTo",
            version, channel_name AS "channelName", pump_model_id AS "pumpModelId",
            flow_rate::float8 AS "flowRate", pump_type AS "pumpType",
            dbo5::float8 AS dbo5, dco::float8 AS dco, mes::float8 AS mes
     FROM device_config_versions ORDER BY device_id, channel, effective_from, version, id`,
  );
  return rows;
}
