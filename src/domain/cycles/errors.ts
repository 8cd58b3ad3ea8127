export type CycleErrorCode = "invalid_cycle_settings" | "invalid_samples" | "invalid_minute";

export class CycleError extends Error {
  readonly code: CycleErrorCode;

  constructor(code: CycleErrorCode, message: string) {
    super(message);
    this.name = "CycleError";
    this.code = code;
  }
}
