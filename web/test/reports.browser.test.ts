import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { call, chromiumPath, SKIP_REASON, screenshots } from "./browser";
import { ADMIN } from "./service";
import { useBrowserSuite } from "./suite";

const chromium = chromiumPath();
if (!chromium) console.warn(SKIP_REASON);
const NOT_FRENCH = /\b(NaN|Invalid Date|undefined|null|intervention_|pump_overhaul|meter_silence)\b/;
const bodyText = async (page: Page) => (await page.locator("main").textContent()) ?? "";
const OPERATOR = { email: "exploitant@filtreplante.test", password: "mot-de-passe-exploitant" };

describe.skipIf(!chromium)("journal and reports in the web application", () => {
  const suite = useBrowserSuite({ seed: 19, devices: 1, days: 3 });
  const page = () => suite.page();
  let deviceId = "";
  beforeAll(() => {
    deviceId = suite.deviceIds[0] ?? "";
  });

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

  it("reports on a whole site, chosen in the page", async () => {
    const { page: p, problems } = await page();
    const created = await call(p, "POST", "/api/admin/sites", {
      name: "Station Ngor",
      time_zone: "Africa/Dakar",
    });
    expect(created.status).toBe(201);
    const siteId = created.json.id as number;
    const moved = await call(p, "PUT", `/api/admin/devices/${deviceId}/site`, { site_id: siteId });
    expect(moved.status).toBe(200);
    await p.goto("/rapports");
    const target = p.getByLabel("Site ou compteur");
    await target.waitFor();
    // a site comes first and is chosen by default; its meters stay choosable one by one
    await p.getByRole("link", { name: "Télécharger le PDF" }).waitFor();
    expect(await target.inputValue()).toBe(`site:${siteId}`);
    expect(await target.locator("option").allTextContents()).toContain(
      "Site Station Ngor (tous ses compteurs)",
    );
    const month = new Date().toISOString().slice(0, 7);
    await p.getByLabel("Mois", { exact: true }).fill(month);
    const download = p.getByRole("link", { name: "Télécharger le PDF" });
    await p.waitForFunction(
      (m) => document.querySelector("a.button--primary")?.getAttribute("href")?.includes(`month=${m}`),
      month,
    );
    expect(await download.getAttribute("href")).toBe(
      `/api/reports/monthly.pdf?site_id=${siteId}&month=${month}&download=1`,
    );
    await p.locator("iframe.report-frame").waitFor({ timeout: 60_000 });
    await p.getByLabel("Rapport", { exact: true }).selectOption("annual");
    await p.getByLabel("Année").fill(month.slice(0, 4));
    await p.waitForFunction(() =>
      document.querySelector("a.button--primary")?.getAttribute("href")?.includes("annual.pdf"),
    );
    expect(await download.getAttribute("href")).toBe(
      `/api/reports/annual.pdf?site_id=${siteId}&year=${month.slice(0, 4)}&download=1`,
    );
    expect(await p.getByRole("link", { name: "Données journalières (CSV)" }).getAttribute("href")).toBe(
      `/api/reports/daily.csv?site_id=${siteId}&from=${month.slice(0, 4)}-01-01&to=${month.slice(0, 4)}-12-31`,
    );
    await p.locator("iframe.report-frame").waitFor({ timeout: 60_000 });
    await target.selectOption(`device:${deviceId}`);
    await p.waitForFunction(() =>
      document.querySelector("a.button--primary")?.getAttribute("href")?.includes("device_id="),
    );
    await screenshots(p, "rapports-site");
    expect(await bodyText(p)).not.toMatch(NOT_FRENCH);
    expect(problems).toEqual([]);
  }, 120_000);

  it("lets the author or an administrator edit and delete a written entry, and no one else", async () => {
    const admin = await page();
    const sites = (await call(admin.page, "GET", "/api/sites")).json.sites as { id: number }[];
    const created = await call(admin.page, "POST", "/api/admin/users", {
      email: OPERATOR.email,
      role: "operator",
      site_ids: sites.map((s) => s.id),
      password: OPERATOR.password,
    });
    expect(created.status).toBe(201);
    const { page: p, problems } = await suite.page(OPERATOR);
    await p.goto("/journal");
    await p.getByRole("heading", { name: "Nouvelle entrée" }).waitFor();
    await p.getByLabel("Nature").selectOption("visit");
    await p.getByLabel("Texte").fill("Visite du poste : trappe graissée");
    await p.getByRole("button", { name: "Ajouter au journal" }).click();
    await p.getByText("Entrée ajoutée au journal.").waitFor();
    const mine = p.getByRole("row", { name: /trappe graissée/ });
    await mine.waitFor();
    // the administrator's entry (first test) is listed, without buttons for this operator
    const theirs = p.getByRole("row", { name: /Nettoyage des flotteurs/ });
    await theirs.waitFor();
    expect(await theirs.getByRole("button").count()).toBe(0);
    // edit: the form comes back filled in; the new text replaces the old
    await mine.getByRole("button", { name: /^Modifier l'entrée du / }).click();
    await p.getByRole("heading", { name: "Modifier l'entrée" }).waitFor();
    const text = p.locator("#j-edit-text");
    expect(await text.inputValue()).toBe("Visite du poste : trappe graissée");
    await text.fill("Visite du poste : trappe graissée, flotteur nettoyé");
    await p.getByRole("button", { name: "Enregistrer" }).click();
    await p.getByText("Entrée modifiée.").waitFor();
    await p.getByRole("row", { name: /flotteur nettoyé/ }).waitFor();
    await screenshots(p, "journal-modifier");
    // delete: asked first, then gone
    const edited = p.getByRole("row", { name: /flotteur nettoyé/ });
    await edited.getByRole("button", { name: /^Supprimer l'entrée du / }).click();
    await edited.getByText("Supprimer cette entrée ?").waitFor();
    await edited.getByRole("button", { name: "Supprimer", exact: true }).click();
    await p.getByText("Entrée supprimée.").waitFor();
    await p.getByRole("row", { name: /trappe graissée/ }).waitFor({ state: "detached" });
    const api = (await call(p, "GET", `/api/journal?device_id=${deviceId}`)).json.entries as {
      text: string;
    }[];
    expect(api.some((e) => e.text.includes("trappe"))).toBe(false);
    // the administrator may edit any entry: the buttons are there on the operator's and its own
    await admin.page.goto("/journal");
    const adminRow = admin.page.getByRole("row", { name: /Nettoyage des flotteurs/ });
    await adminRow.waitFor();
    expect(await adminRow.getByRole("button", { name: /^Modifier l'entrée du / }).count()).toBe(1);
    expect(await bodyText(p)).not.toMatch(NOT_FRENCH);
    expect(problems).toEqual([]);
    expect(admin.problems).toEqual([]);
  }, 120_000);
});
