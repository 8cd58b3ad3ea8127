import type { MessageResult } from "../contracts/ingest.js";
import { type Database, RETRYABLE_SQLSTATES } from "../db/database.js";
import { enqueueCycleRefresh } from "../db/queries/enqueue-cycle-refresh.js";
import { type DeviceSighting, upsertDevices } from "../db/queries/upsert-devices.js";
import { upsertReadings } from "../db/queries/upsert-readings.js";
import { MEASURED_FIELDS, mergeReadings, type RankedReading, readingKey } from "../domain/ranked-reading.js";
import { parseMessage, type RejectionCode } from "../domain/shelly/parse-message.js";

export interface IngestSummary {
  inserted: number;
  duplicates: number;
  errors: number;
  devices: number;
  results: IngestResultEntry[];
}

/** A result before the HTTP layer renders the rejection's message in French. */
export type IngestResultEntry = Omit<MessageResult, "error"> & {
  rejection?: { code: RejectionCode; detail: string };
};

export interface IngestOptions {
  nowS: number;
  receivedAt: Date;
  /** transactions lost to a deadlock or serialization failure are replayed this many times */
  retries?: number;
}

function sameReading(a: RankedReading, b: RankedReading): boolean {
  return MEASURED_FIELDS.every((f) => a[f] === b[f] && a.ranks[f] === b.ranks[f]);
}

/** Whether at least one field of the merged row came from this reading. */
function contributes(reading: RankedReading, merged: RankedReading): boolean {
  return MEASURED_FIELDS.some(
    (f) => reading[f] !== null && reading[f] === merged[f] && reading.ranks[f] === merged.ranks[f],
  );
}

/**
 * A batch of queue messages → readings stored in one transaction → one result per message.
 * Rejected messages are reported and skipped; they never block the valid ones.
 * Counters are per reading: `inserted` = readings that created or completed a stored row (at least one
 * of their fields is now in it, and the row changed), `duplicates` = the others; `errors` = rejected messages.
 */
export async function ingestBatch(db: Database, messages: readonly unknown[], options: IngestOptions) {
  const merged = new Map<string, RankedReading>();
  const seen = new Map<string, RankedReading[]>();
  const sightings = new Map<string, DeviceSighting>();
  const perMessage: { readings: RankedReading[]; repeats: boolean[] }[] = [];
  const results: IngestResultEntry[] = [];

  messages.forEach((message, index) => {
    const id = idOf(message);
    const parsed = parseMessage(message, options.nowS);
    const base = { index, ...(id === undefined ? {} : { id }) };
    if (parsed.kind === "rejected") {
      results.push({
        ...base,
        status: "rejected",
        readings: 0,
        rejection: { code: parsed.code, detail: parsed.detail },
      });
      perMessage.push({ readings: [], repeats: [] });
      return;
    }
    if (parsed.kind === "ignored") {
      results.push({ ...base, status: "ignored", readings: 0 });
      perMessage.push({ readings: [], repeats: [] });
      return;
    }
    const repeats: boolean[] = [];
    for (const reading of parsed.readings) {
      const key = readingKey(reading);
      const earlier = seen.get(key) ?? [];
      repeats.push(earlier.some((e) => sameReading(e, reading)));
      earlier.push(reading);
      seen.set(key, earlier);
      const current = merged.get(key);
      merged.set(key, current ? mergeReadings(current, reading) : reading);
      const sighting = sightings.get(reading.deviceId);
      if (!sighting) {
        sightings.set(reading.deviceId, {
          deviceId: reading.deviceId,
          model: parsed.model,
          firstMinute: reading.minute,
          lastMinute: reading.minute,
        });
      } else {
        sighting.firstMinute = Math.min(sighting.firstMinute, reading.minute);
        sighting.lastMinute = Math.max(sighting.lastMinute, reading.minute);
      }
    }
    results.push({ ...base, status: "stored", readings: parsed.readings.length });
    perMessage.push({ readings: parsed.readings, repeats });
  });

  const rows = [...merged.values()].sort(compareKeys);
  const devices = [...sightings.values()].sort((a, b) =>
    a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0,
  );

  const changed = new Set<string>();
  if (rows.length > 0) {
    const keys = await withRetries(options.retries ?? 3, () =>
      db.transaction(async (tx) => {
        const changedKeys = await upsertReadings(tx, rows, options.receivedAt);
        await enqueueCycleRefresh(tx, changedKeys);
        await upsertDevices(tx, devices);
        return changedKeys;
      }),
    );
    for (const k of keys)
      changed.add(readingKey({ deviceId: k.device_id, channel: k.channel, minute: k.minute }));
  }

  let inserted = 0;
  let duplicates = 0;
  let errors = 0;
  results.forEach((result, i) => {
    if (result.status === "rejected") errors++;
    if (result.status !== "stored") return;
    const { readings, repeats } = perMessage[i] ?? { readings: [], repeats: [] };
    let fresh = 0;
    readings.forEach((reading, j) => {
      const key = readingKey(reading);
      const row = merged.get(key);
      if (changed.has(key) && !repeats[j] && row && contributes(reading, row)) fresh++;
    });
    inserted += fresh;
    duplicates += readings.length - fresh;
    if (fresh === 0) result.status = "duplicate";
  });

  return { inserted, duplicates, errors, devices: devices.length, results } satisfies IngestSummary;
}

function idOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const id = (message as { id?: unknown }).id;
  if (typeof id === "string") return id.slice(0, 200);
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  return undefined;
}

function compareKeys(a: RankedReading, b: RankedReading): number {
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  if (a.channel !== b.channel) return a.channel - b.channel;
  return a.minute - b.minute;
}

async function withRetries<T>(retries: number, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= retries || typeof code !== "string" || !RETRYABLE_SQLSTATES.has(code)) throw error;
    }
  }
}
