// Request bodies and COPY data built from the simulator before anything is timed.

import { type SimMessage, simulateFleet } from "../../simulator/index.js";
import { MEASURED_FIELDS, type RankedReading, readingKey } from "../../src/domain/ranked-reading.js";
import { parseMessage } from "../../src/domain/shelly/parse-message.js";

export interface MessageSet {
  /** each queue message as JSON, in the simulator's order */
  json: string[];
  /** readings the messages carry (one per switch object with an electrical field) */
  readings: number;
  /** distinct (device, channel, minute) keys: the rows these messages make */
  keys: Set<string>;
  /** per message: how many readings it carries */
  readingsPerMessage: Uint8Array;
}

export interface SimulationRange {
  seed: number;
  devices: number;
  days: number;
  startS: number;
}

/** Runs the simulator; `onReading` sees every reading the service will parse out of the messages. */
export function generateMessages(
  range: SimulationRange,
  onReading?: (reading: RankedReading) => void,
): MessageSet {
  const sim = simulateFleet({
    seed: range.seed,
    devices: range.devices,
    days: range.days,
    start: range.startS,
  });
  const nowS = Math.floor(Date.now() / 1000);
  const json: string[] = [];
  const perMessage: number[] = [];
  const keys = new Set<string>();
  let readings = 0;
  for (const message of sim.messages()) {
    json.push(JSON.stringify(message));
    const parsed = parseMessage(message, nowS);
    if (parsed.kind === "rejected")
      throw new Error(`the service would reject a simulator message: ${parsed.code}`);
    const carried = parsed.kind === "readings" ? parsed.readings : [];
    perMessage.push(carried.length);
    readings += carried.length;
    for (const reading of carried) {
      keys.add(readingKey(reading));
      onReading?.(reading);
    }
  }
  return { json, readings, keys, readingsPerMessage: Uint8Array.from(perMessage) };
}

/** `{"messages":[…]}` of the given message JSON strings, as bytes ready to send. */
export function body(messages: readonly string[]): Buffer<ArrayBuffer> {
  return Buffer.from(`{"messages":[${messages.join(",")}]}`, "utf8");
}

export function batchBodies(json: readonly string[], size: number): Buffer<ArrayBuffer>[] {
  const bodies: Buffer<ArrayBuffer>[] = [];
  for (let i = 0; i < json.length; i += size) bodies.push(body(json.slice(i, i + size)));
  return bodies;
}

// COPY text format of the readings table: same columns, one row per reading (no merge, no deduplication).
const VALUE_COLUMNS = [
  ["apower_w", "rank_apower"],
  ["voltage_v", "rank_voltage"],
  ["current_a", "rank_current"],
  ["power_factor", "rank_power_factor"],
  ["frequency_hz", "rank_frequency"],
  ["energy_total_wh", "rank_energy_total"],
  ["energy_last_minute_wh", "rank_energy_minute"],
  ["temperature_c", "rank_temperature"],
  ["output", "rank_output"],
] as const;

export const COPY_COLUMNS = [
  "device_id",
  "channel",
  "ts",
  "received_at",
  ...VALUE_COLUMNS.map(([value]) => value),
  ...VALUE_COLUMNS.map(([, rank]) => rank),
];

const text = (value: number | boolean | null): string =>
  value === null ? "\\N" : typeof value === "boolean" ? (value ? "t" : "f") : String(value);

export function copyLine(reading: RankedReading, receivedAt: string): string {
  const values = MEASURED_FIELDS.map((field) => text(reading[field]));
  const ranks = MEASURED_FIELDS.map((field) => text(reading.ranks[field]));
  const ts = new Date(reading.minute * 60_000).toISOString();
  const device = reading.deviceId.replace(/\\/g, "\\\\");
  return `${device}\t${reading.channel}\t${ts}\t${receivedAt}\t${values.join("\t")}\t${ranks.join("\t")}\n`;
}

/** Collects COPY lines and cuts them into chunks of `size` rows. */
export function copyChunker(size: number) {
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  const receivedAt = new Date().toISOString();
  return {
    add(reading: RankedReading) {
      lines.push(copyLine(reading, receivedAt));
      if (lines.length >= size) {
        chunks.push(Buffer.from(lines.join(""), "utf8"));
        lines = [];
      }
    },
    finish(): Buffer[] {
      if (lines.length > 0) chunks.push(Buffer.from(lines.join(""), "utf8"));
      lines = [];
      return chunks;
    },
  };
}

/**
 * One simulated meter's `days` up to `endS` (seed 3): every message, or only the complete minute frames of the
 * minutes a pump ran (apower above the default 10 W threshold), as a filtered history holds them.
 */
export function meterYearMessages(days: number, endS: number, everyMinute = false): SimMessage[] {
  const sim = simulateFleet({ seed: 3, devices: 1, days, start: endS - days * 86_400 });
  const kept: SimMessage[] = [];
  for (const m of sim.messages()) {
    if (everyMinute) {
      kept.push(m);
      continue;
    }
    for (const [key, value] of Object.entries(m.params as Record<string, unknown>)) {
      if (!key.startsWith("switch:")) continue;
      const status = value as { apower?: number; aenergy?: unknown };
      if (status.aenergy !== undefined && (status.apower ?? 0) > 10) {
        kept.push(m);
        break;
      }
    }
  }
  return kept;
}
