import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium (apt), or CHROMIUM_PATH; null when neither is installed. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

export const SKIP_REASON =
  "Chromium absent (apt install chromium, ou CHROMIUM_PATH) : les tests navigateur sont ignorés.";

export async function launch(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(SKIP_REASON);
  return chromium.launch({
    executablePath,
    headless: true,
    // Date and time fields follow the process's locale, not --lang: jj/mm/aaaa and 24 h as in France.
    env: { ...process.env, LANG: "fr_FR.UTF-8", LC_ALL: "fr_FR.UTF-8" },
    // Without these, Chromium tries Google's hosts at start; this machine has no outside network.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      // What a French operator's browser shows (date inputs in jj/mm/aaaa).
      "--lang=fr-FR",
    ],
  });
}

export interface WatchedPage {
  page: Page;
  /** console errors, uncaught exceptions and CSP violations seen so far */
  problems: string[];
}

/** A page that records every console error, page error and Content-Security-Policy violation. */
export async function openPage(
  browser: Browser,
  baseURL: string,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL, viewport, locale: "fr-FR", acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (msg) => {
    // A refused request (401 on a deliberate check) is logged by Chromium as a resource error: those are
    // expected answers of the API, not faults of the page.
    if (
      msg.type() === "error" &&
      !/Failed to load resource: the server responded with a status of (401|403|404|409|422|429)/.test(
        msg.text(),
      )
    )
      problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`exception: ${error.message}`));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return { page, problems };
}

const SHOTS = join("test-results", "screenshots");

/** Desktop and 375 px screenshots of the page as it is now, into an ignored folder. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: join(SHOTS, `${name}-375.png`), fullPage: true });
  await page.setViewportSize(size);
}

/** Fills and sends the sign-in form; what follows (the dashboard, an error, throttling) is the caller's to check. */
export async function fillSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/connexion");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

/** Signed in as `who`, on the dashboard. */
export async function signIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await fillSignIn(page, who.email, who.password);
  await page.waitForURL((u) => u.pathname === "/");
}

/** An API call from inside the page (its session cookie), with the header the CSRF rule asks for. */
export async function call(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p as string, {
        method: m as string,
        headers: { "content-type": "application/json", "x-requested-with": "pumpwatch" },
        ...(b === undefined ? {} : { body: JSON.stringify(b) }),
      });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    [method, path, body] as const,
  );
}
