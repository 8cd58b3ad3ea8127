import { describe, expect, it } from "vitest";
import { simulateFleet } from "../../simulator/index.js";
import { call, chromiumPath, SKIP_REASON, screenshots } from "./browser";
import { ADMIN } from "./service";
import { ingestAll, useBrowserSuite } from "./suite";

const chromium = chromiumPath();
if (!chromium) console.warn(SKIP_REASON);

const DAY_MS = 86_400_000;
const OPERATOR = { email: "exploitant@filtreplante.test", password: "mot-de-passe-exploitant" };

/** Issue 18's screens: sites and where the meters are, roles and sites of the accounts, the fleet by site. */
describe.skipIf(!chromium)("sites and access screens", () => {
  let meters: string[] = [];
  const suite = useBrowserSuite({
    async fill(server) {
      const sim = simulateFleet({ seed: 18, devices: 3, days: 1, start: new Date(Date.now() - DAY_MS) });
      meters = sim.devices.map((d) => d.id);
      await ingestAll(server, sim.batches(1000));
    },
  });
  const page = (who = ADMIN) => suite.page(who);

  it("creates two sites in two zones, refuses an unknown zone, edits one and places the meters", async () => {
    const { page: p, problems } = await page();
    await p.goto("/admin/sites");
    await expect.poll(() => p.getByRole("heading", { level: 1 }).textContent()).toBe("Sites");
    await expect.poll(() => p.getByText("Aucun site : tous les compteurs").isVisible()).toBe(true);

    // a zone that does not exist: the field says so, nothing is sent
    const sent: string[] = [];
    p.on("request", (r) => {
      if (r.method() !== "GET" && r.url().includes("/api/admin/sites")) sent.push(r.url());
    });
    await p.getByLabel("Nom de la station *").fill("Station de Nianing");
    await p.getByLabel("Fuseau horaire (IANA) *").fill("Afrique/Dakar");
    await p.getByRole("button", { name: "Enregistrer" }).click();
    await expect
      .poll(() => p.locator("#site-timeZone-error").textContent())
      .toContain("Fuseau horaire inconnu");
    expect(sent).toEqual([]);
    await screenshots(p, "sites-erreur");

    await p.getByLabel("Fuseau horaire (IANA) *").fill("Africa/Dakar");
    await p.getByLabel("Équivalent-habitants (EH)").fill("1 200");
    await p.getByLabel("Code SANDRE de la station").fill("SN0001");
    await p.getByLabel("Localisation").fill("Nianing, Mbour");
    await p.getByLabel("Latitude (°)").fill("14,43");
    await p.getByLabel("Longitude (°)").fill("-16,95");
    await p.getByLabel("Surfaces des étages de filtres (m²)").fill("120 ; 80");
    await p.getByRole("button", { name: "Enregistrer" }).click();
    await expect.poll(() => p.getByRole("status").first().textContent()).toContain("Station de Nianing");
    expect(sent).toHaveLength(1);

    await p.getByLabel("Nom de la station *").fill("Hôtel des Pins");
    await p.getByLabel("Fuseau horaire (IANA) *").fill("Europe/Paris");
    await p.getByRole("button", { name: "Enregistrer" }).click();
    await expect.poll(() => p.getByTestId("site-row").count()).toBe(2);

    // the service's answer, as the API has it
    const listed = await call(p, "GET", "/api/sites");
    const nianing = listed.json.sites.find((s: { name: string }) => s.name === "Station de Nianing");
    expect(nianing).toMatchObject({
      time_zone: "Africa/Dakar",
      population_equivalent: 1200,
      sandre_code: "SN0001",
      location: "Nianing, Mbour",
      latitude: 14.43,
      longitude: -16.95,
      filter_stage_surfaces_m2: [120, 80],
    });

    // edit: the form comes back filled, a change of location keeps the rest
    await p.getByRole("button", { name: "Modifier Hôtel des Pins" }).click();
    expect(await p.getByLabel("Fuseau horaire (IANA) *").inputValue()).toBe("Europe/Paris");
    await p.getByLabel("Localisation").fill("Saint-Jean-de-Luz");
    await p.getByRole("button", { name: "Enregistrer" }).click();
    await expect
      .poll(() => p.getByTestId("site-row").filter({ hasText: "Hôtel des Pins" }).textContent())
      .toContain("Saint-Jean-de-Luz");

    // placement: two meters in Senegal, one in France
    const place = async (meter: string, site: string) => {
      await p.getByLabel(`Site de ${meter}`).selectOption({ label: site });
      await p.getByRole("button", { name: `Placer ${meter}` }).click();
      await expect.poll(() => p.getByRole("status").first().textContent()).toContain(meter);
    };
    await place(meters[0] ?? "", "Station de Nianing (Africa/Dakar)");
    await place(meters[1] ?? "", "Station de Nianing (Africa/Dakar)");
    await place(meters[2] ?? "", "Hôtel des Pins (Europe/Paris)");
    await expect
      .poll(() => p.getByTestId("site-row").filter({ hasText: "Hôtel des Pins" }).textContent())
      .toContain(meters[2] ?? "");
    await screenshots(p, "sites");

    // a site that still has meters cannot be deleted: the service's 409 is shown
    const row = p.getByTestId("site-row").filter({ hasText: "Hôtel des Pins" });
    await row.getByRole("button", { name: "Supprimer Hôtel des Pins" }).click();
    await row.getByRole("button", { name: "Confirmer" }).click();
    await expect.poll(() => p.getByRole("alert").first().textContent()).toMatch(/compteur/i);
    expect(await p.getByTestId("site-row").count()).toBe(2);
    expect(problems).toEqual([]);
  });

  it("creates an operator restricted to one site, and changes a viewer's access", async () => {
    const { page: p, problems } = await page();
    await p.goto("/admin/utilisateurs");
    await p.getByLabel("E-mail").fill(OPERATOR.email);
    await p.getByLabel("Rôle").selectOption("operator");
    await p.getByLabel("Tous les sites").uncheck();
    await p.getByLabel("Hôtel des Pins (Europe/Paris)").check();
    await p.getByLabel("Mot de passe initial").fill(OPERATOR.password);
    await p.getByRole("button", { name: "Créer le compte" }).click();
    const row = p.locator("tbody tr").filter({ hasText: OPERATOR.email });
    await expect.poll(() => row.getByTestId("user-sites").textContent()).toBe("Hôtel des Pins");
    expect(await row.textContent()).toContain("exploitant");

    // an administrator sees every site: choosing the role hides the list
    await p.getByLabel("Rôle").selectOption("admin");
    expect(await p.getByText("Un administrateur voit tous les sites.").isVisible()).toBe(true);
    await p.getByLabel("Rôle").selectOption("viewer");

    // a second account, then its access changed in place: viewer of Nianing only
    await p.getByLabel("E-mail").fill("lecteur@filtreplante.test");
    await p.getByLabel("Mot de passe initial").fill("mot-de-passe-lecteur");
    await p.getByRole("button", { name: "Créer le compte" }).click();
    const viewer = p.locator("tbody tr:not(.access-row)").filter({ hasText: "lecteur@filtreplante.test" });
    await expect.poll(() => viewer.getByTestId("user-sites").textContent()).toBe("Tous les sites");
    await viewer.getByRole("button", { name: "Modifier l'accès" }).click();
    const editor = p.getByTestId("access-editor");
    expect(await editor.getByRole("heading").textContent()).toBe("Accès de lecteur@filtreplante.test");
    await editor.getByLabel("Tous les sites").uncheck();
    await editor.getByLabel("Station de Nianing (Africa/Dakar)").check();
    await screenshots(p, "utilisateurs-acces");
    await editor.getByRole("button", { name: "Enregistrer" }).click();
    await expect.poll(() => viewer.getByTestId("user-sites").textContent()).toBe("Station de Nianing");
    expect(await viewer.textContent()).toContain("lecteur");
    await screenshots(p, "utilisateurs");
    const users = await call(p, "GET", "/api/admin/users");
    const accounts = users.json.users as { email: string; site_ids: number[] | null }[];
    const byEmail = new Map(accounts.map((u) => [u.email, u]));
    const sites = (await call(p, "GET", "/api/sites")).json.sites as { id: number; name: string }[];
    const idOf = (name: string) => sites.find((s) => s.name === name)?.id;
    expect(byEmail.get(OPERATOR.email)?.site_ids).toEqual([idOf("Hôtel des Pins")]);
    expect(byEmail.get("lecteur@filtreplante.test")?.site_ids).toEqual([idOf("Station de Nianing")]);
    expect(byEmail.get(ADMIN.email)?.site_ids).toBeNull();
    expect(problems).toEqual([]);
  });

  it("groups the fleet by site for the administrator, and shows a restricted operator its site only", async () => {
    const admin = await page();
    await expect.poll(() => admin.page.getByTestId("fleet-site").count()).toBe(2);
    const groups = admin.page.getByTestId("fleet-site");
    expect(await groups.nth(0).getByRole("heading", { level: 3 }).textContent()).toContain("Hôtel des Pins");
    expect(await groups.nth(0).getByTestId("fleet-tile").count()).toBe(1);
    expect(await groups.nth(1).getByRole("heading", { level: 3 }).textContent()).toContain(
      "Station de Nianing",
    );
    expect(await groups.nth(1).getByTestId("fleet-tile").count()).toBe(2);
    expect(await groups.nth(1).textContent()).toContain("Africa/Dakar");
    await screenshots(admin.page, "parc-par-site");
    expect(admin.problems).toEqual([]);

    const operator = await page(OPERATOR);
    await expect.poll(() => operator.page.getByTestId("fleet-site").count()).toBe(1);
    expect(await operator.page.getByTestId("fleet-tile").count()).toBe(1);
    const body = (await operator.page.locator("main").textContent()) ?? "";
    expect(body).toContain("Hôtel des Pins");
    expect(body).not.toContain("Nianing");
    for (const m of meters.slice(0, 2)) expect(body).not.toContain(m);
    expect(await operator.page.getByRole("link", { name: "Administration" }).count()).toBe(0);
    await screenshots(operator.page, "parc-exploitant");
    await operator.page.goto("/admin/sites");
    await expect
      .poll(() => operator.page.getByRole("heading", { level: 1 }).textContent())
      .toBe("Accès réservé aux administrateurs.");
    expect(operator.problems).toEqual([]);
  });
});
