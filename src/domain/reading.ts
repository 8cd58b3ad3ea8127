/**
 * One stored reading: the state of one channel of one device during one minute.
 * `minute` is the unix minute (floor(unix seconds / 60)); the row covers [minute, minute + 1).
 * Every measured field is null when no frame of that minute carried it (never 0).
 */
export interface Reading {
  deviceId: string;
  channel: number;
  minute: number;
  apowerW: number | null;
  voltageV: number | null;
  currentA: number | null;
  powerFactor: number | null;
  frequencyHz: number | null;
  /** the meter's `aenergy.total` counter, Wh; it restarts from 0 when the device reboots */
  energyTotalWh: number | null;
  /** energy of the previous whole minute [minute − 1, minute), Wh (`aenergy.by_minute[0]` mWh / 1000) */
  energyLastMinuteWh: number | null;
  temperatureC: number | null;
  output: boolean | null;
}
