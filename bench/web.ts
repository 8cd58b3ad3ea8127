// npx tsx bench/web.ts [--devices 10] [--days 7] [--runs 5] [--skip-build] [--baseline DIR] [--only-filter]
//
// --baseline DIR: also times the first view and the filter change with the page built into DIR (another
// commit's `dist/web`), on the same service and data in the same run; --only-filter stops after that.
//
// The web application in Debian's Chromium (playwright-core), against the service as `npm start` runs it on
// a fresh database (PGlite, or a new database on DATABASE_URL's server) filled by the simulator. Prints:
// JS and CSS shipped per route (gzip), time to the dashboard's KPIs and cycle table (warm, localhost), a
// filter change, the same first view with a cold cache on a slow mobile link (1.6 Mbit/s, 300 ms round
// trips, Chromium's network emulation through CDP), and time to the sign-in form and to /admin/appareils.
// Prints, does not assert: the figures go in docs/benchmarks.md.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { simulateFleet } from "../simulator/index.js";
import { launch } from "../web/test/browser.js";
import { ADMIN, ingest, startServer } from "../web/test/service.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DEVICES = arg("devices", 10);
const DAYS = arg("days", 7);
const RUNS = arg("runs", 5);
const SLOW = {
  offline: false,
  latency: 300,
  downloadThroughput: 1_600_000 / 8,
  uploadThroughput: 750_000 / 8,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const ms = (x: number) => `${Math.round(x)} ms`;

async function signedIn(browser: Browser, url: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: url,
    locale: "fr-FR",
    viewport: { width: 1280, height: 900 },
  });
  const r = await context.request.post(`${url}/api/auth/login`, {
    data: ADMIN,
    headers: { "x-requested-with": "pumpwatch" },
  });
  if (!r.ok()) throw new Error(`sign-in refused: ${r.status()}`);
  return context;
}

/** ms from the navigation's start to the moment `ready` holds in the page. */
async function timeTo(page: Page, path: string, ready: () => boolean): Promise<number> {
  await page.goto(path, { waitUntil: "commit" });
  await page.waitForFunction(ready, undefined, { timeout: 120_000, polling: "raf" });
  return page.evaluate(() => performance.now());
}

const dashboardUsable = () =>
  !!document.querySelector("[data-testid=cycle-row]") &&
  (document.querySelector("[data-testid=kpi-volume]")?.textContent ?? "--") !== "--";
const signInUsable = () => {
  const input = document.querySelector<HTMLInputElement>("input[type=email]");
  return !!input && !input.disabled;
};
/** How long the service took to answer the KPIs' request (summary + first rows), as the browser timed it. */
const kpiRequestMs = () => {
  const r = performance
    .getEntriesByType("resource")
    .filter((e) => e.name.includes("/api/cycles?") && e.name.includes("limit=100"));
  return r.length ? (r[r.length - 1] as PerformanceResourceTiming).duration : Number.NaN;
};
const adminUsable = () => !!document.querySelector("form.card--device");

async function slowPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", SLOW);
  return page;
}

/** `--baseline DIR`: a `dist/web` built from another commit, served to a second context for comparison. */
const BASELINE = (() => {
  const i = process.argv.indexOf("--baseline");
  return i > 0 ? (process.argv[i + 1] ?? null) : null;
})();

/** Serves the page and its assets from `dir` instead of the service's build; /api/ still goes to the service. */
async function serveBuild(context: BrowserContext, dir: string): Promise<void> {
  await context.route("**/*", async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path.startsWith("/api/")) return route.continue();
    const file = path.startsWith("/assets/") ? join(dir, path) : join(dir, "index.html");
    const type = file.endsWith(".js")
      ? "text/javascript"
      : file.endsWith(".css")
        ? "text/css"
        : file.endsWith(".html")
          ? "text/html"
          : "application/octet-stream";
    return route.fulfill({ status: 200, body: await readFile(file), contentType: type });
  });
}

interface FilterFigures {
  warm: number[];
  warmApi: number[];
  filter: number[];
  filterApi: number[];
}

/** The dashboard's first view, then a filter change right after it (the previous view still reading). */
async function filterRuns(context: BrowserContext, firstDevice: string): Promise<FilterFigures> {
  const warm: number[] = [];
  const filter: number[] = [];
  const filterApi: number[] = [];
  const warmApi: number[] = [];
  const page = await context.newPage();
  await page.goto("/");
  await page.waitForFunction(dashboardUsable);
  for (let i = 0; i < RUNS; i++) {
    warm.push(await timeTo(page, "/", dashboardUsable));
    warmApi.push(await page.evaluate(kpiRequestMs));
    // a filter change: the device, then back to all devices, until the KPIs of the new view are shown
    const elapsed = await page.evaluate(async (device) => {
      const select = document.querySelector<HTMLSelectElement>("#f-device");
      const before = document.querySelector("[data-testid=kpi-cycles]")?.textContent;
      if (!select) return Number.NaN;
      const t0 = performance.now();
      select.value = device;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        const now = document.querySelector("[data-testid=kpi-cycles]")?.textContent;
        const status = document.querySelector("[data-testid=live-status]")?.textContent ?? "";
        if (now !== before && !status.includes("Mise à jour")) return performance.now() - t0;
        if (performance.now() - t0 > 30_000) return Number.NaN;
      }
    }, firstDevice);
    filter.push(elapsed);
    // how much of it is the service's answer (the KPIs' request), the rest being the page's own work
    filterApi.push(await page.evaluate(kpiRequestMs));
  }
  await page.close();
  return { warm, warmApi, filter, filterApi };
}

function report(label: string, f: FilterFigures): void {
  console.log(`[${label}]`);
  console.log(
    `dashboard usable (KPIs + table), warm, localhost: median ${ms(median(f.warm))} of ${f.warm.map(ms).join(", ")}`,
  );
  console.log(
    `  of which the KPIs' API request: median ${ms(median(f.warmApi))} of ${f.warmApi.map(ms).join(", ")}`,
  );
  console.log(
    `filter change (device) to new KPIs: median ${ms(median(f.filter))} of ${f.filter.map(ms).join(", ")}`,
  );
  console.log(
    `  of which the KPIs' API request: median ${ms(median(f.filterApi))} of ${f.filterApi.map(ms).join(", ")}`,
  );
}

async function main() {
  if (!process.argv.includes("--skip-build"))
    execFileSync("npm", ["run", "build", "--silent"], { stdio: "inherit" });
  const server = await startServer();
  const browser = await launch();
  try {
    const end = Math.floor(Date.now() / 60_000) * 60_000;
    const sim = simulateFleet({
      seed: 1,
      devices: DEVICES,
      days: DAYS,
      start: new Date(end - DAYS * 86_400_000),
    });
    const loadStart = Date.now();
    for (const batch of sim.batches(1000)) {
      const r = await ingest(server.url, batch);
      if (r.status !== 200) throw new Error(`ingest: ${r.status}`);
    }
    console.log(
      `data: ${DEVICES} devices × ${DAYS} days, ${sim.truth.length} cycles, loaded in ${ms(Date.now() - loadStart)}`,
    );
    const firstDevice = sim.devices[0]?.id ?? "";

    // shipped bytes, per route: every asset the page fetched, gzip-compressed as a server would send it
    const assets = new Map<string, { kind: string; raw: number; gz: number }>();
    const dist = join("dist", "web");
    async function shipped(context: BrowserContext, path: string) {
      const page = await context.newPage();
      const files = new Set<string>();
      page.on("response", (r) => {
        const p = new URL(r.url()).pathname;
        if (p.startsWith("/assets/")) files.add(p);
      });
      // the bundle is in by the load event; "networkidle" never came within 30 s on a loaded machine (the
      // dashboard's own requests), and only the assets are counted here
      await page.goto(path, { waitUntil: "load", timeout: 120_000 });
      await page.close();
      const out = { js: 0, css: 0 };
      for (const f of files) {
        let a = assets.get(f);
        if (!a) {
          const body = await readFile(join(dist, f));
          a = {
            kind: f.endsWith(".css") ? "css" : "js",
            raw: body.length,
            gz: gzipSync(body, { level: 9 }).length,
          };
          assets.set(f, a);
        }
        if (a.kind === "css") out.css += a.gz;
        else out.js += a.gz;
      }
      return out;
    }
    const admin = await signedIn(browser, server.url);
    const anonymous = await browser.newContext({ baseURL: server.url, locale: "fr-FR" });
    for (const [route, context] of [
      ["/connexion", anonymous],
      ["/", admin],
      ["/admin/appareils", admin],
    ] as const) {
      const s = await shipped(context, route);
      console.log(
        `shipped ${route}: JS ${(s.js / 1024).toFixed(1)} kB gz, CSS ${(s.css / 1024).toFixed(1)} kB gz`,
      );
    }
    const totalJs = [...assets.values()].filter((a) => a.kind === "js").reduce((s, a) => s + a.gz, 0);
    const totalCss = [...assets.values()].filter((a) => a.kind === "css").reduce((s, a) => s + a.gz, 0);
    console.log(
      `shipped, whole app: JS ${(totalJs / 1024).toFixed(1)} kB gz, CSS ${(totalCss / 1024).toFixed(1)} kB gz`,
    );

    const current = await filterRuns(admin, firstDevice);
    report("this build", current);
    if (BASELINE) {
      // the same service, data and moment, with another build's page (same-run baseline, house rule)
      const before = await signedIn(browser, server.url);
      await serveBuild(before, BASELINE);
      report(`baseline build (${BASELINE})`, await filterRuns(before, firstDevice));
      await before.close();
    }
    if (process.argv.includes("--only-filter")) return;

    const cold: number[] = [];
    const coldSignIn: number[] = [];
    const coldAdmin: number[] = [];
    const localSignIn: number[] = [];
    const localAdmin: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      const c1 = await signedIn(browser, server.url);
      cold.push(await timeTo(await slowPage(c1), "/", dashboardUsable));
      await c1.close();
      const c2 = await browser.newContext({ baseURL: server.url, locale: "fr-FR" });
      coldSignIn.push(await timeTo(await slowPage(c2), "/connexion", signInUsable));
      localSignIn.push(await timeTo(await c2.newPage(), "/connexion", signInUsable));
      await c2.close();
      const c3 = await signedIn(browser, server.url);
      coldAdmin.push(await timeTo(await slowPage(c3), "/admin/appareils", adminUsable));
      localAdmin.push(await timeTo(await c3.newPage(), "/admin/appareils", adminUsable));
      await c3.close();
    }
    console.log(
      `slow mobile (1.6 Mbit/s, 300 ms RTT, cold cache) dashboard usable: median ${ms(median(cold))} of ${cold.map(ms).join(", ")}`,
    );
    console.log(
      `sign-in form usable: localhost ${ms(median(localSignIn))}, slow mobile ${ms(median(coldSignIn))}`,
    );
    console.log(
      `/admin/appareils usable: localhost ${ms(median(localAdmin))}, slow mobile ${ms(median(coldAdmin))}`,
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
