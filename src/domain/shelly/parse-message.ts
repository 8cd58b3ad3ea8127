import { COMPLETE_FRAME_RANK, type RankedReading, type Ranks } from "../ranked-reading.js";

/** Codes of a rejected message; the French texts live in the message catalogue. */
export type RejectionCode =
  | "invalid_message"
  | "invalid_src"
  | "invalid_params"
  | "invalid_timestamp"
  | "timestamp_in_future"
  | "timestamp_too_old"
  | "invalid_channel"
  | "invalid_field";

export type ParsedMessage =
  | { kind: "readings"; deviceId: string; model: string | null; readings: RankedReading[] }
  | { kind: "ignored" }
  | { kind: "rejected"; code: RejectionCode; detail: string };

/** 2020-01-01T00:00:00Z: nothing older can come from this fleet. */
export const OLDEST_TIMESTAMP_S = 1_577_836_800;
/** Device clocks drift; more than this ahead of the server is a bad timestamp, not drift. */
export const MAX_FUTURE_SKEW_S = 300;

const SWITCH_KEY = /^switch:(.*)$/;
const CHANNEL = /^[0-3]$/;
const DEVICE_ID = /^[\x21-\x7e]{1,128}$/;

interface Bounds {
  min: number;
  max: number;
}
// Physical limits of a Pro 4PM channel, widened: a value outside is a broken frame, not a measurement.
const LIMITS = {
  apower: { min: -100_000, max: 100_000 },
  voltage: { min: 0, max: 1_000 },
  current: { min: 0, max: 1_000 },
  pf: { min: -1, max: 1 },
  freq: { min: 0, max: 1_000 },
  total: { min: 0, max: 1e15 },
  byMinute: { min: 0, max: 1e12 },
  tC: { min: -100, max: 300 },
} satisfies Record<string, Bounds>;

const MODELS: [RegExp, string][] = [
  [/^shellypro4pm-/i, "Shelly Pro 4PM"],
  [/^shellypro3em-/i, "Shelly Pro 3EM"],
  [/^shellyplus1pm-/i, "Shelly Plus 1PM"],
];

export function modelFromDeviceId(deviceId: string): string | null {
  for (const [pattern, model] of MODELS) if (pattern.test(deviceId)) return model;
  return null;
}

class Rejection {
  constructor(
    readonly code: RejectionCode,
    readonly detail: string,
  ) {}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function number(value: unknown, path: string, bounds: Bounds): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Rejection("invalid_field", `${path}: nombre attendu`);
  }
  if (value < bounds.min || value > bounds.max) {
    throw new Rejection("invalid_field", `${path}: ${value} hors de [${bounds.min}, ${bounds.max}]`);
  }
  return value;
}

function object(value: unknown, path: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw new Rejection("invalid_field", `${path}: objet attendu`);
  return value;
}

function timestampOf(message: Record<string, unknown>, params: Record<string, unknown>): number {
  const explicit = message.timestamp;
  if (explicit !== undefined && explicit !== null) {
    if (typeof explicit !== "number" || !Number.isSafeInteger(explicit)) {
      throw new Rejection("invalid_timestamp", "timestamp: entier (secondes unix) attendu");
    }
    return explicit;
  }
  const ts = params.ts;
  if (typeof ts !== "number" || !Number.isFinite(ts)) {
    throw new Rejection("invalid_timestamp", "ni timestamp ni params.ts");
  }
  return Math.floor(ts);
}

/**
 * One queue message (or raw Shelly frame) → the readings it carries, one per `switch:N` object with at
 * least one electrical field. Pure: `nowS` is the server's clock in unix seconds.
 */
export function parseMessage(message: unknown, nowS: number): ParsedMessage {
  try {
    return parse(message, nowS);
  } catch (error) {
    if (error instanceof Rejection) return { kind: "rejected", code: error.code, detail: error.detail };
    throw error;
  }
}

function parse(message: unknown, nowS: number): ParsedMessage {
  if (!isObject(message)) throw new Rejection("invalid_message", "objet attendu");
  const src = typeof message.src === "string" ? message.src.trim() : "";
  if (!DEVICE_ID.test(src)) throw new Rejection("invalid_src", "src vide, trop long ou avec des espaces");

  const params = message.params;
  if (params === undefined || params === null) return { kind: "ignored" };
  if (!isObject(params)) throw new Rejection("invalid_params", "params: objet attendu");

  const switches: [number, Record<string, unknown>][] = [];
  for (const [key, value] of Object.entries(params)) {
    const match = SWITCH_KEY.exec(key);
    if (!match) continue;
    if (!CHANNEL.test(match[1] ?? "")) throw new Rejection("invalid_channel", `${key}: canal 0 à 3 attendu`);
    const status = object(value, key);
    if (status) switches.push([Number(match[1]), status]);
  }
  if (switches.length === 0) return { kind: "ignored" };

  const timestampS = timestampOf(message, params);
  if (timestampS < OLDEST_TIMESTAMP_S) throw new Rejection("timestamp_too_old", String(timestampS));
  if (timestampS > nowS + MAX_FUTURE_SKEW_S) throw new Rejection("timestamp_in_future", String(timestampS));

  const minute = Math.floor(timestampS / 60);
  // params.ts keeps the sub-second order of frames; the integer timestamp decides the minute.
  const frameTs =
    typeof params.ts === "number" && Math.floor(params.ts) === timestampS ? params.ts : timestampS;
  const offset = Math.min(5999, Math.max(0, Math.floor((frameTs - minute * 60) * 100)));

  const readings: RankedReading[] = [];
  for (const [channel, status] of switches) {
    const reading = readingOf(src, channel, minute, offset, status);
    if (reading) readings.push(reading);
  }
  if (readings.length === 0) return { kind: "ignored" };
  return { kind: "readings", deviceId: src, model: modelFromDeviceId(src), readings };
}

function readingOf(
  deviceId: string,
  channel: number,
  minute: number,
  offset: number,
  status: Record<string, unknown>,
): RankedReading | null {
  const path = `switch:${channel}`;
  const aenergy = object(status.aenergy, `${path}.aenergy`);
  const temperature = object(status.temperature, `${path}.temperature`);
  const output = status.output;
  if (output !== undefined && output !== null && typeof output !== "boolean") {
    throw new Rejection("invalid_field", `${path}.output: booléen attendu`);
  }

  let energyLastMinuteWh: number | null = null;
  let energyTotalWh: number | null = null;
  if (aenergy) {
    energyTotalWh = number(aenergy.total, `${path}.aenergy.total`, LIMITS.total);
    const byMinute = aenergy.by_minute;
    if (byMinute !== undefined && byMinute !== null && !Array.isArray(byMinute)) {
      throw new Rejection("invalid_field", `${path}.aenergy.by_minute: tableau attendu`);
    }
    const lastMinuteMWh = number(byMinute?.[0], `${path}.aenergy.by_minute[0]`, LIMITS.byMinute);
    const minuteTs = number(aenergy.minute_ts, `${path}.aenergy.minute_ts`, { min: 0, max: 1e11 });
    // by_minute[0] is the minute that ended at minute_ts; it is the previous minute of this row only when
    // minute_ts is this row's own minute boundary.
    if (lastMinuteMWh !== null && (minuteTs === null || minuteTs === minute * 60)) {
      energyLastMinuteWh = lastMinuteMWh / 1000;
    }
  }

  const values = {
    apowerW: number(status.apower, `${path}.apower`, LIMITS.apower),
    voltageV: number(status.voltage, `${path}.voltage`, LIMITS.voltage),
    currentA: number(status.current, `${path}.current`, LIMITS.current),
    powerFactor: number(status.pf, `${path}.pf`, LIMITS.pf),
    frequencyHz: number(status.freq, `${path}.freq`, LIMITS.freq),
    energyTotalWh,
    energyLastMinuteWh,
    temperatureC: temperature ? number(temperature.tC, `${path}.temperature.tC`, LIMITS.tC) : null,
    output: typeof output === "boolean" ? output : null,
  };
  const electrical =
    values.apowerW !== null ||
    values.voltageV !== null ||
    values.currentA !== null ||
    values.powerFactor !== null ||
    values.frequencyHz !== null ||
    values.energyTotalWh !== null ||
    values.energyLastMinuteWh !== null;
  if (!electrical) return null;

  const rank = (aenergy ? COMPLETE_FRAME_RANK : 0) + offset;
  const ranks = {} as Ranks;
  for (const [field, value] of Object.entries(values)) {
    ranks[field as keyof Ranks] = value === null ? null : rank;
  }
  return { deviceId, channel, minute, ...values, ranks };
}
