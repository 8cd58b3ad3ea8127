import type { Queryable } from "../database.js";

export type SettingKey = "factor_set" | "grid_factor" | "raw_retention_months";

export interface SettingRow {
  key: SettingKey;
  value: unknown;
  updated_at: Date;
  updated_by: string;
}

/** Every stored setting (three rows at most): read by each report, so never cached across instances. */
export async function storedSettings(db: Queryable): Promise<SettingRow[]> {
  const { rows } = await db.query<SettingRow>("SELECT key, value, updated_at, updated_by FROM app_settings");
  return rows;
}

export async function upsertSetting(
  tx: Queryable,
  setting: { key: SettingKey; value: unknown; at: Date; by: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO app_settings (key, value, updated_at, updated_by) VALUES ($1, $2::jsonb, $3, $4)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at,
       updated_by = EXCLUDED.updated_by`,
    [setting.key, JSON.stringify(setting.value), setting.at.toISOString(), setting.by],
  );
}

/** Serialises saves of the settings even when no row exists yet (FOR UPDATE locks nothing then). */
export async function lockSettings(tx: Queryable): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(40405)");
}
