import type { MessageResult } from "../contracts/ingest.js";
import { type Database, RETRYABLE_SQLSTATES } from "../db/database.js";
import { type DeviceSighting, storeReadings } from "../db/queries/store-readings.js";
import { MEASURED_FIELDS, mergeInto, type RankedReading } from "../domain/ranked-reading.js";
import { parseMessage, type RejectionCode } from "../domain/shelly/parse-message.js";
import type { DeviceSightings } from "./device-sightings.js";

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
  /** what this process has stored in `devices`; without it, every batch writes the rows of its devices */
  knownDevices?: DeviceSightings;
}

/** One (device, channel, minute) of the batch. */
interface Slot {
  /** channel × CHANNEL_STRIDE + minute: sorts like (channel, minute) */
  order: number;
  /** the first reading of the key until a second one arrives, then a copy owned here that merges them */
  row: RankedReading;
  owned: boolean;
  /** every reading of the key, kept only once there are two (for the repeat check) */
  seen: RankedReading[] | null;
  changed: boolean;
}

interface DeviceEntry {
  sighting: DeviceSighting;
  slots: Map<number, Slot>;
}

// Unix minutes stay far below 1e10 (parseMessage bounds timestamps to 2020…now), so one number orders
// (channel, minute) and no key string is built per reading.
const CHANNEL_STRIDE = 1e10;

function sameReading(a: RankedReading, b: RankedReading): boolean {
  for (const f of MEASURED_FIELDS) if (a[f] !== b[f] || a.ranks[f] !== b.ranks[f]) return false;
  return true;
}

/** Whether at least one field of the merged row came from this reading. */
function contributes(reading: RankedReading, merged: RankedReading): boolean {
  for (const f of MEASURED_FIELDS) {
    if (reading[f] !== null && reading[f] === merged[f] && reading.ranks[f] === merged.ranks[f]) return true;
  }
  return false;
}

/**
 * A batch of queue messages → readings stored in one statement (all or nothing) → one result per message.
 * Rejected messages are reported and skipped; they never block the valid ones.
 * Counters are per reading: `inserted` = readings that created or completed a stored row (at least one
 * of their fields is now in it, and the row changed), `duplicates` = the others; `errors` = rejected messages.
 */
export async function ingestBatch(db: Database, messages: readonly unknown[], options: IngestOptions) {
  const devices = new Map<string, DeviceEntry>();
  // Every valid reading in message order, with its key's slot and whether an identical reading came before.
  const readings: RankedReading[] = [];
  const slotOf: Slot[] = [];
  const repeats: boolean[] = [];
  const results: IngestResultEntry[] = new Array(messages.length);

  for (let index = 0; index < messages.length; index++) {
    const message = messages[index];
    const id = idOf(message);
    const parsed = parseMessage(message, options.nowS);
    if (parsed.kind !== "readings") {
      const entry: IngestResultEntry =
        parsed.kind === "rejected"
          ? {
              index,
              status: "rejected",
              readings: 0,
              rejection: { code: parsed.code, detail: parsed.detail },
            }
          : { index, status: "ignored", readings: 0 };
      if (id !== undefined) entry.id = id;
      results[index] = entry;
      continue;
    }
    // A message is one frame of one device at one minute: the device is looked up once per message.
    const first = parsed.readings[0] as RankedReading;
    let device = devices.get(parsed.deviceId);
    if (!device) {
      device = {
        sighting: {
          deviceId: parsed.deviceId,
          model: parsed.model,
          firstMinute: first.minute,
          lastMinute: first.minute,
          widen: true,
        },
        slots: new Map(),
      };
      devices.set(parsed.deviceId, device);
    } else if (first.minute < device.sighting.firstMinute) device.sighting.firstMinute = first.minute;
    else if (first.minute > device.sighting.lastMinute) device.sighting.lastMinute = first.minute;

    for (const reading of parsed.readings) {
      const order = reading.channel * CHANNEL_STRIDE + reading.minute;
      let slot = device.slots.get(order);
      let repeat = false;
      if (!slot) {
        slot = { order, row: reading, owned: false, seen: null, changed: false };
        device.slots.set(order, slot);
      } else {
        if (slot.seen === null) slot.seen = [slot.row];
        for (const earlier of slot.seen) {
          if (sameReading(earlier, reading)) {
            repeat = true;
            break;
          }
        }
        slot.seen.push(reading);
        if (!repeat) {
          if (!slot.owned) {
            slot.row = { ...slot.row, ranks: { ...slot.row.ranks } };
            slot.owned = true;
          }
          mergeInto(slot.row, reading);
        }
      }
      readings.push(reading);
      slotOf.push(slot);
      repeats.push(repeat);
    }
    const entry: IngestResultEntry = { index, status: "stored", readings: parsed.readings.length };
    if (id !== undefined) entry.id = id;
    results[index] = entry;
  }

  // Sorted by (device, channel, minute): concurrent batches lock rows in the same order.
  const deviceIds = [...devices.keys()].sort();
  const sightings: DeviceSighting[] = [];
  const slots: Slot[] = [];
  for (const deviceId of deviceIds) {
    const device = devices.get(deviceId) as DeviceEntry;
    const s = device.sighting;
    s.widen = options.knownDevices?.needsWrite(s) ?? true;
    sightings.push(s);
    const start = slots.length;
    for (const slot of device.slots.values()) slots.push(slot);
    sortSlice(slots, start);
  }

  if (slots.length > 0) {
    const rows = slots.map((s) => s.row);
    const stored = await withRetries(options.retries ?? 3, () =>
      storeReadings(db, { rows, devices: sightings, receivedAt: options.receivedAt }),
    );
    for (const position of stored.changed) (slots[position] as Slot).changed = true;
    const known = options.knownDevices;
    if (known) {
      const registered = new Set(stored.registered);
      for (const s of sightings) if (s.widen || registered.has(s.deviceId)) known.remember(s);
    }
  }

  let inserted = 0;
  let duplicates = 0;
  let errors = 0;
  let next = 0;
  for (const result of results) {
    if (result.status === "rejected") errors++;
    if (result.status !== "stored") continue;
    let fresh = 0;
    for (const end = next + result.readings; next < end; next++) {
      const slot = slotOf[next] as Slot;
      if (slot.changed && !repeats[next] && contributes(readings[next] as RankedReading, slot.row)) fresh++;
    }
    inserted += fresh;
    duplicates += result.readings - fresh;
    if (fresh === 0) result.status = "duplicate";
  }

  return { inserted, duplicates, errors, devices: sightings.length, results } satisfies IngestSummary;
}

function idOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const id = (message as { id?: unknown }).id;
  if (typeof id === "string") return id.slice(0, 200);
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  return undefined;
}

/** Sorts slots[start…] by (channel, minute). */
function sortSlice(slots: Slot[], start: number): void {
  const tail = slots.splice(start).sort((a, b) => a.order - b.order);
  for (const slot of tail) slots.push(slot);
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
