/**
 * Coded errors of the configuration use cases that the pure domain does not know about (it has
 * ConfigVersionError for the values of a version). Messages are French sentences for the administrator.
 * Suggested HTTP statuses: unknown_device / pump_model_not_found 404, pump_model_in_use and
 * pump_model_name_taken 409, the others 422.
 */
export type ConfigAdminErrorCode =
  | "unknown_device"
  | "invalid_channel"
  | "unknown_pump_model"
  | "pump_model_not_found"
  | "pump_model_in_use"
  | "pump_model_name_taken"
  | "invalid_pump_model_name"
  | "invalid_power"
  | "invalid_current"
  | "invalid_nominal_flow"
  | "invalid_device_name"
  | "duplicate_channel"
  | "invalid_factor_set"
  | "invalid_grid_factor"
  | "invalid_raw_retention"
  | "invalid_email"
  | "weak_password"
  | "invalid_role"
  | "email_taken"
  | "user_not_found"
  | "last_admin"
  | "invalid_time_zone"
  | "invalid_site"
  | "site_not_found"
  | "site_name_taken"
  | "site_has_meters"
  | "restricted_admin"
  | "invalid_site_ids"
  | "invalid_share_link"
  | "share_link_not_found";

export class ConfigAdminError extends Error {
  override readonly name = "ConfigAdminError";
  readonly code: ConfigAdminErrorCode;
  readonly field: string | null;
  /** pump_model_in_use: how many channels use the model */
  readonly count: number | null;

  constructor(
    code: ConfigAdminErrorCode,
    message: string,
    options: { field?: string | null; count?: number | null } = {},
  ) {
    super(message);
    this.code = code;
    this.field = options.field ?? null;
    this.count = options.count ?? null;
  }
}

export function unknownDevice(deviceId: string): ConfigAdminError {
  return new ConfigAdminError(
    "unknown_device",
    `Appareil inconnu : ${deviceId}. Un appareil apparaît avec sa première mesure.`,
    { field: "deviceId" },
  );
}

export function pumpModelInUse(count: number): ConfigAdminError {
  const channels = count > 1 ? `${count} canaux` : `${count} canal`;
  return new ConfigAdminError(
    "pump_model_in_use",
    `Suppression impossible : ce modèle de pompe est utilisé par ${channels} (configuration actuelle ou historique).`,
    { count },
  );
}

/** The SQLSTATE of a database error (pg and PGlite both expose it as `code`). */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}
