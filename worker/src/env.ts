import type { QueueMessage } from "./frames.js";

/** The bindings of worker/wrangler.toml (names fixed by the API contract, except the optional ones). */
export interface Env {
  /** producer binding of the queue `pumpwatch-readings` */
  READINGS: Queue<QueueMessage>;
  /** the service's full `…/api/ingest/batch` URL */
  INGEST_URL: string;
  /** secret, sent as X-Api-Key */
  INGEST_API_KEY: string;
  /** secret: comma-separated tokens; `deviceId:token` is accepted only from that meter */
  DEVICE_TOKENS: string;
  /** optional producer binding of the dead-letter queue: messages the service rejects go there */
  DEAD_LETTERS?: Queue<unknown>;
  /** optional: first retry delay in seconds (default 10), doubled per attempt */
  RETRY_BASE_SECONDS?: string;
  /** optional: longest retry delay in seconds (default 3600) */
  RETRY_MAX_SECONDS?: string;
  /** optional: how long the consumer waits for the service, in ms (default 30000) */
  INGEST_TIMEOUT_MS?: string;
}
