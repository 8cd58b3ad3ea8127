import type { Queryable } from "../database.js";

// Target-side statements of the predecessor import that no other use case needs.

/**
 * Inserts a pump model under the id it had in the predecessor's catalogue; null when that id or that
 * name (whatever its case) is taken.
 */
export async function insertPumpModelWithId(
  tx: Queryable,
  model: { id: number; name: string; powerKw: number; currentA: number; nominalFlowM3hHmt8: number | null },
  at: Date,
): Promise<number | null> {
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO pump_models (id, name, power_kw, current_a, nominal_flow_m3h_hmt8, created_at)
     OVERRIDING SYSTEM VALUE
     SELECT $1, $2, $3, $4, $5, $6
     WHERE NOT EXISTS (SELECT 1 FROM pump_models WHERE id = $1 OR lower(name) = lower($2))
     RETURNING id`,
    [model.id, model.name, model.powerKw, model.currentA, model.nominalFlowM3hHmt8, at.toISOString()],
  );
  return rows[0]?.id ?? null;
}

/** After ids were given explicitly, the identity continues above the largest one. */
export async function continuePumpModelIdsAfterMax(tx: Queryable): Promise<void> {
  await tx.query(
    "SELECT setval(pg_get_serial_sequence('pump_models', 'id'), (SELECT GREATEST(max(id), 1) FROM pump_models))",
  );
}

/**
 * Registers devices known only from the predecessor's configuration (no reading), seen at `at`; a device
 * already registered is left as it is. Returns the ids inserted.
 */
export async function registerDevicesWithoutReadings(
  db: Queryable,
  deviceIds: readonly string[],
  at: Date,
): Promise<string[]> {
  if (deviceIds.length === 0) return [];
  const { rows } = await db.query<{ device_id: string }>(
    `INSERT INTO devices (device_id, first_seen, last_seen)
     SELECT d, $2::timestamptz, $2::timestamptz FROM unnest($1::text[]) AS d
     ON CONFLICT (device_id) DO NOTHING
     RETURNING device_id`,
    [deviceIds, at.toISOString()],
  );
  return rows.map((r) => r.device_id);
}

/** Gives these devices their predecessor's name where they have none yet; returns the ids named. */
export async function nameUnnamedDevices(
  db: Queryable,
  names: readonly { deviceId: string; name: string }[],
): Promise<string[]> {
  if (names.length === 0) return [];
  const { rows } = await db.query<{ device_id: string }>(
    `UPDATE devices AS d SET name = n.name
     FROM unnest($1::text[], $2::text[]) AS n(device_id, name)
     WHERE d.device_id = n.device_id AND d.device_id = ANY($1::text[]) AND d.name IS NULL
     RETURNING d.device_id`,
    [names.map((n) => n.deviceId), names.map((n) => n.name)],
  );
  return rows.map((r) => r.device_id);
}

/** The devices among these that are registered. */
export async function registeredDevices(db: Queryable, deviceIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ device_id: string }>(
    "SELECT device_id FROM devices WHERE device_id = ANY($1::text[])",
    [deviceIds],
  );
  return new Set(rows.map((r) => r.device_id));
}
