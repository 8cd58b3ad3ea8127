export type ImpactErrorCode = "negative_runtime" | "invalid_number" | "negative_energy" | "invalid_range";

export class ImpactError extends Error {
  readonly code: ImpactErrorCode;

  constructor(code: ImpactErrorCode, message: string) {
    super(message);
    this.name = "ImpactError";
    this.code = code;
  }
}
