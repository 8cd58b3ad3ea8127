import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { simulateFleet } from "../../simulator/index.js";
import { launch, openPage, signIn, type WatchedPage } from "./browser";
import { ADMIN, ingest, type RunningServer, startServer } from "./service";

const DAY_MS = 86_400_000;
const MIN_MS = 60_000;

/** A simulated fleet ingested up to the current minute. */
export interface Fleet {
  seed: number;
  devices: number;
  days: number;
}

/** A start-up of its own: the service's environment, what it holds before the first test. */
export interface SuiteSetup {
  /** added to the environment startServer gives the service */
  env?: Record<string, string>;
  /** run once the service and Chromium are up, before the first test (ingestion, for one) */
  fill?: (server: RunningServer) => Promise<void>;
  /** the beforeAll's limit, for a fill longer than the configured hook timeout */
  timeout?: number;
}

export interface BrowserSuite {
  readonly server: RunningServer;
  readonly browser: Browser;
  /** the simulated meters, in the simulator's order (a Fleet start-up only) */
  readonly deviceIds: string[];
  /** every page opened so far, in order */
  readonly pages: readonly WatchedPage[];
  /** A watched page, signed in as `who` unless it is null (then on no page yet). */
  page(
    who?: { email: string; password: string } | null,
    viewport?: { width: number; height: number },
  ): Promise<WatchedPage>;
}

/** Posts every batch with the bootstrap ingestion key; each must be accepted. */
export async function ingestAll(server: RunningServer, batches: Iterable<unknown[]>): Promise<void> {
  for (const batch of batches) expect((await ingest(server.url, batch)).status).toBe(200);
}

/**
 * The start-up the browser test files share: the service as `npm start` runs it and Chromium, side by side;
 * then either a simulated fleet ingested up to the current minute, or the file's own `fill`; every page
 * opened closed at the end. Call it at the top of a `describe`: it registers that describe's beforeAll and
 * afterAll.
 */
export function useBrowserSuite(setup: Fleet | SuiteSetup = {}): BrowserSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const deviceIds: string[] = [];
  const pages: WatchedPage[] = [];
  const own: SuiteSetup = "seed" in setup ? { timeout: 240_000 } : setup;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(own.env), launch()]);
    if ("seed" in setup) {
      const end = Math.floor(Date.now() / MIN_MS) * MIN_MS;
      const sim = simulateFleet({ ...setup, start: new Date(end - setup.days * DAY_MS) });
      deviceIds.push(...sim.devices.map((d) => d.id));
      await ingestAll(server, sim.batches(1000));
    } else await own.fill?.(server);
  }, own.timeout);
  afterAll(async () => {
    for (const p of pages) await p.page.context().close();
    await browser?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the browser suite has not started (beforeAll failed)");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get browser() {
      return started(browser);
    },
    deviceIds,
    pages,
    async page(who = ADMIN, viewport) {
      const watched = await openPage(started(browser), started(server).url, viewport);
      pages.push(watched);
      if (who) await signIn(watched.page, who);
      return watched;
    },
  };
}
