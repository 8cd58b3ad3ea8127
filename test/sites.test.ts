import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/server/app.js";
import {
  createTestApp,
  createTestDatabase,
  FakeClock,
  loginAs,
  SAME_ORIGIN,
  type TestDatabase,
} from "./harness.js";

let t: TestDatabase;
let app: App;
let admin: { cookie: string };
const clock = new FakeClock(new Date("2025-10-08T23:00:00Z"));

const send = (method: "POST" | "PUT" | "DELETE", url: string, cookie: string, body?: unknown) =>
  app.inject({
    method,
    url,
    headers: {
      cookie,
      ...SAME_ORIGIN,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

async function addDevice(deviceId: string): Promise<void> {
  await t.db.query("INSERT INTO devices (device_id, first_seen, last_seen) VALUES ($1, $2, $2)", [
    deviceId,
    "2025-10-01T00:00:00Z",
  ]);
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { migrationCount: t.migrationCount, clock });
  admin = await loginAs(app, t.db, "admin@filtreplante.fr", "admin");
  await addDevice("shelly-dakar-1");
  await addDevice("shelly-dakar-2");
  await addDevice("shelly-paris-1");
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("sites (administration)", () => {
  let ndiassane: number;
  let lyon: number;

  it("creates a site with its zone written canonically and its fields", async () => {
    const created = await send("POST", "/api/admin/sites", admin.cookie, {
      name: "Station de Ndiassane",
      time_zone: "africa/dakar",
      population_equivalent: 800,
      sandre_code: "SN0123",
      location: "Ndiassane, Tivaouane",
      latitude: 15.09,
      longitude: -16.84,
      filter_stage_surfaces_m2: [960, 640],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: "Station de Ndiassane",
      time_zone: "Africa/Dakar",
      population_equivalent: 800,
      filter_stage_surfaces_m2: [960, 640],
      device_ids: [],
    });
    ndiassane = created.json().id;
    const second = await send("POST", "/api/admin/sites", admin.cookie, {
      name: "STEU de Lyon-Vaise",
      time_zone: "Europe/Paris",
    });
    expect(second.statusCode).toBe(201);
    lyon = second.json().id;
  });

  it("refuses an unknown zone (400, time_zone), a taken name (409), an unknown site (404)", async () => {
    const zone = await send("POST", "/api/admin/sites", admin.cookie, {
      name: "X",
      time_zone: "Europe/Pariss",
    });
    expect(zone.statusCode).toBe(400);
    expect(zone.json().error).toMatchObject({ code: "invalid_time_zone", field: "time_zone" });
    expect(zone.json().error.message).toMatch(/Fuseau horaire inconnu/);
    const put = await send("PUT", `/api/admin/sites/${lyon}`, admin.cookie, { time_zone: "Mars/Olympus" });
    expect(put.statusCode).toBe(400);
    expect(put.json().error.field).toBe("time_zone");
    const taken = await send("POST", "/api/admin/sites", admin.cookie, {
      name: "station de ndiassane",
      time_zone: "UTC",
    });
    expect(taken.statusCode).toBe(409);
    const unknown = await send("PUT", "/api/admin/sites/999999", admin.cookie, { name: "Y" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe("Site inconnu.");
    const surfaces = await send("PUT", `/api/admin/sites/${lyon}`, admin.cookie, {
      filter_stage_surfaces_m2: [-3],
    });
    expect(surfaces.statusCode).toBe(400);
    expect(surfaces.json().error.field).toBe("filter_stage_surfaces_m2");
  });

  it("changes only the fields a PUT names", async () => {
    const put = await send("PUT", `/api/admin/sites/${ndiassane}`, admin.cookie, {
      population_equivalent: 900,
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      time_zone: "Africa/Dakar",
      population_equivalent: 900,
      sandre_code: "SN0123",
    });
  });

  it("places meters on sites, lists them, and refuses to delete a site that has meters", async () => {
    for (const [device, site] of [
      ["shelly-dakar-1", ndiassane],
      ["shelly-dakar-2", ndiassane],
      ["shelly-paris-1", lyon],
    ] as const) {
      const placed = await send("PUT", `/api/admin/devices/${device}/site`, admin.cookie, { site_id: site });
      expect(placed.statusCode).toBe(200);
      expect(placed.json()).toEqual({ device_id: device, site_id: site });
    }
    const unknownDevice = await send("PUT", "/api/admin/devices/nope/site", admin.cookie, { site_id: lyon });
    expect(unknownDevice.statusCode).toBe(404);
    const unknownSite = await send("PUT", "/api/admin/devices/shelly-paris-1/site", admin.cookie, {
      site_id: 999999,
    });
    expect(unknownSite.statusCode).toBe(404);
    expect(unknownSite.json().error.field).toBe("site_id");

    const list = await app.inject({ url: "/api/sites", headers: admin });
    expect(
      list.json().sites.map((s: { name: string; device_ids: string[] }) => [s.name, s.device_ids]),
    ).toEqual([
      ["Station de Ndiassane", ["shelly-dakar-1", "shelly-dakar-2"]],
      ["STEU de Lyon-Vaise", ["shelly-paris-1"]],
    ]);

    const refused = await send("DELETE", `/api/admin/sites/${lyon}`, admin.cookie);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("site_has_meters");
    expect(refused.json().error.message).toMatch(/compteurs/);
    clock.advance(60_000);
    expect(
      (await send("PUT", "/api/admin/devices/shelly-paris-1/site", admin.cookie, { site_id: null }))
        .statusCode,
    ).toBe(200);
    expect((await send("DELETE", `/api/admin/sites/${lyon}`, admin.cookie)).statusCode).toBe(204);
    expect((await send("DELETE", `/api/admin/sites/${lyon}`, admin.cookie)).statusCode).toBe(404);
    const placements = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM device_site_placements WHERE device_id = 'shelly-paris-1'",
    );
    expect(placements.rows[0]?.n).toBe(2);
  });

  it("gives accounts a role and sites; an administrator is never restricted (400)", async () => {
    const restricted = await send("POST", "/api/admin/users", admin.cookie, {
      email: "chef@filtreplante.fr",
      role: "admin",
      site_ids: [ndiassane],
    });
    expect(restricted.statusCode).toBe(400);
    expect(restricted.json().error).toMatchObject({ code: "restricted_admin", field: "site_ids" });
    const unknown = await send("POST", "/api/admin/users", admin.cookie, {
      email: "x@filtreplante.fr",
      role: "viewer",
      site_ids: [999999],
    });
    expect(unknown.statusCode).toBe(404);
    const operator = await send("POST", "/api/admin/users", admin.cookie, {
      email: "exploitant@ndiassane.sn",
      role: "operator",
      site_ids: [ndiassane],
      password: "mot de passe de l'exploitant",
    });
    expect(operator.statusCode).toBe(201);
    expect(operator.json().user).toMatchObject({ role: "operator", site_ids: [ndiassane] });

    const session = await loginAs(
      app,
      t.db,
      "exploitant@ndiassane.sn",
      undefined,
      "mot de passe de l'exploitant",
    );
    const me = await app.inject({ url: "/api/auth/me", headers: session });
    expect(me.json()).toEqual({ email: "exploitant@ndiassane.sn", role: "operator", site_ids: [ndiassane] });
    // The operator sees its site only, and no administration.
    const sites = await app.inject({ url: "/api/sites", headers: session });
    expect(sites.json().sites.map((s: { id: number }) => s.id)).toEqual([ndiassane]);
    const devices = await app.inject({ url: "/api/devices", headers: session });
    expect(devices.json().devices.map((d: { device_id: string }) => d.device_id)).toEqual([
      "shelly-dakar-1",
      "shelly-dakar-2",
    ]);
    expect(
      (await send("POST", "/api/admin/sites", session.cookie, { name: "Z", time_zone: "UTC" })).statusCode,
    ).toBe(403);
    expect((await app.inject({ url: "/api/admin/users", headers: session })).statusCode).toBe(403);

    // Promoting clears the list; an admin cannot be given one.
    const id = operator.json().user.id;
    const promoted = await send("PUT", `/api/admin/users/${id}/role`, admin.cookie, { role: "admin" });
    expect(promoted.json()).toMatchObject({ role: "admin", site_ids: null });
    const again = await send("PUT", `/api/admin/users/${id}/sites`, admin.cookie, { site_ids: [ndiassane] });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.field).toBe("site_ids");
  });
});
