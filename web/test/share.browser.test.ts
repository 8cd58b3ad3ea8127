import { describe, expect, it } from "vitest";
import { simulateFleet } from "../../simulator/index.js";
import { call, chromiumPath, SKIP_REASON, screenshots, signIn } from "./browser";
import { ADMIN } from "./service";
import { ingestAll, useBrowserSuite } from "./suite";

const chromium = chromiumPath();
if (!chromium) console.warn(SKIP_REASON);

const DAY_MS = 86_400_000;

/**
 * Issue 18 item 5 (decision 0018): an administrator shares one site read-only; a browser with no account opens
 * the link and sees that site only, with the banner; once revoked, the link shows the French page.
 */
describe.skipIf(!chromium)("read-only share links", () => {
  let meters: string[] = [];
  const suite = useBrowserSuite({
    async fill(server) {
      const sim = simulateFleet({ seed: 185, devices: 2, days: 1, start: new Date(Date.now() - DAY_MS) });
      meters = sim.devices.map((d) => d.id);
      await ingestAll(server, sim.batches(1000));
    },
  });

  it("creates a link, which a fresh browser opens on that site only; revoked, it shows the French page", async () => {
    const admin = await suite.page(null);
    const a = admin.page;
    await signIn(a, ADMIN);
    // two sites, one meter each (the sites screen itself is web/test/sites.browser.test.ts's)
    const sites: Record<string, number> = {};
    for (const [i, [name, zone]] of [
      ["Station de Ndiassane", "Africa/Dakar"],
      ["Camping des Chênes", "Europe/Paris"],
    ].entries()) {
      const created = await call(a, "POST", "/api/admin/sites", { name, time_zone: zone });
      expect(created.status).toBe(201);
      sites[name ?? ""] = created.json.id;
      const placed = await call(a, "PUT", `/api/admin/devices/${meters[i]}/site`, {
        site_id: created.json.id,
      });
      expect(placed.status).toBe(200);
    }

    await a.goto("/admin/sites");
    await a.getByRole("button", { name: "Partager Station de Ndiassane" }).click();
    const card = a.getByTestId("share-card");
    await expect
      .poll(() => card.getByRole("heading", { level: 2 }).textContent())
      .toBe("Partager « Station de Ndiassane » en lecture seule");
    await expect.poll(() => card.getByText("Aucun lien de partage pour ce site.").isVisible()).toBe(true);
    await card.getByLabel("Pour qui (facultatif)").fill("Mairie de Ndiassane");
    await card.getByLabel("Valable").selectOption({ label: "3 mois (90 jours)" });
    await card.getByRole("button", { name: "Créer le lien" }).click();
    const url = card.locator("#share-url");
    await expect.poll(() => url.inputValue()).toMatch(/\/partage\/[A-Za-z0-9_-]{43}$/);
    const link = await url.inputValue();
    expect(link.startsWith(suite.server.url)).toBe(true);
    await expect.poll(() => card.getByTestId("share-row").count()).toBe(1);
    const row = card.getByTestId("share-row");
    expect(await row.textContent()).toContain("Mairie de Ndiassane");
    expect(await row.textContent()).toContain(ADMIN.email);
    expect(await row.textContent()).toContain("Actif");
    expect(await row.textContent()).toContain("jamais");
    await screenshots(a, "partage-admin");
    // the list never shows the token again
    const listed = await call(a, "GET", `/api/admin/sites/${sites["Station de Ndiassane"]}/share-links`);
    expect(JSON.stringify(listed.json)).not.toContain(link.split("/").pop());

    // a browser with no account at all
    const visitor = await suite.page(null);
    const v = visitor.page;
    await v.goto(new URL(link).pathname);
    const banner = v.getByTestId("share-banner");
    await expect
      .poll(() => banner.textContent())
      .toContain(`Lecture seule — lien partagé par ${ADMIN.email} jusqu'au`);
    expect(await banner.textContent()).toContain("Station de Ndiassane");
    expect(await banner.textContent()).toContain("Mairie de Ndiassane");
    await expect.poll(() => v.getByTestId("fleet-tile").count()).toBe(1);
    await expect.poll(async () => (await v.locator("main").textContent()) ?? "").toContain(meters[0] ?? "");
    const body = (await v.locator("main").textContent()) ?? "";
    expect(body).not.toContain("Camping des Chênes");
    expect(body).not.toContain(meters[1]);
    // nothing of an account: no navigation, no sign-in page, no administration
    expect(new URL(v.url()).pathname).toBe(new URL(link).pathname);
    expect(await v.getByRole("link", { name: "Administration" }).count()).toBe(0);
    expect(await v.getByRole("button", { name: "Se déconnecter" }).count()).toBe(0);
    // the API, with the link's cookie only: its site, and no write
    const own = await v.evaluate(async () => (await fetch("/api/devices")).json());
    expect(own.devices.map((d: { device_id: string }) => d.device_id)).toEqual([meters[0]]);
    const write = await call(v, "POST", "/api/journal", {
      device_id: meters[0],
      at: new Date().toISOString(),
      kind: "visit",
      text: "Passage",
    });
    expect(write.status).toBe(401);
    await screenshots(v, "partage-visiteur");

    // the administrator sees the use, then revokes
    await a.reload();
    await a.getByRole("button", { name: "Partager Station de Ndiassane" }).click();
    const used = a.getByTestId("share-card").getByTestId("share-row");
    await expect.poll(async () => (await used.textContent()) ?? "").not.toContain("jamais");
    await used.getByRole("button", { name: "Révoquer" }).click();
    await used.getByRole("button", { name: "Révoquer" }).click();
    await expect.poll(async () => (await used.textContent()) ?? "").toContain("Révoqué le");
    await screenshots(a, "partage-admin-revoque");

    await v.reload();
    await expect
      .poll(() => v.getByRole("heading", { level: 1 }).textContent())
      .toBe("Ce lien de partage a expiré ou a été révoqué");
    expect(await v.getByTestId("share-banner").count()).toBe(0);
    expect(await v.getByTestId("fleet-tile").count()).toBe(0);
    await screenshots(v, "partage-revoque");

    expect(admin.problems).toEqual([]);
    // the revoked link's 410 is the answer this test asked for
    expect(visitor.problems.filter((p) => !/status of 410/.test(p))).toEqual([]);
  });
});
