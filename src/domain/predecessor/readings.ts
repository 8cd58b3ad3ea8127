import { MEASURED_FIELDS, type RankedReading, type Ranks } from "../ranked-reading.js";

/** One row of the predecessor's `power_logs` (predecessor-spec §1.1), as the importer reads it. */
export interface PowerLogRow {
  deviceId: string;
  /** "switch:N" as the predecessor stored it */
  channel: string;
  /** hundredths of a second since the epoch: the predecessor kept seconds on its batch path */
  centiseconds: number;
  apowerW: number | null;
  voltageV: number | null;
  currentA: number | null;
  energyTotalWh: number | null;
}

export type SkipReason =
  | "channel_invalid"
  | "device_id_invalid"
  | "timestamp_out_of_range"
  | "no_measurement";

/**
 * Imported rows rank below every live frame (a live rank is ≥ 0: deltas 0–5999, complete frames 6000+), so
 * where both services stored the same minute the live fields win and the imported ones only fill the fields
 * the live frames lacked. Within one minute, a later old row beats an earlier one, as a later frame does live.
 */
export const IMPORTED_RANK_BASE = -6000;

// Readings before this are not Shelly Pro 4PM data (the product dates from 2021); the service refuses them too.
const FIRST_MINUTE = Date.UTC(2000, 0, 1) / 60_000;

const CHANNEL = /^switch:([0-3])$/;

/** The channel number of "switch:N", or null. */
export function parseOldChannel(text: string): number | null {
  const match = CHANNEL.exec(text.trim());
  return match ? Number(match[1]) : null;
}

/**
 * The reading an old row stands for, or why it cannot be imported. A voltage of 0 (or NULL) is the
 * predecessor's "field absent" (its handler stored `voltage or 0.0`), never a measured 0 V.
 */
export function readingFromPowerLog(row: PowerLogRow, lastMinute: number): RankedReading | SkipReason {
  const channel = parseOldChannel(row.channel);
  if (channel === null) return "channel_invalid";
  if (row.deviceId.length < 1 || row.deviceId.length > 128 || row.deviceId !== row.deviceId.trim()) {
    return "device_id_invalid";
  }
  const minute = Math.floor(row.centiseconds / 6000);
  if (!Number.isFinite(minute) || minute < FIRST_MINUTE || minute > lastMinute)
    return "timestamp_out_of_range";
  const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);
  const voltageV = finite(row.voltageV) === 0 ? null : finite(row.voltageV);
  const values = {
    apowerW: finite(row.apowerW),
    voltageV,
    currentA: finite(row.currentA),
    energyTotalWh: finite(row.energyTotalWh),
  };
  if (
    values.apowerW === null &&
    values.voltageV === null &&
    values.currentA === null &&
    values.energyTotalWh === null
  ) {
    return "no_measurement";
  }
  const rank = IMPORTED_RANK_BASE + (row.centiseconds - minute * 6000);
  const ranks = Object.fromEntries(MEASURED_FIELDS.map((f) => [f, null])) as Ranks;
  const reading: RankedReading = {
    deviceId: row.deviceId,
    channel,
    minute,
    apowerW: values.apowerW,
    voltageV: values.voltageV,
    currentA: values.currentA,
    powerFactor: null,
    frequencyHz: null,
    energyTotalWh: values.energyTotalWh,
    energyLastMinuteWh: null,
    temperatureC: null,
    output: null,
    ranks,
  };
  for (const field of ["apowerW", "voltageV", "currentA", "energyTotalWh"] as const) {
    ranks[field] = reading[field] === null ? null : rank;
  }
  return reading;
}

/** Same (device, channel, minute). */
export function sameKey(a: RankedReading, b: RankedReading): boolean {
  return a.minute === b.minute && a.channel === b.channel && a.deviceId === b.deviceId;
}
