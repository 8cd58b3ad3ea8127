/**
 * The digest's day per account (issue 18, decision 0019): an account whose meters share one site zone gets
 * yesterday in that zone, after that zone's midnight; one whose meters span zones gets APP_TIMEZONE's (UTC
 * here). Hand-computed: Paris is UTC+1 in November (midnight on 03/11 is 02/11 23:00 UTC), Dakar UTC.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchRound } from "../src/alerts/dispatch.js";
import type { Mailer } from "../src/alerts/mailer.js";
import type { MailText } from "../src/i18n/fr.js";
import type { App } from "../src/server/app.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  FakeClock,
  loginAs,
  SAME_ORIGIN,
  type TestDatabase,
} from "./harness.js";

const PARIS = "shelly-digest-paris";
const DAKAR = "shelly-digest-dakar";
const PASSWORD = "un mot de passe assez long";

let t: TestDatabase;
let app: App;
const clock = new FakeClock(new Date("2025-11-02T10:00:00Z"));
const sent: { to: string; mail: MailText }[] = [];
const mailer: Mailer = {
  async send(to, mail) {
    sent.push({ to, mail });
    return { ok: true };
  },
  close() {},
};
const options = { timeZone: "UTC", publicUrl: "http://pumpwatch.test", mailer };

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { migrationCount: t.migrationCount, clock, timeZone: "UTC" });
  const admin = { ...(await loginAs(app, t.db, "admin@filtreplante.fr", "admin")), ...SAME_ORIGIN };
  const send = (method: "POST" | "PUT", url: string, body: unknown, headers = admin) =>
    app.inject({
      method,
      url,
      headers: { ...headers, "content-type": "application/json" },
      payload: body as never,
    });
  const at = Date.parse("2025-11-02T09:00:00Z") / 1000;
  const reading = (src: string) => ({
    src,
    timestamp: at,
    params: {
      "switch:0": {
        output: false,
        apower: 0,
        voltage: 230,
        current: 0,
        aenergy: { total: 0, by_minute: [0, 0, 0], minute_ts: at - 60 },
      },
    },
  });
  const ingested = await app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
    payload: JSON.stringify({ messages: [reading(PARIS), reading(DAKAR)] }),
  });
  expect(ingested.json().errors).toBe(0);
  const siteIds: number[] = [];
  for (const [name, zone, device] of [
    ["Lyon-Vaise", "Europe/Paris", PARIS],
    ["Dakar Cambérène", "Africa/Dakar", DAKAR],
  ] as const) {
    const site = await send("POST", "/api/admin/sites", JSON.stringify({ name, time_zone: zone }));
    siteIds.push(site.json().id);
    await send("PUT", `/api/admin/devices/${device}/site`, JSON.stringify({ site_id: site.json().id }));
  }
  for (const [email, sites] of [
    ["lyon@example.org", [siteIds[0]]],
    ["dakar@example.org", [siteIds[1]]],
    ["tous@example.org", null],
  ] as const) {
    const created = await send(
      "POST",
      "/api/admin/users",
      JSON.stringify({ email, role: "viewer", ...(sites ? { site_ids: sites } : {}), password: PASSWORD }),
    );
    expect(created.statusCode).toBe(201);
    const own = { ...(await loginAs(app, t.db, email, undefined, PASSWORD)), ...SAME_ORIGIN };
    const prefs = { email_enabled: false, severities: ["critical"], device_ids: null, digest: true };
    expect((await send("PUT", "/api/alerts/notifications/me", JSON.stringify(prefs), own)).statusCode).toBe(
      200,
    );
  }
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("the digest's day per account", () => {
  it("sends 02/11 to a Paris account after Paris's midnight, to the others after UTC's", async () => {
    // 23:00:30 UTC on 02/11 is 00:00:30 on 03/11 in Paris, still 02/11 in Dakar and UTC
    const first = await dispatchRound(t.db, new Date("2025-11-02T23:00:30Z"), options);
    expect(first.digestsQueued).toBe(1);
    expect(sent.map((s) => s.to)).toEqual(["lyon@example.org"]);
    expect(sent[0]?.mail.subject).toBe("[pumpwatch] Résumé des alertes du 02/11/2025 : aucune alerte");
    expect(sent[0]?.mail.text).toContain("(fuseau Europe/Paris)");
    // Dakar's and UTC's midnight: the Dakar account in Dakar days, the one seeing both zones in APP_TIMEZONE's
    const second = await dispatchRound(t.db, new Date("2025-11-03T00:00:30Z"), options);
    expect(second.digestsQueued).toBe(2);
    const later = sent.slice(1).sort((a, b) => a.to.localeCompare(b.to));
    expect(later.map((s) => s.to)).toEqual(["dakar@example.org", "tous@example.org"]);
    for (const s of later)
      expect(s.mail.subject).toBe("[pumpwatch] Résumé des alertes du 02/11/2025 : aucune alerte");
    expect(later[0]?.mail.text).toContain("(fuseau Africa/Dakar)");
    expect(later[1]?.mail.text).toContain("(fuseau UTC)");
    // once per account and day
    expect((await dispatchRound(t.db, new Date("2025-11-03T01:00:00Z"), options)).digestsQueued).toBe(0);
  });
});
