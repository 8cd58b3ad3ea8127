import type { Database } from "../db/database.js";
import type { App } from "./app.js";

export interface BackgroundTask {
  stop(): Promise<void>;
}

/**
 * Graceful stop: /api/ready answers 503 at once, the server stops accepting, requests in flight finish
 * (their batches commit), background work (cycle upkeep) finishes its current pass, then the database
 * closes. Resolves false if that took longer than `timeoutMs`, in which case the caller exits anyway: an
 * open transaction then rolls back, and the queue retries.
 */
export async function shutdown(
  app: App,
  db: Database,
  timeoutMs: number,
  background: readonly BackgroundTask[] = [],
): Promise<boolean> {
  app.lifecycle.draining = true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const graceful = (async () => {
    await app.close();
    await Promise.all(background.map((task) => task.stop()));
    await db.close();
    return true as const;
  })();
  try {
    return await Promise.race([graceful, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
