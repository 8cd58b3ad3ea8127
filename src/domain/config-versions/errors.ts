export type ConfigVersionErrorCode =
  | "invalid_date"
  | "date_out_of_range"
  | "invalid_flow_rate"
  | "invalid_pump_type"
  | "invalid_concentration"
  | "invalid_threshold"
  | "invalid_pump_model"
  | "invalid_name"
  | "invalid_sump"
  | "invalid_sump_volume"
  | "inconsistent_history"
  | "invalid_time_zone";

/** Messages are French sentences meant for the administrator; `field` names the offending input. */
export class ConfigVersionError extends Error {
  readonly code: ConfigVersionErrorCode;
  readonly field: string | null;

  constructor(code: ConfigVersionErrorCode, message: string, field: string | null = null) {
    super(message);
    this.name = "ConfigVersionError";
    this.code = code;
    this.field = field;
  }
}
