import type { Queryable } from "../database.js";

/** A catalogue entry. The nominal flow (at HMT = 8 m) is informational: volumes use the channel's flow. */
export interface PumpModel {
  id: number;
  name: string;
  powerKw: number;
  currentA: number;
  nominalFlowM3hHmt8: number | null;
  createdAt: Date;
  updatedAt: Date | null;
}

export interface PumpModelFields {
  name: string;
  powerKw: number;
  currentA: number;
  nominalFlowM3hHmt8: number | null;
}

interface PumpModelRow {
  id: number;
  name: string;
  power_kw: number;
  current_a: number;
  nominal_flow_m3h_hmt8: number | null;
  created_at: Date;
  updated_at: Date | null;
}

const COLUMNS = "id, name, power_kw, current_a, nominal_flow_m3h_hmt8, created_at, updated_at";

function toPumpModel(row: PumpModelRow): PumpModel {
  return {
    id: row.id,
    name: row.name,
    powerKw: row.power_kw,
    currentA: row.current_a,
    nominalFlowM3hHmt8: row.nominal_flow_m3h_hmt8,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Every model, by name (as the predecessor listed them). */
export async function listPumpModelsByName(db: Queryable): Promise<PumpModel[]> {
  const { rows } = await db.query<PumpModelRow>(
    `SELECT ${COLUMNS} FROM pump_models ORDER BY lower(name), id`,
  );
  return rows.map(toPumpModel);
}

export async function pumpModelById(db: Queryable, id: number): Promise<PumpModel | null> {
  const { rows } = await db.query<PumpModelRow>(`SELECT ${COLUMNS} FROM pump_models WHERE id = $1`, [id]);
  const row = rows[0];
  return row ? toPumpModel(row) : null;
}

/**
 * Whether the model exists, keeping it so until the transaction ends (FOR KEY SHARE: a concurrent delete
 * waits, a concurrent edit of its fields does not).
 */
export async function pumpModelExistsLocked(tx: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await tx.query("SELECT 1 FROM pump_models WHERE id = $1 FOR KEY SHARE", [id]);
  return rowCount > 0;
}

/** Inserts a model; null when another model already has that name (whatever its case). */
export async function insertPumpModel(
  tx: Queryable,
  fields: PumpModelFields,
  at: Date,
): Promise<PumpModel | null> {
  const { rows } = await tx.query<PumpModelRow>(
    `INSERT INTO pump_models (name, power_kw, current_a, nominal_flow_m3h_hmt8, created_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT ((lower(name))) DO NOTHING
     RETURNING ${COLUMNS}`,
    [fields.name, fields.powerKw, fields.currentA, fields.nominalFlowM3hHmt8, at.toISOString()],
  );
  const row = rows[0];
  return row ? toPumpModel(row) : null;
}

/** Locks and reads a model before changing it; null when there is none. */
export async function pumpModelForUpdate(tx: Queryable, id: number): Promise<PumpModel | null> {
  const { rows } = await tx.query<PumpModelRow>(
    `SELECT ${COLUMNS} FROM pump_models WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  return row ? toPumpModel(row) : null;
}

/** Replaces a model's fields; null when there is no such model. A name taken by another model: 23505. */
export async function updatePumpModelFields(
  tx: Queryable,
  id: number,
  fields: PumpModelFields,
  at: Date,
): Promise<PumpModel | null> {
  const { rows } = await tx.query<PumpModelRow>(
    `UPDATE pump_models SET name = $2, power_kw = $3, current_a = $4, nominal_flow_m3h_hmt8 = $5, updated_at = $6
     WHERE id = $1
     RETURNING ${COLUMNS}`,
    [id, fields.name, fields.powerKw, fields.currentA, fields.nominalFlowM3hHmt8, at.toISOString()],
  );
  const row = rows[0];
  return row ? toPumpModel(row) : null;
}

/** Deletes a model, returning what it was; null when there was none. A model in use: 23503. */
export async function deletePumpModelRow(tx: Queryable, id: number): Promise<PumpModel | null> {
  const { rows } = await tx.query<PumpModelRow>(
    `DELETE FROM pump_models WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  const row = rows[0];
  return row ? toPumpModel(row) : null;
}
