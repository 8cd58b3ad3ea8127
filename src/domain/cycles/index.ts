export { detectCycles, median, resolveCycleSettings, SHORT_PUMP_RUN_MIN_W } from "./detect.js";
export { counterDeltaWh, estimateRun, type RunEstimate } from "./energy.js";
export { CycleError, type CycleErrorCode } from "./errors.js";
export {
  type CycleSample,
  type CycleSettings,
  DEFAULT_CYCLE_SETTINGS,
  type DetectedCycle,
} from "./types.js";
export { type RedetectionWindow, redetectionWindow, spliceCycles } from "./window.js";
