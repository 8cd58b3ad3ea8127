/**
 * The part of a stored reading that cycle detection needs. `Reading` (src/domain/reading.ts) satisfies it,
 * so rows of one (device, channel) can be passed as they are.
 */
export interface CycleSample {
  /** unix minute; the sample covers [minute, minute + 1) */
  minute: number;
  apowerW: number | null;
  currentA: number | null;
  voltageV: number | null;
  /** the meter's counter, Wh; restarts from 0 when the device reboots */
  energyTotalWh: number | null;
  /** energy of the previous whole minute [minute − 1, minute), Wh */
  energyLastMinuteWh: number | null;
}

export interface CycleSettings {
  /** a sample is active when apowerW > activityThresholdW */
  activityThresholdW: number;
  /** two active samples this many minutes apart (or more) belong to different cycles */
  stopGapMin: number;
  /** a closed cycle shorter than this is flagged as noise, unless it draws a pump's power (SHORT_PUMP_RUN_MIN_W) */
  minCycleMin: number;
}

export const DEFAULT_CYCLE_SETTINGS: Readonly<CycleSettings> = Object.freeze({
  activityThresholdW: 10,
  stopGapMin: 4,
  minCycleMin: 2,
});

export interface DetectedCycle {
  startMinute: number;
  /** minute of the last active sample once the cycle is closed; null while ongoing */
  endMinute: number | null;
  lastActiveMinute: number;
  ongoing: boolean;
  /** a closed cycle shorter than minCycleMin: kept so nothing disappears silently, excluded from totals */
  noise: boolean;
  /** number of active samples */
  samples: number;
  /** lastActiveMinute − startMinute (15 one-minute samples → 14) */
  durationMin: number;
  /** best estimate of the real running time, ≤ durationMin + 2 (the minute it started in, issue 21) */
  runtimeMin: number;
  avgPowerW: number;
  avgCurrentA: number | null;
  /** median of the voltages within 180–260 V; null when none qualifies */
  medianVoltageV: number | null;
  energyWh: number;
}
