import { describe, expect, it } from "vitest";
import { simulateFleet } from "../../simulator/index.js";
import { chromiumPath, fillSignIn, SKIP_REASON, screenshots, signIn } from "./browser";
import { ADMIN, ingest } from "./service";
import { ingestAll, useBrowserSuite } from "./suite";

const chromium = chromiumPath();
if (!chromium) console.warn(SKIP_REASON);

const DAY_MS = 86_400_000;

describe.skipIf(!chromium)("web application: sign-in and administration", () => {
  let deviceId: string;
  const suite = useBrowserSuite({
    async fill(server) {
      const sim = simulateFleet({ seed: 11, devices: 1, days: 2, start: new Date(Date.now() - 2 * DAY_MS) });
      deviceId = sim.devices[0]?.id ?? "";
      await ingestAll(server, sim.batches(1000));
    },
  });
  const page = (viewport?: { width: number; height: number }) => suite.page(null, viewport);

  it("serves the app on every client route, with a strict CSP, and keeps /api 404s in JSON", async () => {
    for (const path of ["/", "/connexion", "/admin/appareils", "/admin/modeles?x=1"]) {
      const response = await fetch(`${suite.server.url}${path}`, { headers: { accept: "text/html" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const html = await response.text();
      expect(html).toContain('<html lang="fr">');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|style=/);
    }
    const api = await fetch(`${suite.server.url}/api/nope`, { headers: { accept: "text/html" } });
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe("not_found");
    const html = await (await fetch(`${suite.server.url}/`, { headers: { accept: "text/html" } })).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const assetResponse = await fetch(`${suite.server.url}${asset}`);
    expect(assetResponse.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await fetch(`${suite.server.url}/favicon.svg`)).status).toBe(200);
  });

  it("signs in, shows the user and role, signs out", async () => {
    const { page: p } = await page();
    await p.goto("/");
    await expect.poll(() => p.url()).toContain("/connexion");
    await signIn(p, ADMIN);
    await expect.poll(() => p.getByTestId("user-email").textContent()).toBe(ADMIN.email);
    expect(await p.getByText("administrateur").isVisible()).toBe(true);
    expect(await p.getByRole("link", { name: "Administration" }).isVisible()).toBe(true);
    await screenshots(p, "tableau-de-bord");
    await p.getByRole("button", { name: "Se déconnecter" }).click();
    await p.waitForURL((u) => u.pathname === "/connexion");
    expect(await p.getByText("Vous êtes déconnecté.").isVisible()).toBe(true);
    const me = await p.evaluate(async () => (await fetch("/api/auth/me")).status);
    expect(me).toBe(401);
  });

  it("refuses a wrong password with one message, whatever was wrong", async () => {
    const { page: p } = await page();
    await fillSignIn(p, ADMIN.email, "pas le bon mot de passe");
    await expect.poll(() => p.getByRole("alert").textContent()).toBe("E-mail ou mot de passe incorrect");
    await screenshots(p, "connexion-erreur");
    await fillSignIn(p, "inconnu@filtreplante.test", "pas le bon mot de passe");
    await expect.poll(() => p.getByRole("alert").textContent()).toBe("E-mail ou mot de passe incorrect");
    expect(new URL(p.url()).pathname).toBe("/connexion");
  });

  it("says how long to wait once sign-in is throttled", async () => {
    const { page: p } = await page();
    for (let i = 0; i < 5; i++) {
      await fillSignIn(p, "intrus@filtreplante.test", `essai ${i}`);
      await expect.poll(() => p.getByRole("alert").textContent()).toBe("E-mail ou mot de passe incorrect");
    }
    await fillSignIn(p, "intrus@filtreplante.test", "encore un essai");
    await expect
      .poll(() => p.getByRole("alert").textContent())
      .toMatch(/^Trop de tentatives de connexion\. Réessayez dans 1[45] min\.$/);
  });

  it("returns to the deep link after sign-in, and a reload keeps the page", async () => {
    const { page: p } = await page();
    await p.goto("/admin/modeles");
    await p.waitForURL(
      (u) => u.pathname === "/connexion" && u.searchParams.get("suite") === "/admin/modeles",
    );
    await p.getByLabel("E-mail").fill(ADMIN.email);
    await p.getByLabel("Mot de passe").fill(ADMIN.password);
    await p.getByRole("button", { name: "Se connecter" }).click();
    await p.waitForURL((u) => u.pathname === "/admin/modeles");
    await p.reload();
    await expect.poll(() => p.getByRole("heading", { level: 1 }).textContent()).toBe("Modèles de pompes");
  });

  it("edits a channel and shows the new version in its history", async () => {
    const { page: p } = await page();
    await signIn(p, ADMIN);
    await p.goto("/admin/appareils");
    const card = p.locator("form.card--device").first();
    await card.getByLabel("Nom de l'appareil").fill("Station Keur Massar");
    await card.getByLabel("Nom du canal switch:0").fill("PR1");
    await card.getByLabel("Débit effectif de PR1 (m³/h)").fill("18,5");
    await card.getByRole("button", { name: "Enregistrer tout" }).click();
    await expect.poll(() => card.getByRole("status").textContent()).toContain("pour PR1");
    await screenshots(p, "appareils");
    await p.goto(`/admin/appareils/${deviceId}/canal/0`);
    const row = p.locator("tbody tr").first();
    await expect.poll(() => row.textContent()).toContain("18,5 m³/h");
    expect(await row.textContent()).toContain("Actuel");
    expect(await row.textContent()).toContain("Actif");
    expect(await row.textContent()).toContain(ADMIN.email);
    await screenshots(p, "historique");
  });

  it("refuses an invalid flow rate and the year 206 in the form, sending nothing", async () => {
    const { page: p } = await page();
    await signIn(p, ADMIN);
    await p.goto("/admin/appareils");
    const sent: string[] = [];
    p.on("request", (r) => {
      if (r.method() !== "GET" && r.url().includes("/api/admin/")) sent.push(r.url());
    });
    const card = p.locator("form.card--device").first();
    const flow = card.locator('input[id$="-1-flow"]');
    await flow.fill("abc");
    await card.getByRole("button", { name: "Enregistrer tout" }).click();
    await expect
      .poll(() => card.locator(".field__error").first().textContent())
      .toContain("Débit effectif invalide");
    expect(await flow.getAttribute("aria-invalid")).toBe("true");
    await flow.fill("-3");
    await card.getByRole("button", { name: "Enregistrer tout" }).click();
    await expect
      .poll(() => card.locator(".field__error").first().textContent())
      .toContain("Débit effectif invalide");
    expect(sent).toEqual([]);

    await p.goto(`/admin/appareils/${deviceId}/canal/1`);
    await p.getByLabel("Date d'effet *").fill("0206-02-19");
    await expect.poll(() => p.locator("#nv-date-error").textContent()).toContain("l'année 206");
    expect(await p.getByRole("button", { name: "Créer cette version" }).isDisabled()).toBe(true);
    await p.getByLabel("Débit effectif (m³/h)").fill("abc");
    expect(await p.getByRole("button", { name: "Créer cette version" }).isDisabled()).toBe(true);
    await screenshots(p, "version-invalide");
    expect(sent).toEqual([]);
  });

  it("previews a back-dated version's impact, saves it, splits the history and changes the dashboard as previewed", async () => {
    const { page: p } = await page();
    await signIn(p, ADMIN);
    await p.goto(`/admin/appareils/${deviceId}/canal/0`);
    const firstDay = new Date(Date.now() - 2 * DAY_MS).toISOString().slice(0, 10);
    await p.getByLabel("Date d'effet *").fill(firstDay);
    // pre-filled with the version in force that day (before the first one: the first one)
    await expect.poll(() => p.getByLabel("Débit effectif (m³/h)").inputValue()).toBe("18,5");
    await p.getByLabel("Débit effectif (m³/h)").fill("12");
    const impact = p.getByTestId("impact");
    await impact.waitFor();
    await expect.poll(() => p.getByTestId("plan-sentence").textContent()).toMatch(/\S/);
    const before = await p.getByTestId("before-treated_volume_m3").textContent();
    const after = await p.getByTestId("after-treated_volume_m3").textContent();
    expect(after).not.toBe(before);
    const heading = (await impact.getByRole("heading").textContent()) ?? "";
    const [, from, to] = /Impact du (\d\d\/\d\d\/\d{4}) au (\d\d\/\d\d\/\d{4})/.exec(heading) ?? [];
    await screenshots(p, "version-impact");
    await p.getByRole("button", { name: "Créer cette version" }).click();
    await expect.poll(() => p.getByRole("status").last().textContent()).toContain("Version enregistrée");
    const rows = p.locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toContain("12,0 m³/h");
    expect(await rows.nth(1).textContent()).toContain("Clôturé");
    expect(await rows.nth(0).textContent()).toContain("Actuel");

    const iso = (fr: string | undefined) => (fr ?? "").split("/").reverse().join("-");
    await p.goto(`/?appareil=${deviceId}&du=${iso(from)}&au=${iso(to)}`);
    await expect.poll(() => p.getByTestId("kpi-volume").textContent()).toBe(after);
  });

  it("keeps a viewer out of every administration page and endpoint", async () => {
    const { page: p } = await page();
    await signIn(p, ADMIN);
    await p.goto("/admin/utilisateurs");
    await p.getByLabel("E-mail").fill("lecteur@filtreplante.test");
    await p.getByLabel("Mot de passe initial").fill("mot-de-passe-lecteur");
    await p.getByRole("button", { name: "Créer le compte" }).click();
    await expect.poll(() => p.locator("tr", { hasText: "lecteur@filtreplante.test" }).count()).toBe(1);
    await screenshots(p, "utilisateurs");

    const viewer = (await page()).page;
    await fillSignIn(viewer, "lecteur@filtreplante.test", "mot-de-passe-lecteur");
    await viewer.waitForURL((u) => u.pathname === "/");
    expect(await viewer.getByText("lecteur", { exact: true }).isVisible()).toBe(true);
    expect(await viewer.getByRole("link", { name: "Administration" }).count()).toBe(0);
    for (const path of [
      "/admin/appareils",
      `/admin/appareils/${deviceId}/canal/0`,
      "/admin/modeles",
      "/admin/cles",
      "/admin/utilisateurs",
      "/admin/parametres",
      "/admin/journal",
    ]) {
      await viewer.goto(path);
      await expect
        .poll(() => viewer.getByRole("heading", { level: 1 }).textContent())
        .toBe("Accès réservé aux administrateurs.");
    }
    await screenshots(viewer, "lecteur-refuse");
    const statuses = await viewer.evaluate(async (device) => {
      const h = { "x-requested-with": "pumpwatch" };
      const calls: [string, string, unknown?][] = [
        ["GET", "/api/admin/devices"],
        ["GET", `/api/admin/channels/${device}/0/versions`],
        ["POST", `/api/admin/channels/${device}/0/versions`, { effective_from: "2026-01-01" }],
        ["POST", `/api/admin/channels/${device}/0/versions/preview`, { effective_from: "2026-01-01" }],
        ["PUT", `/api/admin/devices/${device}/configuration`, { channels: [] }],
        ["GET", "/api/admin/pump-models"],
        ["DELETE", "/api/admin/pump-models/1"],
        ["GET", "/api/admin/api-keys"],
        ["POST", "/api/admin/api-keys", { name: "x" }],
        ["GET", "/api/admin/users"],
        ["POST", "/api/admin/users", { email: "a@b.c", role: "admin" }],
        ["GET", "/api/admin/settings"],
        ["PUT", "/api/admin/settings", {}],
        ["GET", "/api/admin/audit"],
      ];
      const out: number[] = [];
      for (const [method, url, body] of calls)
        out.push(
          (
            await fetch(url, {
              method,
              headers: body ? { ...h, "content-type": "application/json" } : h,
              ...(body ? { body: JSON.stringify(body) } : {}),
            })
          ).status,
        );
      return out;
    }, deviceId);
    expect(new Set(statuses)).toEqual(new Set([403]));
  });

  it("creates a user who signs in, then disabling them ends their session", async () => {
    const { page: admin } = await page();
    await signIn(admin, ADMIN);
    await admin.goto("/admin/utilisateurs");
    await admin.getByLabel("E-mail").fill("operateur@filtreplante.test");
    await admin.getByLabel("Rôle").selectOption("admin");
    await admin.getByRole("button", { name: "Créer le compte" }).click();
    const generated = await admin.locator("#generated-password").inputValue();
    expect(generated.length).toBeGreaterThanOrEqual(12);

    const { page: other } = await page();
    await fillSignIn(other, "operateur@filtreplante.test", generated);
    await other.waitForURL((u) => u.pathname === "/");
    await other.goto("/admin/modeles");
    await other.locator("tr", { hasText: "Pedrollo VXM 10/35" }).waitFor();

    await admin.getByRole("button", { name: "C'est noté" }).click();
    const row = admin.locator("tr", { hasText: "operateur@filtreplante.test" });
    await row.getByRole("button", { name: /^Désactiver/ }).click();
    await row.getByRole("button", { name: "Désactiver", exact: true }).click();
    await expect.poll(() => row.textContent()).toContain("Désactivé");

    await other.getByRole("link", { name: "Journal", exact: true }).click();
    await other.waitForURL((u) => u.pathname === "/connexion");
    expect(await other.getByText("Votre session a expiré").isVisible()).toBe(true);
    await fillSignIn(other, "operateur@filtreplante.test", generated);
    await expect.poll(() => other.getByRole("alert").textContent()).toBe("E-mail ou mot de passe incorrect");
  });

  it("limits the raw minutes kept to a number of months, confirmed before anything is deleted", async () => {
    const { page: p } = await page();
    await signIn(p, ADMIN);
    await p.goto("/admin/parametres");
    const settings = async () =>
      (await p.evaluate(() => fetch("/api/admin/settings").then((r) => r.json()))) as {
        raw_retention_months: number | null;
      };
    await p.getByText("En vigueur : tout est gardé.").waitFor();
    await p.getByLabel("Supprimer les relevés minute anciens").check();
    const months = p.getByLabel("Mois conservés");
    const save = p.getByRole("button", { name: "Enregistrer" });
    // not a whole number of months: refused on the spot, in French, nothing sent
    await months.fill("1,5");
    await save.click();
    await expect
      .poll(() => p.locator("#settings-retention-error").textContent())
      .toBe("Indiquez un nombre entier de mois entre 1 et 1 200.");
    expect((await settings()).raw_retention_months).toBeNull();
    // deleting what is kept now asks for a confirmation first
    await months.fill("24");
    await save.click();
    await expect
      .poll(() => p.getByRole("alert").first().textContent())
      .toContain("Cochez la case pour confirmer");
    expect((await settings()).raw_retention_months).toBeNull();
    await p.getByLabel(/seront supprimés définitivement/).check();
    await save.click();
    await expect.poll(async () => (await settings()).raw_retention_months).toBe(24);
    await p
      .getByText(/En vigueur : 24 mois de relevés minute, les mois plus anciens sont supprimés/)
      .waitFor();
    await screenshots(p, "parametres-conservation");
    // keeping longer deletes nothing more: no confirmation
    await months.fill("36");
    await save.click();
    await expect.poll(async () => (await settings()).raw_retention_months).toBe(36);
    // and back to keeping everything
    await p.getByLabel("Supprimer les relevés minute anciens").uncheck();
    await save.click();
    await expect.poll(async () => (await settings()).raw_retention_months).toBeNull();
  });

  it("refuses to delete a pump model in use, saying how many channels use it", async () => {
    const { page: p } = await page();
    await signIn(p, ADMIN);
    await p.goto("/admin/appareils");
    const card = p.locator("form.card--device").first();
    await card.locator('select[id$="-2-model"]').selectOption({ label: "Pedrollo DM/8 (0.55 kW, 3.2 A)" });
    await card.getByRole("button", { name: "Enregistrer tout" }).click();
    await expect.poll(() => card.getByRole("status").textContent()).toContain("switch:2");
    await p.goto("/admin/modeles");
    const row = p.locator("tr", { hasText: "Pedrollo DM/8" });
    await row.getByRole("button", { name: /Supprimer/ }).click();
    await row.getByRole("button", { name: "Confirmer" }).click();
    await expect.poll(() => p.getByRole("alert").textContent()).toContain("utilisé par 1 canal");
    expect(await p.locator("tr", { hasText: "Pedrollo DM/8" }).count()).toBe(1);
    await screenshots(p, "modeles");
  });

  it("creates an API key shown once, ingests with it, revokes it and is refused", async () => {
    const { page: p } = await page();
    await signIn(p, ADMIN);
    await p.goto("/admin/cles");
    await p.getByLabel("Nom de la clé").fill("collecteur de test");
    await p.getByRole("button", { name: "Créer la clé" }).click();
    const secret = await p.locator("#created-key").inputValue();
    expect(secret.length).toBeGreaterThan(20);
    expect(await p.getByText(`X-Api-Key: ${secret}`).isVisible()).toBe(true);
    await screenshots(p, "cles");
    const message = {
      src: "shellypro4pm-cle0000001",
      timestamp: Math.floor(Date.now() / 1000) - 120,
      params: { "switch:0": { apower: 0, voltage: 230, current: 0 } },
    };
    expect((await ingest(suite.server.url, [message], secret)).status).toBe(200);
    await p.getByRole("button", { name: "J'ai copié la clé" }).click();
    expect(await p.locator("#created-key").count()).toBe(0);
    await p.reload();
    expect(await p.getByText(secret).count()).toBe(0);
    const row = p.locator("tr", { hasText: "collecteur de test" });
    await row.getByRole("button", { name: /Révoquer/ }).click();
    await row.getByRole("button", { name: "Révoquer", exact: true }).click();
    await expect.poll(() => p.getByRole("status").last().textContent()).toContain("révoquée");
    expect((await ingest(suite.server.url, [message], secret)).status).toBe(401);
  });

  it("sends an expired session back to sign-in, then to the page it was on", async () => {
    const { page: p } = await page();
    await signIn(p, ADMIN);
    await p.goto("/admin/modeles");
    await p.locator("tr", { hasText: "Pedrollo VXM 10/35" }).waitFor();
    // The browser keeps a cookie the service no longer knows: exactly what an expired session looks like.
    const stale = await p.context().cookies();
    await p.evaluate(() =>
      fetch("/api/auth/logout", { method: "POST", headers: { "x-requested-with": "pumpwatch" } }),
    );
    await p.context().addCookies(stale);
    await p.getByRole("link", { name: "Clés d'API" }).click();
    await p.waitForURL((u) => u.pathname === "/connexion" && u.searchParams.get("suite") === "/admin/cles");
    expect(await p.getByText("Votre session a expiré").isVisible()).toBe(true);
    await p.getByLabel("E-mail").fill(ADMIN.email);
    await p.getByLabel("Mot de passe").fill(ADMIN.password);
    await p.getByRole("button", { name: "Se connecter" }).click();
    await p.waitForURL((u) => u.pathname === "/admin/cles");
    await expect.poll(() => p.getByRole("heading", { level: 1 }).textContent()).toBe("Clés d'API");
  });

  it("shows no console error and no CSP violation on any page", async () => {
    const { page: p, problems } = await page({ width: 375, height: 800 });
    await signIn(p, ADMIN);
    for (const path of [
      "/",
      "/admin/appareils",
      `/admin/appareils/${deviceId}/canal/0`,
      "/admin/modeles",
      "/admin/cles",
      "/admin/utilisateurs",
      "/admin/parametres",
      "/admin/journal",
      "/nulle-part",
    ]) {
      await p.goto(path);
      await p.waitForLoadState("networkidle");
    }
    expect(problems).toEqual([]);
    for (const watched of suite.pages) expect(watched.problems).toEqual([]);
  });
});
