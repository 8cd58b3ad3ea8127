import type { Database, Queryable } from "../db/database.js";
import { lockSettings, type SettingRow, storedSettings, upsertSetting } from "../db/queries/app-settings.js";
import { appendConfigAudit } from "../db/queries/config-audit.js";
import {
  DEFAULT_FACTOR_SET_ID,
  FACTOR_SET_IDS,
  type FactorSet,
  type FactorSetId,
  factorSetById,
  type GridFactor,
  type GwpChoice,
  type IpccReference,
} from "../domain/impact/index.js";
import { ConfigAdminError } from "./config-errors.js";

const REFERENCES: readonly IpccReference[] = ["untreated", "septic", "aerobic"];
const GWPS: readonly GwpChoice[] = ["ar5", "ar6"];
export const MAX_GRID_FACTOR_KG_PER_KWH = 2;
export const GRID_SOURCE_LENGTH = { min: 3, max: 300 } as const;

/** The factor set the reports use when a request names none, with its options (ipcc-2019-vf only). */
export interface FactorSetChoice {
  id: FactorSetId;
  reference: IpccReference | null;
  gwp: GwpChoice | null;
}

export interface Settings {
  factorSetChoice: FactorSetChoice;
  factorSet: FactorSet;
  /** "stored" in the database, or the code's "default" */
  factorSetOrigin: "stored" | "default";
  gridFactor: GridFactor | null;
  /** "stored" (a factor or an explicit none), from the "environment" (GRID_CO2E_*), or "none" at all */
  gridFactorOrigin: "stored" | "environment" | "none";
  /**
   * Months of raw minute readings kept (whole UTC months older than that are dropped, their hourly sums and
   * cycles kept for ever: docs/scaling.md); null, the default: keep everything.
   */
  rawRetentionMonths: number | null;
  /** the last save, null when nothing was ever stored */
  updatedAt: Date | null;
  updatedBy: string | null;
}

export interface SettingsDefaults {
  /** GRID_CO2E_KG_PER_KWH + GRID_CO2E_SOURCE: used while no value is stored */
  gridFactor: GridFactor | null;
}

function resolve(rows: readonly SettingRow[], defaults: SettingsDefaults): Settings {
  const row = (key: SettingRow["key"]) => rows.find((r) => r.key === key);
  const factorRow = row("factor_set");
  const gridRow = row("grid_factor");
  const retentionRow = row("raw_retention_months");
  const choice = factorRow
    ? checkFactorSetChoice(factorRow.value)
    : { id: DEFAULT_FACTOR_SET_ID, reference: null, gwp: null };
  const grid = gridRow ? checkGridFactor(gridRow.value) : defaults.gridFactor;
  const latest = [...rows].sort((a, b) => b.updated_at.getTime() - a.updated_at.getTime())[0];
  return {
    factorSetChoice: choice,
    factorSet: factorSetOf(choice),
    factorSetOrigin: factorRow ? "stored" : "default",
    gridFactor: grid,
    gridFactorOrigin: gridRow ? "stored" : defaults.gridFactor ? "environment" : "none",
    rawRetentionMonths: retentionRow ? checkRawRetention(retentionRow.value) : null,
    updatedAt: latest?.updated_at ?? null,
    updatedBy: latest?.updated_by ?? null,
  };
}

export function factorSetOf(choice: FactorSetChoice, reference?: IpccReference): FactorSet {
  return factorSetById(choice.id, {
    ...((reference ?? choice.reference)
      ? { reference: reference ?? (choice.reference as IpccReference) }
      : {}),
    ...(choice.gwp ? { gwp: choice.gwp } : {}),
  });
}

/**
 * The settings in force: those stored, the defaults for the others. Read from the database on each call
 * (one statement over at most two rows): every instance sees a save at once, with no cache to invalidate.
 */
export function makeSettingsReader(db: Queryable, defaults: SettingsDefaults): () => Promise<Settings> {
  return async () => resolve(await storedSettings(db), defaults);
}

export interface SettingsChange {
  /** undefined: unchanged */
  factorSet?: unknown;
  /** undefined: unchanged; null: no electricity factor, even if the environment gives one */
  gridFactor?: unknown;
  /** undefined: unchanged; null: keep every raw reading; else whole months, at least 1 */
  rawRetentionMonths?: unknown;
}

/** Stores the settings given (each checked, audited as `settings` `update` when it changes). */
export async function updateSettings(
  db: Database,
  change: SettingsChange,
  actor: string,
  now: Date,
  defaults: SettingsDefaults,
): Promise<Settings> {
  const factorSet = change.factorSet === undefined ? undefined : checkFactorSetChoice(change.factorSet);
  const gridFactor = change.gridFactor === undefined ? undefined : checkGridFactor(change.gridFactor);
  const rawRetention =
    change.rawRetentionMonths === undefined ? undefined : checkRawRetention(change.rawRetentionMonths);
  return db.transaction(async (tx) => {
    await lockSettings(tx);
    const before = resolve(await storedSettings(tx), defaults);
    const writes: { key: SettingRow["key"]; before: unknown; after: unknown }[] = [];
    // A value equal to the one in force is still stored when it was a default: it then stops following the
    // environment or the code.
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (
      factorSet !== undefined &&
      (before.factorSetOrigin !== "stored" || !same(factorSet, before.factorSetChoice))
    ) {
      writes.push({ key: "factor_set", before: before.factorSetChoice, after: factorSet });
    }
    if (
      gridFactor !== undefined &&
      (before.gridFactorOrigin !== "stored" || !same(gridFactor, before.gridFactor))
    ) {
      writes.push({ key: "grid_factor", before: before.gridFactor, after: gridFactor });
    }
    if (rawRetention !== undefined && rawRetention !== before.rawRetentionMonths) {
      writes.push({ key: "raw_retention_months", before: before.rawRetentionMonths, after: rawRetention });
    }
    for (const w of writes) await upsertSetting(tx, { key: w.key, value: w.after, at: now, by: actor });
    await appendConfigAudit(
      tx,
      writes.map((w) => ({
        at: now,
        actor,
        entity: "settings" as const,
        entityKey: w.key,
        action: "update" as const,
        before: { value: w.before },
        after: { value: w.after },
      })),
    );
    return resolve(await storedSettings(tx), defaults);
  });
}

function invalid(
  code: "invalid_factor_set" | "invalid_grid_factor" | "invalid_raw_retention",
  message: string,
  field: string,
) {
  return new ConfigAdminError(code, message, { field });
}

function checkFactorSetChoice(value: unknown): FactorSetChoice {
  if (typeof value !== "object" || value === null) {
    throw invalid("invalid_factor_set", "Jeu de coefficients invalide.", "factorSet");
  }
  const v = value as Record<string, unknown>;
  if (typeof v.id !== "string" || !(FACTOR_SET_IDS as readonly string[]).includes(v.id)) {
    throw invalid(
      "invalid_factor_set",
      `Jeu de coefficients inconnu : ${FACTOR_SET_IDS.join(" ou ")} attendu.`,
      "factorSet.id",
    );
  }
  const id = v.id as FactorSetId;
  const reference = v.reference ?? null;
  const gwp = v.gwp ?? null;
  if (id === "fp-2026" && (reference !== null || gwp !== null)) {
    throw invalid(
      "invalid_factor_set",
      "La méthode FiltrePlante 2026 n'a ni scénario de référence ni PRG à choisir.",
      reference !== null ? "factorSet.reference" : "factorSet.gwp",
    );
  }
  if (reference !== null && !REFERENCES.includes(reference as IpccReference)) {
    throw invalid(
      "invalid_factor_set",
      "Scénario de référence inconnu : untreated, septic ou aerobic attendu.",
      "factorSet.reference",
    );
  }
  if (gwp !== null && !GWPS.includes(gwp as GwpChoice)) {
    throw invalid("invalid_factor_set", "PRG inconnu : ar5 ou ar6 attendu.", "factorSet.gwp");
  }
  return { id, reference: reference as IpccReference | null, gwp: gwp as GwpChoice | null };
}

function checkGridFactor(value: unknown): GridFactor | null {
  if (value === null) return null;
  if (typeof value !== "object") {
    throw invalid("invalid_grid_factor", "Facteur d'émission de l'électricité invalide.", "gridFactor");
  }
  const v = value as Record<string, unknown>;
  const kg = v.kgCo2ePerKwh;
  if (typeof kg !== "number" || !Number.isFinite(kg) || kg < 0 || kg > MAX_GRID_FACTOR_KG_PER_KWH) {
    throw invalid(
      "invalid_grid_factor",
      `Le facteur d'émission doit être compris entre 0 et ${MAX_GRID_FACTOR_KG_PER_KWH} kg CO₂e/kWh.`,
      "gridFactor.kgCo2ePerKwh",
    );
  }
  const source = typeof v.source === "string" ? v.source.trim() : "";
  if (source.length < GRID_SOURCE_LENGTH.min || source.length > GRID_SOURCE_LENGTH.max) {
    throw invalid(
      "invalid_grid_factor",
      `La source du facteur d'émission est obligatoire (${GRID_SOURCE_LENGTH.min} à ${GRID_SOURCE_LENGTH.max} caractères).`,
      "gridFactor.source",
    );
  }
  return { kgCo2ePerKwh: kg, source };
}

/** At most a century: a longer retention keeps everything anyway, and the month arithmetic stays small. */
export const MAX_RAW_RETENTION_MONTHS = 1200;

/**
 * null (keep every raw reading) or a whole number of months from 1: a month is dropped whole, so a shorter
 * retention could not be honoured, and the current month's minutes are what the cycles are still detected from.
 */
function checkRawRetention(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalid(
      "invalid_raw_retention",
      "La durée de conservation des relevés minute doit être un nombre entier de mois, ou null pour tout garder.",
      "rawRetentionMonths",
    );
  }
  if (value < 1 || value > MAX_RAW_RETENTION_MONTHS) {
    throw invalid(
      "invalid_raw_retention",
      `La durée de conservation des relevés minute (raw_retention_months) doit être d'au moins 1 mois et d'au plus ${MAX_RAW_RETENTION_MONTHS} mois, ou null pour tout garder.`,
      "rawRetentionMonths",
    );
  }
  return value;
}
