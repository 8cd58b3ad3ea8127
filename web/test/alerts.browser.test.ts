import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { simulateFleet } from "../../simulator/index.js";
import { call, chromiumPath, SKIP_REASON, screenshots } from "./browser";
import { ADMIN } from "./service";
import { ingestAll, useBrowserSuite } from "./suite";

const chromium = chromiumPath();
if (!chromium) console.warn(SKIP_REASON);

const DAY_MS = 86_400_000;
const MIN_MS = 60_000;
const VIEWER = { email: "lecteur@filtreplante.test", password: "mot-de-passe-lecteur" };
const NAME = "Station Ngor";
const OFFLINE_NAME = "Station Yoff";
/** what the service answers in a page is French: none of these words of its API or of a broken format */
const NOT_FRENCH =
  /\b(NaN|Invalid Date|undefined|null|open|acknowledged|resolved|critical|warning|learned|override)\b/;
/** an evaluation round runs after each cycle refresh (every 5 s) and every minute: generous, not timed */
const RAISED = { timeout: 90_000, interval: 500 };

interface ApiAlert {
  id: string;
  rule: string;
  channel: number | null;
  state: string;
  device_id: string;
}

const bodyText = async (page: Page) => (await page.locator("main").textContent()) ?? "";

describe.skipIf(!chromium)("alerts in the web application", () => {
  let deviceId = "";
  let offlineId = "";
  const suite = useBrowserSuite({
    async fill(server) {
      // Two days that end at this minute (a meter that reports every minute is judged at its last reading,
      // and alerts open only within 10 minutes of now), the voltage at 195 V for the last 30 minutes (every
      // channel, warning); the newest batch goes first, so that no round sees this meter silent for two days.
      const end = Math.floor(Date.now() / MIN_MS) * MIN_MS;
      const sim = simulateFleet({
        seed: 21,
        devices: 1,
        days: 2,
        start: new Date(end - 2 * DAY_MS),
        faults: [{ kind: "low_voltage", at: new Date(end - 30 * MIN_MS), minutes: 30 }],
      });
      deviceId = sim.devices[0]?.id ?? "";
      const batches = [...sim.batches(1000)];
      await ingestAll(server, [...batches.slice(-1), ...batches.slice(0, -1)]);
      // A second meter silent for the last 15 minutes: offline (critical), judged on the clock.
      const silent = simulateFleet({
        seed: 22,
        devices: 1,
        days: 1,
        start: new Date(end - 15 * MIN_MS - DAY_MS),
      });
      offlineId = silent.devices[0]?.id ?? "";
      const quiet = [...silent.batches(1000)];
      await ingestAll(server, [...quiet.slice(-1), ...quiet.slice(0, -1)]);
    },
  });
  const page = (who = ADMIN, viewport?: { width: number; height: number }) => suite.page(who, viewport);
  const openAlerts = async (p: Page): Promise<ApiAlert[]> =>
    (await call(p, "GET", "/api/alerts?state=open&limit=1000")).json.alerts;
  const header = (p: Page) => p.getByTestId("alert-count").textContent();
  const openTotal = async (p: Page): Promise<number> =>
    (await call(p, "GET", "/api/alerts?state=open&limit=1")).json.total;

  it("raises the faults' alerts, and the header counts the open ones", { timeout: 180_000 }, async () => {
    const { page: p, problems } = await page();
    expect((await call(p, "PUT", `/api/admin/devices/${deviceId}`, { name: NAME })).status).toBe(200);
    expect((await call(p, "PUT", `/api/admin/devices/${offlineId}`, { name: OFFLINE_NAME })).status).toBe(
      200,
    );
    const r = await call(p, "POST", "/api/admin/users", { ...VIEWER, role: "operator" });
    expect(r.status).toBe(201);
    await expect
      .poll(async () => {
        const all = await openAlerts(p);
        return [
          all.some((a) => a.device_id === offlineId && a.rule === "meter_offline" && a.channel === null),
          // the low voltage is the meter's: one alert, channel null, not one per channel (issue 21)
          all.filter((a) => a.device_id === deviceId && a.rule === "voltage").map((a) => a.channel),
        ];
      }, RAISED)
      .toEqual([true, [null]]);
    expect((await openTotal(p)) >= 2).toBe(true);
    await p.reload();
    // the header shows what the API counts (polled: a round may open or close one meanwhile)
    await expect.poll(async () => (await header(p)) === String(await openTotal(p)), RAISED).toBe(true);
    const n = Number(await header(p));
    const link = p.getByRole("link", { name: /^Alertes : \d+ alertes ouvertes$/ });
    expect(await link.getAttribute("aria-label")).toBe(`Alertes : ${n} alertes ouvertes`);
    // the fleet's tile carries a marker
    await expect
      .poll(async () => {
        const marks = await p.getByTestId("fleet-alerts").allTextContents();
        return marks.reduce((sum, m) => sum + Number.parseInt(m, 10), 0) === (await openTotal(p));
      })
      .toBe(true);
    await screenshots(p, "alertes-tableau-de-bord");
    expect(problems).toEqual([]);
  });

  it("lists the alerts in French, with names, times in the site's zone and units", async () => {
    const { page: p, problems } = await page();
    await p.getByTestId("alert-count").click();
    await p.waitForURL((u) => u.pathname === "/alertes" && u.searchParams.get("etat") === "ouvertes");
    await expect.poll(() => p.getByTestId("alert-item").count(), RAISED).toBeGreaterThanOrEqual(2);
    const cycle = p.getByTestId("alert-item").filter({ hasText: "Compteur hors ligne" });
    expect(await cycle.count()).toBe(1);
    const text = (await cycle.textContent()) ?? "";
    expect(text).toContain("Critique");
    expect(text).toContain(`${OFFLINE_NAME} · tout le compteur`);
    expect(text).toMatch(/Depuis le \d{2}\/\d{2}\/\d{4} à \d{2}h\d{2}, toujours en cours/);
    expect(text).toMatch(/Valeur : 1\d min · seuil : 10 min/);
    const voltage = p.getByTestId("alert-item").filter({ hasText: "Tension anormale" });
    expect(await voltage.count()).toBe(1);
    expect((await voltage.first().textContent()) ?? "").toMatch(
      /Avertissement.*Valeur : 19\d(,\d)? V · seuil : 207 V/,
    );
    expect((await voltage.first().textContent()) ?? "").toContain(`${NAME} · tout le compteur`);
    expect(await bodyText(p)).not.toMatch(NOT_FRENCH);
    await screenshots(p, "alertes-liste");
    // the dashboard at the alert's time
    await cycle.getByRole("link", { name: "Voir sur le tableau de bord" }).click();
    await p.waitForURL((u) => u.pathname === "/" && u.searchParams.get("appareil") === offlineId);
    // a meter-wide alert: every channel
    expect(new URL(p.url()).searchParams.get("canal")).toBeNull();
    expect(await p.getByRole("heading", { level: 1 }).textContent()).toBe("Tableau de bord");
    expect(problems).toEqual([]);
  });

  it("filters by rule, state, device and period, kept in the URL", async () => {
    const { page: p, problems } = await page();
    await p.goto("/alertes");
    await expect.poll(() => p.getByTestId("alert-item").count(), RAISED).toBeGreaterThanOrEqual(2);
    await p.getByLabel("Règle", { exact: true }).selectOption({ label: "Compteur hors ligne" });
    await p.waitForURL((u) => u.searchParams.get("regle") === "meter_offline");
    await expect.poll(() => p.getByTestId("alert-item").count()).toBe(1);
    await p.getByLabel("Appareil", { exact: true }).selectOption({ label: NAME });
    await p.getByLabel("Canal", { exact: true }).selectOption("3");
    await expect.poll(() => p.getByText("Aucune alerte pour ces filtres.").isVisible()).toBe(true);
    await p.reload();
    expect(await p.getByLabel("Règle", { exact: true }).inputValue()).toBe("meter_offline");
    expect(await p.getByLabel("Canal", { exact: true }).inputValue()).toBe("3");
    await expect.poll(() => p.getByText("Aucune alerte pour ces filtres.").isVisible()).toBe(true);
    await p.getByRole("button", { name: "Effacer les filtres" }).click();
    await p.waitForURL((u) => u.search === "");
    await p.getByLabel("Règle", { exact: true }).selectOption({ label: "Tension anormale" });
    await p.getByLabel("État", { exact: true }).selectOption({ label: "Résolues" });
    await expect.poll(() => p.getByText("Aucune alerte pour ces filtres.").isVisible()).toBe(true);
    await p.getByLabel("État", { exact: true }).selectOption({ label: "Ouvertes (non acquittées)" });
    await expect.poll(() => p.getByTestId("alert-item").count()).toBe(1);
    // a period before the data: nothing
    await p.goto("/alertes?du=2020-01-01&au=2020-01-31");
    await expect.poll(() => p.getByText("Aucune alerte pour ces filtres.").isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  it("lets an operator acknowledge with a comment: the header's count goes down, the alert says who and when", async () => {
    const { page: p, problems } = await page(VIEWER);
    await expect.poll(async () => /^\d+$/.test((await header(p)) ?? "")).toBe(true);
    const before = Number(await header(p));
    await p.goto("/alertes?regle=meter_offline");
    const item = p.getByTestId("alert-item").first();
    await item.getByRole("button", { name: "Acquitter" }).click();
    await item.getByLabel(/Commentaire/).fill("Pompe débloquée par Moussa");
    await item.getByRole("button", { name: "Confirmer l'acquittement" }).click();
    await expect.poll(() => item.getByTestId("alert-state").textContent()).toBe("acquittée");
    expect((await item.textContent()) ?? "").toMatch(
      new RegExp(
        `Acquittée par ${VIEWER.email} le \\d{2}/\\d{2}/\\d{4} à \\d{2}h\\d{2} : « Pompe débloquée par Moussa »`,
      ),
    );
    await expect.poll(async () => (await header(p)) === String(await openTotal(p)), RAISED).toBe(true);
    expect(Number(await header(p))).toBeLessThan(before);
    const stored = (await call(p, "GET", "/api/alerts?state=acknowledged&rule=meter_offline")).json.alerts;
    expect(stored.map((a: { comment: string }) => a.comment)).toEqual(["Pompe débloquée par Moussa"]);
    await screenshots(p, "alertes-acquittee");
    expect(problems).toEqual([]);
  });

  it("shows a viewer the rules read-only", async () => {
    const { page: p, problems } = await page(VIEWER);
    await p.goto(`/alertes/regles/${deviceId}`);
    await expect.poll(() => p.getByTestId("rule-row").count()).toBe(25);
    expect(await p.getByRole("button", { name: /^Modifier/ }).count()).toBe(0);
    expect(await p.getByText("Seul un administrateur peut les modifier.").isVisible()).toBe(true);
    // two days of history: the defaults apply, and the screen says so
    expect(await p.getByText(/Apprentissage en cours/).isVisible()).toBe(true);
    const row = p.locator('[data-testid="rule-row"][data-rule="voltage"]').first();
    expect((await row.textContent()) ?? "").toMatch(/Tension anormale.*207 V.*défaut.*apprentissage/);
    expect(await bodyText(p)).not.toMatch(NOT_FRENCH);
    expect(await p.getByRole("form", { name: "Planifier une maintenance" }).count()).toBe(0);
    const refused = await call(p, "PUT", `/api/alerts/rules/${deviceId}`, {
      channel: 0,
      rule: "voltage",
      enabled: true,
      threshold: 150,
    });
    expect(refused.status).toBe(403);
    await screenshots(p, "alertes-regles-lecteur");
    expect(problems).toEqual([]);
  });

  it("previews what a new threshold would have raised over the last month, then saves it", async () => {
    const { page: p, problems } = await page();
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Africa/Dakar" }).format(new Date());
    const from = new Date(Date.parse(today) - 30 * DAY_MS).toISOString().slice(0, 10);
    const count = async (extra: string) =>
      (
        await call(
          p,
          "GET",
          `/api/alerts/backtest?device_id=${deviceId}&channel=0&from=${from}&to=${today}${extra}`,
        )
      ).json.alerts.filter((a: ApiAlert) => a.rule === "voltage" && a.channel === 0).length as number;
    const current = await count("");
    // the fault of the last 30 minutes is in the replay
    expect(current).toBeGreaterThanOrEqual(1);

    await p.goto(`/alertes/regles/${deviceId}`);
    const row = p.locator('[data-testid="rule-row"][data-rule="voltage"]').first();
    await row.getByRole("button", { name: /^Modifier Tension anormale/ }).click();
    const threshold = p.getByLabel("Seuil (V)");
    expect(await threshold.inputValue()).toBe("207");
    await threshold.fill("150");
    const sentence = p.getByTestId("backtest-sentence");
    // 195 V is above 150 V: the fault raises nothing with that value
    expect(await count("&rule=voltage&threshold=150")).toBe(0);
    await expect
      .poll(() => sentence.textContent(), RAISED)
      .toBe(`Avec cette valeur : aucune alerte le mois dernier au lieu de ${current}.`);
    await threshold.fill("abc");
    expect(await p.getByText("Saisissez un nombre positif, par exemple 12 ou 3,5.").isVisible()).toBe(true);
    await threshold.fill("150");
    await screenshots(p, "alertes-regles-apercu");
    await p.getByRole("button", { name: "Enregistrer" }).click();
    await expect.poll(() => p.getByText(/Tension anormale \(.*\) : enregistré\./).isVisible()).toBe(true);
    // forced, with the learned (here default) value beside it
    expect((await row.textContent()) ?? "").toMatch(/Tension anormale.*150 V.*207 V.*forcé/);
    const rules = (await call(p, "GET", `/api/alerts/rules/${deviceId}`)).json.rules;
    expect(rules.find((r: ApiAlert) => r.rule === "voltage" && r.channel === 0)).toMatchObject({
      threshold: 150,
      learned_threshold: 207,
      source: "override",
    });
    expect(problems).toEqual([]);
  });

  it("plans a maintenance window and shows it as under way", async () => {
    const { page: p, problems } = await page();
    await p.goto(`/alertes/regles/${deviceId}`);
    await expect.poll(() => p.getByText("Aucune maintenance en cours ou prévue.").isVisible()).toBe(true);
    await p.getByLabel("Motif").fill("Curage du poste");
    await p.getByRole("button", { name: "Planifier la maintenance" }).click();
    await expect.poll(() => p.getByText("Maintenance en cours").isVisible()).toBe(true);
    expect((await p.getByTestId("maintenance-list").textContent()) ?? "").toMatch(
      /en cours.*Tout le compteur : du \d{2}\/\d{2}\/\d{4} à \d{2}h\d{2} au .* — Curage du poste/,
    );
    const windows = (await call(p, "GET", `/api/alerts/maintenance/${deviceId}`)).json.windows;
    expect(windows).toHaveLength(1);
    expect(windows[0]).toMatchObject({ channel: null, reason: "Curage du poste", created_by: ADMIN.email });
    // two hours, from this minute of the site's clock
    expect(Date.parse(windows[0].ends_at) - Date.parse(windows[0].starts_at)).toBe(2 * 3_600_000);
    await p.reload();
    await expect.poll(() => p.getByText("Maintenance en cours").isVisible()).toBe(true);
    await screenshots(p, "alertes-maintenance");
    expect(problems).toEqual([]);
  });

  it("puts a banner on the device's dashboard that leads to its open alerts", async () => {
    const { page: p, problems } = await page();
    const mine = (await openAlerts(p)).filter((a) => a.device_id === deviceId).length;
    await p.goto(`/?appareil=${deviceId}`);
    const banner = p.getByTestId("alert-banner");
    await expect.poll(() => banner.isVisible()).toBe(true);
    const text = (await banner.textContent()) ?? "";
    expect(text).toContain(`${mine} alertes ouvertes sur ${NAME}`);
    expect(text).toContain("Tension anormale");
    // the acknowledged one is no longer "open"
    expect(text).not.toContain("Compteur hors ligne");
    await screenshots(p, "alertes-bandeau");
    await banner.getByRole("link", { name: "Voir les alertes de cet appareil" }).click();
    await p.waitForURL((u) => u.pathname === "/alertes" && u.searchParams.get("appareil") === deviceId);
    await expect.poll(() => p.getByTestId("alert-item").count()).toBe(mine);
    expect(problems).toEqual([]);
  });

  it("lists the failed notification deliveries for an administrator only", async () => {
    const admin = await page();
    await admin.page.goto("/alertes");
    await expect
      .poll(() => admin.page.getByRole("heading", { name: "Envois de notifications en échec" }).isVisible())
      .toBe(true);
    // no webhook or SMTP in this service: nothing was sent, so nothing failed
    expect((await call(admin.page, "GET", "/api/alerts/deliveries?state=failed")).json.total).toBe(0);
    await expect
      .poll(() =>
        admin.page.getByText("Aucun envoi en échec : toutes les notifications sont parties.").isVisible(),
      )
      .toBe(true);
    const viewer = await page(VIEWER);
    await viewer.page.goto("/alertes");
    await expect.poll(() => viewer.page.getByTestId("alert-item").count()).toBeGreaterThan(0);
    expect(await viewer.page.getByRole("heading", { name: "Envois de notifications en échec" }).count()).toBe(
      0,
    );
    expect(admin.problems).toEqual([]);
    expect(viewer.problems).toEqual([]);
  });

  it("offers « Mes notifications » to every user, the webhook to administrators only", async () => {
    const { page: p, problems } = await page(VIEWER);
    await p.goto("/alertes");
    await p.getByRole("link", { name: "Mes notifications" }).click();
    await p.waitForURL((u) => u.pathname === "/notifications");
    await expect.poll(() => p.getByLabel(/Recevoir les alertes par e-mail/).isVisible()).toBe(true);
    // the defaults of a user who never saved: e-mail on, both severities, every site, no digest
    expect(await p.getByLabel(/Recevoir les alertes par e-mail/).isChecked()).toBe(true);
    expect(await p.getByLabel(/Tous les sites/).isChecked()).toBe(true);
    expect(await p.getByLabel(/Recevoir un résumé quotidien/).isChecked()).toBe(false);
    expect(await p.getByRole("heading", { name: "Webhook (administrateur)" }).count()).toBe(0);
    expect(await bodyText(p)).not.toMatch(NOT_FRENCH);
    await screenshots(p, "alertes-notifications-lecteur");
    expect(problems).toEqual([]);
  });

  it("saves a user's notification choices and an administrator's webhook", async () => {
    const { page: p, problems } = await page();
    await p.goto("/notifications");
    await p.getByLabel(/Recevoir les alertes par e-mail/).check();
    await p.getByLabel(/Avertissements/).uncheck();
    await p.getByLabel(/Tous les sites/).uncheck();
    // every site stays chosen until one is unticked
    expect(await p.getByLabel(OFFLINE_NAME).isChecked()).toBe(true);
    await p.getByLabel(OFFLINE_NAME).uncheck();
    await p.getByLabel(/Recevoir un résumé quotidien/).check();
    await p.getByRole("button", { name: "Enregistrer" }).first().click();
    await expect
      .poll(() => p.getByText("Vos préférences de notification sont enregistrées.").isVisible())
      .toBe(true);
    const me = (await call(p, "GET", "/api/alerts/notifications/me")).json;
    expect(me).toMatchObject({
      email: ADMIN.email,
      email_enabled: true,
      severities: ["critical"],
      device_ids: [deviceId],
      digest: true,
    });
    await p.getByLabel("Adresse (https://…)").fill("https://exemple.test/pumpwatch");
    await p.getByLabel("Secret de signature").fill("secret-de-test-0123456789");
    await p.getByLabel("Envoyer les alertes à ce webhook").check();
    await p.getByRole("button", { name: "Enregistrer" }).last().click();
    await expect.poll(() => p.getByText("Webhook enregistré.").isVisible()).toBe(true);
    expect((await call(p, "GET", "/api/alerts/webhook")).json).toEqual({
      url: "https://exemple.test/pumpwatch",
      enabled: true,
      secret_set: true,
    });
    await p.reload();
    await expect
      .poll(() => p.getByText("Un secret est enregistré : laissez vide pour le garder.").isVisible())
      .toBe(true);
    await screenshots(p, "alertes-notifications");
    expect(problems).toEqual([]);
  });
});
