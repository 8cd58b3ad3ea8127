/**
 * Read-only share links (issue 18 item 5, decision 0018): an administrator creates, lists and revokes them;
 * a visitor holding one reads its site through the same scope as a restricted viewer, and nothing else.
 * The walk over every route with a link is in test/access.test.ts.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const SEEN = "shelly-ndiassane-01";
const HIDDEN = "shelly-lyon-vaise-01";
const NOW = new Date("2025-10-08T12:00:00Z");
const DAY = 86_400_000;

let t: TestDatabase;
let app: App;
let clock: FakeClock;
let admin: { cookie: string };
let seenSite: number;
let hiddenSite: number;

const send = (method: string, url: string, cookie: string, body?: unknown) =>
  app.inject({
    method: method as "GET",
    url,
    headers: {
      cookie,
      ...SAME_ORIGIN,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

/** Opens a link as its visitor does; returns the cookie header the browser would then send to /api. */
async function open(token: string) {
  const response = await app.inject({ url: `/api/share/${token}` });
  const cookie = response.cookies.find((c) => c.name === "pw_share");
  return { response, cookie, header: cookie ? `pw_share=${cookie.value}` : "" };
}

function reading(src: string): Record<string, unknown> {
  return {
    src,
    timestamp: Date.parse("2025-10-08T08:00:59Z") / 1000,
    params: {
      "switch:0": {
        output: true,
        apower: 480,
        voltage: 229.5,
        current: 2.4,
        aenergy: { total: 8, by_minute: [8000, 0, 0], minute_ts: Date.parse("2025-10-08T08:00:00Z") / 1000 },
      },
    },
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  clock = new FakeClock(NOW);
  app = await createTestApp(t.db, { migrationCount: t.migrationCount, clock, timeZone: "UTC" });
  admin = await loginAs(app, t.db, "admin@filtreplante.fr", "admin");
  const ingested = await app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
    payload: JSON.stringify({ messages: [reading(SEEN), reading(HIDDEN)] }),
  });
  expect(ingested.statusCode).toBe(200);
  const siteOf = async (name: string, zone: string, device: string) => {
    const site = await send("POST", "/api/admin/sites", admin.cookie, { name, time_zone: zone });
    await send("PUT", `/api/admin/devices/${device}/site`, admin.cookie, { site_id: site.json().id });
    return site.json().id as number;
  };
  seenSite = await siteOf("Ndiassane", "Africa/Dakar", SEEN);
  hiddenSite = await siteOf("Lyon-Vaise", "Europe/Paris", HIDDEN);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("share links, administration", () => {
  it("creates a link that lives 30 days by default, shows its token once and stores only its SHA-256", async () => {
    const created = await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {
      label: "Mairie de Ndiassane",
    });
    expect(created.statusCode).toBe(201);
    const { link, token, path } = created.json();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(path).toBe(`/partage/${token}`);
    expect(link).toMatchObject({
      site_id: seenSite,
      label: "Mairie de Ndiassane",
      created_by: "admin@filtreplante.fr",
      created_at: "2025-10-08T12:00:00.000Z",
      expires_at: "2025-11-07T12:00:00.000Z",
      revoked_at: null,
      last_used_at: null,
      state: "live",
    });
    const stored = await t.db.query<{ token_hash: Uint8Array }>(
      "SELECT token_hash FROM share_links WHERE id = $1",
      [link.id],
    );
    expect(
      Buffer.from(stored.rows[0]?.token_hash ?? []).equals(createHash("sha256").update(token).digest()),
    ).toBe(true);
    const dump = JSON.stringify((await t.db.query("SELECT * FROM share_links")).rows);
    expect(dump).not.toContain(token);
    // the list never shows a token again
    const list = await send("GET", `/api/admin/sites/${seenSite}/share-links`, admin.cookie);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(token);
    expect(list.json().links.map((l: { id: number }) => l.id)).toContain(link.id);
  });

  it("takes an expiry of 1 to 365 days; anything else is a French 400 naming expires_in_days", async () => {
    const year = await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {
      expires_in_days: 365,
    });
    expect(year.statusCode).toBe(201);
    expect(year.json().link.expires_at).toBe("2026-10-08T12:00:00.000Z");
    for (const days of [0, 366, -3]) {
      const refused = await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {
        expires_in_days: days,
      });
      expect(refused.statusCode, String(days)).toBe(400);
      expect(refused.json().error.field).toBe("expires_in_days");
      expect(refused.json().error.message).toContain("jours");
    }
    const unknownField = await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {
      expires: 3,
    });
    expect(unknownField.statusCode).toBe(400);
    const unknownSite = await send("POST", "/api/admin/sites/9999/share-links", admin.cookie, {});
    expect(unknownSite.statusCode).toBe(404);
    expect((await send("GET", "/api/admin/sites/9999/share-links", admin.cookie)).statusCode).toBe(404);
  });

  it("revokes a link (kept in the list, audited once); an unknown link is 404", async () => {
    const created = (await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {})).json();
    const revoked = await send("DELETE", `/api/admin/share-links/${created.link.id}`, admin.cookie);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({
      id: created.link.id,
      state: "revoked",
      revoked_at: NOW.toISOString(),
    });
    const again = await send("DELETE", `/api/admin/share-links/${created.link.id}`, admin.cookie);
    expect(again.statusCode).toBe(200);
    expect((await send("DELETE", "/api/admin/share-links/9999", admin.cookie)).statusCode).toBe(404);
    const listed = (await send("GET", `/api/admin/sites/${seenSite}/share-links`, admin.cookie))
      .json()
      .links.find((l: { id: number }) => l.id === created.link.id);
    expect(listed.state).toBe("revoked");
    const audit = await t.db.query<{ action: string; actor: string }>(
      "SELECT action, actor FROM config_audit WHERE entity = 'share_link' AND entity_key = $1 ORDER BY id",
      [String(created.link.id)],
    );
    expect(audit.rows).toEqual([
      { action: "create", actor: "admin@filtreplante.fr" },
      { action: "revoke", actor: "admin@filtreplante.fr" },
    ]);
  });

  it("is administration: a viewer of the site gets 403", async () => {
    const viewer = await loginAs(app, t.db, "lecteur@ndiassane.sn", "viewer");
    expect((await send("GET", `/api/admin/sites/${seenSite}/share-links`, viewer.cookie)).statusCode).toBe(
      403,
    );
    expect(
      (await send("POST", `/api/admin/sites/${seenSite}/share-links`, viewer.cookie, {})).statusCode,
    ).toBe(403);
  });
});

describe("a visitor holding a share link", () => {
  it("reads its site's dashboard, and only it; the link's last use is noted", async () => {
    const { token, link } = (
      await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, { label: "Hôtel" })
    ).json();
    const visit = await open(token);
    expect(visit.response.statusCode).toBe(200);
    expect(visit.response.json()).toEqual({
      site_id: seenSite,
      site_name: "Ndiassane",
      time_zone: "Africa/Dakar",
      label: "Hôtel",
      created_by: "admin@filtreplante.fr",
      expires_at: "2025-11-07T12:00:00.000Z",
    });
    expect(visit.cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/api" });
    const devices = await send("GET", "/api/devices", visit.header);
    expect(devices.statusCode).toBe(200);
    expect(devices.json().devices.map((d: { device_id: string }) => d.device_id)).toEqual([SEEN]);
    const sites = await send("GET", "/api/sites", visit.header);
    expect(sites.json().sites.map((s: { id: number }) => s.id)).toEqual([seenSite]);
    expect(sites.body).not.toContain("Lyon");
    const hidden = await send(
      "GET",
      `/api/cycles?from=2025-10-08&to=2025-10-08&device_id=${HIDDEN}`,
      visit.header,
    );
    const ghost = await send(
      "GET",
      "/api/cycles?from=2025-10-08&to=2025-10-08&device_id=nulle-part",
      visit.header,
    );
    expect(hidden.statusCode).toBe(ghost.statusCode);
    expect(hidden.statusCode).toBe(404);
    const used = (await send("GET", `/api/admin/sites/${seenSite}/share-links`, admin.cookie))
      .json()
      .links.find((l: { id: number }) => l.id === link.id);
    expect(used.last_used_at).toBe(NOW.toISOString());
    const other = (await send("GET", `/api/admin/sites/${hiddenSite}/share-links`, admin.cookie)).json();
    expect(other.links).toEqual([]);
  });

  it("may not write, acknowledge, administer, nor read an account's own pages", async () => {
    const { token } = (
      await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {})
    ).json();
    const { header } = await open(token);
    const refused: [string, string, unknown?][] = [
      ["GET", "/api/auth/me"],
      ["GET", "/api/alerts/notifications/me"],
      [
        "PUT",
        "/api/alerts/notifications/me",
        { email_enabled: false, severities: [], device_ids: null, digest: false },
      ],
      [
        "POST",
        "/api/journal",
        { device_id: SEEN, at: "2025-10-08T09:00:00Z", kind: "visit", text: "Passage" },
      ],
      ["POST", `/api/alerts/${encodeURIComponent(`${SEEN}:1`)}/acknowledge`, { comment: "vu" }],
      ["GET", "/api/reports/preferences/me"],
      ["GET", "/api/admin/users"],
      ["POST", "/api/admin/sites", { name: "Pirate", time_zone: "UTC" }],
      ["POST", `/api/admin/sites/${seenSite}/share-links`, {}],
    ];
    for (const [method, url, body] of refused) {
      const response = await send(method, url, header, body);
      expect([401, 403], `${method} ${url}`).toContain(response.statusCode);
    }
    expect((await t.db.query("SELECT 1 FROM sites WHERE name = 'Pirate'")).rows).toHaveLength(0);
  });

  it("is refused once revoked: 410 with the French message, on the link and on every read", async () => {
    const { token, link } = (
      await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {})
    ).json();
    const { header } = await open(token);
    expect((await send("GET", "/api/devices", header)).statusCode).toBe(200);
    await send("DELETE", `/api/admin/share-links/${link.id}`, admin.cookie);
    const read = await send("GET", "/api/devices", header);
    expect(read.statusCode).toBe(410);
    expect(read.json().error.message).toBe("Ce lien de partage a expiré ou a été révoqué.");
    const reopened = await open(token);
    expect(reopened.response.statusCode).toBe(410);
    expect(reopened.response.json().error.message).toBe("Ce lien de partage a expiré ou a été révoqué.");
  });

  it("is refused once expired (410), and an unknown token is 401", async () => {
    const { token } = (
      await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, { expires_in_days: 2 })
    ).json();
    const { header } = await open(token);
    clock.advance(2 * DAY - 1000);
    expect((await send("GET", "/api/sites", header)).statusCode).toBe(200);
    clock.advance(1000);
    expect((await send("GET", "/api/sites", header)).statusCode).toBe(410);
    expect((await open(token)).response.statusCode).toBe(410);
    // two days on, the administrator's session has ended too: signing in again
    const later = await loginAs(app, t.db, "admin@filtreplante.fr");
    const listed = (await send("GET", `/api/admin/sites/${seenSite}/share-links`, later.cookie)).json().links;
    expect(listed.some((l: { state: string }) => l.state === "expired")).toBe(true);
    clock.set(NOW);
    admin = await loginAs(app, t.db, "admin@filtreplante.fr");
    const unknown = await open("A".repeat(43));
    expect(unknown.response.statusCode).toBe(401);
    expect(unknown.response.json().error.message).toContain("Lien de partage inconnu");
    expect((await send("GET", "/api/devices", `pw_share=${"B".repeat(43)}`)).statusCode).toBe(401);
  });

  it("counts for nothing next to a live session: the account reads as itself", async () => {
    const { token } = (
      await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {})
    ).json();
    const { header } = await open(token);
    const both = await send("GET", "/api/devices", `${admin.cookie}; ${header}`);
    expect(
      both
        .json()
        .devices.map((d: { device_id: string }) => d.device_id)
        .sort(),
    ).toEqual([HIDDEN, SEEN].sort());
  });

  it("is confined on an installation with PUBLIC_DASHBOARD=true too (the link sees its site, not everything)", async () => {
    const open2 = await createTestApp(t.db, {
      migrationCount: t.migrationCount,
      clock,
      timeZone: "UTC",
      publicDashboard: true,
    });
    try {
      const { token } = (
        await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {})
      ).json();
      const ids = async (cookie: string) =>
        (await open2.inject({ url: "/api/devices", headers: { cookie } }))
          .json()
          .devices.map((d: { device_id: string }) => d.device_id)
          .sort();
      expect(await ids("")).toEqual([HIDDEN, SEEN].sort());
      expect(await ids(`pw_share=${token}`)).toEqual([SEEN]);
    } finally {
      await open2.close();
    }
  });
});
