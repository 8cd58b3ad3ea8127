// Readings rows straight from the simulator, as the service would store them, COPY'd into `readings`.
//
// Every frame goes through the service's own parseMessage; the readings of one (device, channel, minute)
// are joined with mergeReadings, exactly what ingestion stores for a complete, in-order delivery. Frames come
// in time order, so a minute is complete as soon as a frame of a later minute shows up: rows are emitted per
// minute and streamed in chunks, never the whole range in memory.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { frameToMessage, type Simulation } from "../../simulator/index.js";
import {
  MEASURED_FIELDS,
  mergeReadings,
  type RankedReading,
  readingKey,
} from "../../src/domain/ranked-reading.js";
import { parseMessage } from "../../src/domain/shelly/parse-message.js";

const VALUE_COLUMNS = [
  "apower_w",
  "voltage_v",
  "current_a",
  "power_factor",
  "frequency_hz",
  "energy_total_wh",
  "energy_last_minute_wh",
  "temperature_c",
  "output",
] as const;
const RANK_COLUMNS = [
  "rank_apower",
  "rank_voltage",
  "rank_current",
  "rank_power_factor",
  "rank_frequency",
  "rank_energy_total",
  "rank_energy_minute",
  "rank_temperature",
  "rank_output",
] as const;
// MEASURED_FIELDS and the columns above are in the same order (src/db/queries/upsert-readings.ts).
if (MEASURED_FIELDS.length !== VALUE_COLUMNS.length) throw new Error("readings columns out of date");

export const COPY_COLUMNS = ["device_id", "channel", "ts", "received_at", ...VALUE_COLUMNS, ...RANK_COLUMNS];

const text = (value: number | boolean | null): string =>
  value === null ? "\\N" : typeof value === "boolean" ? (value ? "t" : "f") : String(value);

export interface RowChunk {
  data: Buffer;
  rows: number;
  /** the last minute in the chunk (unix minute) */
  lastMinute: number;
}

/**
 * COPY text chunks of about `chunkRows` rows (cut at minute boundaries), in time order. `received_at` is
 * the minute's end plus a second: rows "arrive" in time order, as in production.
 */
export function* readingRows(sim: Simulation, nowS: number, chunkRows: number): Generator<RowChunk> {
  let minute = Number.NaN;
  let pending = new Map<string, RankedReading>();
  let lines: string[] = [];
  let rows = 0;
  let tsText = "";
  let receivedText = "";

  const flushMinute = () => {
    if (pending.size === 0) return;
    for (const r of pending.values()) {
      const values = MEASURED_FIELDS.map((f) => text(r[f]));
      const ranks = MEASURED_FIELDS.map((f) => text(r.ranks[f]));
      lines.push(
        `${r.deviceId}\t${r.channel}\t${tsText}\t${receivedText}\t${values.join("\t")}\t${ranks.join("\t")}\n`,
      );
    }
    rows += pending.size;
    pending = new Map();
  };

  for (const frame of sim.frames()) {
    const parsed = parseMessage(frameToMessage(frame), nowS);
    if (parsed.kind === "rejected") {
      throw new Error(`the service would reject a simulator frame: ${parsed.code} ${parsed.detail}`);
    }
    if (parsed.kind !== "readings") continue;
    for (const reading of parsed.readings) {
      if (reading.minute !== minute) {
        if (reading.minute < minute) throw new Error("simulator frames out of time order");
        flushMinute();
        if (rows >= chunkRows) {
          yield { data: Buffer.from(lines.join(""), "utf8"), rows, lastMinute: minute };
          lines = [];
          rows = 0;
        }
        minute = reading.minute;
        tsText = new Date(minute * 60_000).toISOString();
        receivedText = new Date((minute + 1) * 60_000 + 1_000).toISOString();
      }
      if (reading.deviceId.includes("\\") || reading.deviceId.includes("\t")) {
        throw new Error(`device id needs COPY escaping: ${reading.deviceId}`);
      }
      const key = readingKey(reading);
      const previous = pending.get(key);
      pending.set(key, previous ? mergeReadings(previous, reading) : reading);
    }
  }
  flushMinute();
  if (rows > 0) yield { data: Buffer.from(lines.join(""), "utf8"), rows, lastMinute: minute };
}

export interface LoadProgress {
  rows: number;
  elapsedS: number;
  /** fraction of the simulated range done */
  done: number;
}

/**
 * Streams the simulation into `readings`, one COPY statement (one transaction) per `segmentRows` rows.
 * Returns the number of rows stored.
 */
export async function copyReadings(
  client: pg.Client,
  sim: Simulation,
  options: { nowS: number; chunkRows: number; segmentRows: number; onProgress?: (p: LoadProgress) => void },
): Promise<number> {
  const chunks = readingRows(sim, options.nowS, options.chunkRows);
  const sql = `COPY readings (${COPY_COLUMNS.join(", ")}) FROM STDIN`;
  const started = performance.now();
  const spanMin = (sim.endS - sim.startS) / 60;
  let total = 0;
  let exhausted = false;
  let lastMinute = sim.startS / 60;
  while (!exhausted) {
    let segment = 0;
    const take = function* () {
      while (segment < options.segmentRows) {
        const next = chunks.next();
        if (next.done) {
          exhausted = true;
          return;
        }
        segment += next.value.rows;
        lastMinute = next.value.lastMinute;
        yield next.value.data;
      }
    };
    const stream = client.query(copyFrom(sql));
    await pipeline(Readable.from(take(), { highWaterMark: 2 }), stream);
    if (stream.rowCount !== segment) {
      throw new Error(`COPY stored ${stream.rowCount} rows, ${segment} were sent`);
    }
    total += segment;
    options.onProgress?.({
      rows: total,
      elapsedS: (performance.now() - started) / 1000,
      done: Math.min(1, (lastMinute - sim.startS / 60) / spanMin),
    });
  }
  return total;
}
