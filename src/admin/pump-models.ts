import type { Database, Queryable } from "../db/database.js";
import { countChannelsUsingPumpModel } from "../db/queries/channel-versions.js";
import { appendConfigAudit } from "../db/queries/config-audit.js";
import {
  deletePumpModelRow,
  insertPumpModel,
  listPumpModelsByName,
  type PumpModel,
  type PumpModelFields,
  pumpModelForUpdate,
  updatePumpModelFields,
} from "../db/queries/pump-models.js";
import { ConfigAdminError, pumpModelInUse, sqlStateOf } from "./config-errors.js";

export type { PumpModel } from "../db/queries/pump-models.js";

export const MAX_PUMP_MODEL_NAME_LENGTH = 100;

/**
 * What the form sends. Name, power and current are required and > 0; the nominal flow at HMT 8 m is
 * optional (absent or null: none) and, like every flow here, 0 is refused: "no flow" is null (defect 6).
 * Typed `unknown` where requests come from outside.
 */
export interface PumpModelInput {
  name: unknown;
  powerKw: unknown;
  currentA: unknown;
  nominalFlowM3hHmt8?: unknown;
}

/** Every model, by name. */
export function listPumpModels(db: Queryable): Promise<PumpModel[]> {
  return listPumpModelsByName(db);
}

/** Adds a model; ConfigAdminError for an invalid field or a name already taken (any case). */
export async function createPumpModel(
  db: Database,
  input: PumpModelInput,
  actor: string,
  now: Date,
): Promise<PumpModel> {
  const fields = validatePumpModel(input);
  return db.transaction(async (tx) => {
    const model = await insertPumpModel(tx, fields, now);
    if (model === null) throw nameTaken(fields.name);
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "pump_model",
        entityKey: String(model.id),
        action: "create",
        before: null,
        after: model,
      },
    ]);
    return model;
  });
}

/**
 * Replaces a model's fields (all of them: a left-out nominal flow clears it). Channels keep pointing at
 * the model; their volumes never depended on its figures.
 */
export async function updatePumpModel(
  db: Database,
  id: number,
  input: PumpModelInput,
  actor: string,
  now: Date,
): Promise<PumpModel> {
  checkId(id);
  const fields = validatePumpModel(input);
  try {
    return await db.transaction(async (tx) => {
      const before = await pumpModelForUpdate(tx, id);
      if (before === null) throw notFound(id);
      const after = await updatePumpModelFields(tx, id, fields, now);
      if (after === null) throw notFound(id);
      await appendConfigAudit(tx, [
        { at: now, actor, entity: "pump_model", entityKey: String(id), action: "update", before, after },
      ]);
      return after;
    });
  } catch (error) {
    if (sqlStateOf(error) === "23505") throw nameTaken(fields.name);
    throw error;
  }
}

/**
 * Deletes a model no channel uses. A model referenced by any version of any channel (current or past) is
 * kept: ConfigAdminError pump_model_in_use with the number of channels (bug 40). The database's foreign key
 * decides, so a version written meanwhile cannot slip through.
 */
export async function deletePumpModel(
  db: Database,
  id: number,
  actor: string,
  now: Date,
): Promise<PumpModel> {
  checkId(id);
  try {
    return await db.transaction(async (tx) => {
      const deleted = await deletePumpModelRow(tx, id);
      if (deleted === null) throw notFound(id);
      await appendConfigAudit(tx, [
        {
          at: now,
          actor,
          entity: "pump_model",
          entityKey: String(id),
          action: "delete",
          before: deleted,
          after: null,
        },
      ]);
      return deleted;
    });
  } catch (error) {
    if (sqlStateOf(error) === "23503") {
      throw pumpModelInUse(Math.max(1, await countChannelsUsingPumpModel(db, id)));
    }
    throw error;
  }
}

export function validatePumpModel(input: PumpModelInput): PumpModelFields {
  const name = typeof input.name === "string" ? input.name.trim() : "";
  if (name.length === 0 || name.length > MAX_PUMP_MODEL_NAME_LENGTH) {
    throw new ConfigAdminError(
      "invalid_pump_model_name",
      `Le nom du modèle est obligatoire (${MAX_PUMP_MODEL_NAME_LENGTH} caractères au plus).`,
      { field: "name" },
    );
  }
  if (!isPositive(input.powerKw)) {
    throw new ConfigAdminError("invalid_power", "La puissance (kW) doit être un nombre positif.", {
      field: "powerKw",
    });
  }
  if (!isPositive(input.currentA)) {
    throw new ConfigAdminError("invalid_current", "L'intensité (A) doit être un nombre positif.", {
      field: "currentA",
    });
  }
  const flow = input.nominalFlowM3hHmt8 ?? null;
  if (flow !== null && !isPositive(flow)) {
    throw new ConfigAdminError(
      "invalid_nominal_flow",
      "Le débit à HMT 8 m doit être un nombre positif ou vide.",
      { field: "nominalFlowM3hHmt8" },
    );
  }
  return {
    name,
    powerKw: input.powerKw,
    currentA: input.currentA,
    nominalFlowM3hHmt8: flow as number | null,
  };
}

function isPositive(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

function checkId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 1) throw notFound(id);
}

function notFound(id: number): ConfigAdminError {
  return new ConfigAdminError("pump_model_not_found", `Modèle de pompe introuvable : ${id}.`);
}

function nameTaken(name: string): ConfigAdminError {
  return new ConfigAdminError("pump_model_name_taken", `Un modèle de pompe s'appelle déjà « ${name} ».`, {
    field: "name",
  });
}
