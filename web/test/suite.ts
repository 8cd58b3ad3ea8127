import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { simulateFleet } from "../../simulator/index.js";
import { launch, openPage, signIn, type WatchedPage } from "./browser";
import { ADMIN, ingest, type RunningServer, startServer } from "./service";

const DAY_MS = 86_400_000;
const MIN_MS = 60_000;

export interface BrowserSuite {
  readonly server: RunningServer;
  readonly browser: Browser;
  /** the simulated meters, in the simulator's order */
  readonly deviceIds: string[];
  /** A watched page, signed in as `who` unless it is null (then on no page yet). */
  page(
    who?: { email: string; password: string } | null,
    viewport?: { width: number; height: number },
  ): Promise<WatchedPage>;
}

/**
 * The start-up the browser test files share: the service as `npm start` runs it and Chromium, side by side;
 * a simulated fleet ingested up to the current minute; every page opened closed at the end. Call it at the
 * top of a `describe`: it registers that describe's beforeAll and afterAll.
 */
export function useBrowserSuite(fleet: { seed: number; devices: number; days: number }): BrowserSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const deviceIds: string[] = [];
  const pages: WatchedPage[] = [];
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launch()]);
    const end = Math.floor(Date.now() / MIN_MS) * MIN_MS;
    const sim = simulateFleet({ ...fleet, start: new Date(end - fleet.days * DAY_MS) });
    deviceIds.push(...sim.devices.map((d) => d.id));
    for (const batch of sim.batches(1000)) expect((await ingest(server.url, batch)).status).toBe(200);
  }, 240_000);
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
    async page(who = ADMIN, viewport) {
      const watched = await openPage(started(browser), started(server).url, viewport);
      pages.push(watched);
      if (who) await signIn(watched.page, who);
      return watched;
    },
  };
}
