import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import { DeviceSightings } from "./device-sightings.js";
import { type IngestSummary, ingestBatch } from "./ingest-batch.js";
import { DEFAULT_MAX_CONCURRENT_BATCHES, Semaphore } from "./semaphore.js";

/**
 * The one ingestion path of the process: HTTP batches and MQTT batches both go through it, so they share
 * the cap on batches at once and the cache of stored device sightings.
 */
export interface Ingestor {
  ingest(messages: readonly unknown[]): Promise<IngestSummary>;
}

export function createIngestor(options: {
  db: Database;
  clock: Clock;
  maxConcurrentBatches?: number;
}): Ingestor {
  const { db, clock } = options;
  // What this process has written to `devices`, so batches skip rewriting last_seen.
  const knownDevices = new DeviceSightings();
  // Each batch in progress holds its readings, merge maps and parameter text; beyond a couple at once the
  // single thread gains nothing and the heap only grows.
  const batches = new Semaphore(options.maxConcurrentBatches ?? DEFAULT_MAX_CONCURRENT_BATCHES);
  return {
    ingest: (messages) =>
      batches.run(() => {
        const now = clock.now();
        return ingestBatch(db, messages, {
          nowS: Math.floor(now.getTime() / 1000),
          receivedAt: now,
          knownDevices,
        });
      }),
  };
}
