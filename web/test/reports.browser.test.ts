import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulateFleet } from "../../simulator/index.js";
import {
  call,
  chromiumPath,
  launch,
  openPage,
  SKIP_REASON,
  screenshots,
  signIn,
  type WatchedPage,
} from "./browser";
import { ADMIN, ingest, type RunningServer, startServer } from "./service";

const chromium = chromiumPath();
if (!chromium) console.warn(SKIP_REASON);
const DAY_MS = 86_400_000;
const MIN_MS = 60_000;
const NOT_FRENCH = /\b(NaN|Invalid Date|undefined|null|intervention_|pump_overhaul|meter_silence)\b/;
const bodyText = async (page: Page) => (await page.locator("main").textContent()) ?? "";

describe.skipIf(!chromium)("journal and reports in the web application", () => {
  let server: RunningServer;
  let browser: Browser;
  let deviceId = "";
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launch()]);
    const end = Math.floor(Date.now() / MIN_MS) * MIN_MS;
    const sim = simulateFleet({ seed: 19, devices: 1, days: 3, start: new Date(end - 3 * DAY_MS) });
    deviceId = sim.devices[0]?.id ?? "";
    for (const batch of sim.batches(1000)) expect((await ingest(server.url, batch)).status).toBe(200);
  }, 240_000);
  afterAll(async () => {
    for (const p of pages) await p.page.context().close();
    await browser?.close();
    await server?.stop();
  });

  async function page() {
    const watched = await openPage(browser, server.url);
    pages.push(watched);
    await signIn(watched.page, ADMIN);
    return watched;
  }

  it("lets an administrator write the journal and filters it", async () => {
    const { page: p, problems } = await page();
    await p.getByRole("link", { name: "Journal d'exploitation" }).click();
    await p.waitForURL((u) => u.pathname === "/journal");
    await p.getByRole("heading", { name: "Journal d'exploitation" }).waitFor();
    // an hour ago (the browser's clock is the machine's): inside the dashboard's 24-hour window
    const hourAgo = new Date(Date.now() - 3_600_000 - new Date().getTimezoneOffset() * 60_000);
    await p.getByLabel("Date et heure").fill(hourAgo.toISOString().slice(0, 16));
    await p.getByLabel("Nature").selectOption("cleaning");
    await p.getByLabel("Texte").fill("Nettoyage des flotteurs du poste de relevage");
    await p.getByRole("button", { name: "Ajouter au journal" }).click();
    await p.getByText("Entrée ajoutée au journal.").waitFor();
    const row = p.getByRole("row", { name: /Nettoyage des flotteurs/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Nettoyage");
    expect(await row.textContent()).toContain(ADMIN.email);
    await p.getByLabel("Afficher").selectOption("automatic");
    expect(await p.getByRole("row", { name: /Nettoyage des flotteurs/ }).count()).toBe(0);
    await p.getByLabel("Afficher").selectOption("all");
    await row.waitFor();
    const api = await call(p, "GET", `/api/journal?device_id=${deviceId}`);
    expect(api.json.entries.some((e: { text: string }) => e.text.includes("flotteurs"))).toBe(true);
    expect(await bodyText(p)).not.toMatch(NOT_FRENCH);
    await screenshots(p, "journal");
    // the entry is marked on the dashboard's chart and listed under it
    // the chart is the one of a chosen meter
    await p.goto(`/?appareil=${encodeURIComponent(deviceId)}`);
    const marks = p.getByRole("list", { name: "Entrées du journal sur la période" });
    await marks.waitFor({ timeout: 30_000 });
    expect(await marks.textContent()).toContain("Nettoyage des flotteurs du poste de relevage");
    await screenshots(p, "journal-tableau-de-bord");
    expect(problems).toEqual([]);
  }, 120_000);

  it("shows the monthly report in the page, offers the PDF and the CSV, and saves the e-mail choice", async () => {
    const { page: p, problems } = await page();
    await p.getByRole("link", { name: "Rapports" }).click();
    await p.waitForURL((u) => u.pathname === "/rapports");
    const month = new Date().toISOString().slice(0, 7);
    await p.getByLabel("Mois", { exact: true }).fill(month);
    await p.locator("iframe.report-frame").waitFor({ timeout: 60_000 });
    const download = p.getByRole("link", { name: "Télécharger le PDF" });
    expect(await download.getAttribute("href")).toBe(
      `/api/reports/monthly.pdf?device_id=${encodeURIComponent(deviceId)}&month=${month}&download=1`,
    );
    const pdf = await p.evaluate(
      async (href) => {
        const r = await fetch(href as string);
        return {
          status: r.status,
          type: r.headers.get("content-type"),
          disposition: r.headers.get("content-disposition"),
        };
      },
      await download.getAttribute("href"),
    );
    expect(pdf).toMatchObject({ status: 200, type: "application/pdf" });
    expect(pdf.disposition).toMatch(/^attachment; filename="rapport_mensuel_/);
    expect(await p.getByRole("link", { name: "Données journalières (CSV)" }).getAttribute("href")).toContain(
      "/api/reports/daily.csv?",
    );
    await screenshots(p, "rapports");
    // a month not begun yet: the service's French refusal, in the page
    await p.getByLabel("Mois", { exact: true }).fill("2099-01");
    await p.getByText("Ce mois n'a pas encore commencé.").waitFor();
    await p
      .getByLabel("Recevoir le rapport mensuel de mes sites par e-mail le 1er du mois (PDF joint)")
      .check();
    await p.getByText("Vous recevrez le rapport mensuel de vos sites le 1er de chaque mois.").waitFor();
    expect((await call(p, "GET", "/api/reports/preferences/me")).json).toEqual({ monthly_email: true });
    expect(await bodyText(p)).not.toMatch(NOT_FRENCH);
    // the one refusal asked for above (the future month) is an answer of the API, not a fault of the page
    expect(problems.filter((x) => !x.includes("status of 400"))).toEqual([]);
  });
});
