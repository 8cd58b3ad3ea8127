import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FP_2026 } from "../src/domain/impact/index.js";
import type { App } from "../src/server/app.js";
import { captureFrames, DEVICE, toQueueMessage } from "./fixtures.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  createTestUser,
  FakeClock,
  loginAs,
  SAME_ORIGIN,
  type TestDatabase,
} from "./harness.js";

// 2026-02-19 11:00 in Paris: "today" of the current-configuration save is 2026-02-19.
const NOW = new Date("2026-02-19T10:00:00Z");
const ADMIN = "admin@filtreplante.test";
const VIEWER = "viewer@filtreplante.test";

let t: TestDatabase;
let app: App;
const clock = new FakeClock(NOW);
let adminCookie: string;
let viewerCookie: string;
/** Every body the admin routes answered, to check none leaks SQL or a stack trace. */
const bodies: string[] = [];

type Method = "GET" | "POST" | "PUT" | "DELETE";

async function call(
  method: Method,
  url: string,
  body?: unknown,
  options: { cookie?: string | null; headers?: Record<string, string> } = {},
) {
  const cookie = options.cookie === undefined ? adminCookie : options.cookie;
  const response = await app.inject({
    method,
    url,
    headers: {
      ...(method === "GET" ? {} : SAME_ORIGIN),
      ...(cookie ? { cookie } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  bodies.push(response.body);
  return response;
}

/** Each test configures a device of its own (the configuration history is append-only). */
let device = DEVICE;
const versionsUrl = (channel: string | number, id = device) =>
  `/api/admin/channels/${id}/${channel}/versions`;
const currentUrl = (channel: string | number, id = device) => `/api/admin/channels/${id}/${channel}/current`;

async function versionsOf(channel: string | number) {
  const response = await call("GET", versionsUrl(channel));
  expect(response.statusCode).toBe(200);
  return response.json().versions as Record<string, unknown>[];
}

function ingest(key: string, src = DEVICE) {
  return app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "content-type": "application/json", "x-api-key": key },
    payload: JSON.stringify({ messages: captureFrames().map((f) => toQueueMessage({ ...f, src })) }),
  });
}

let devices = 0;
async function newDevice(): Promise<string> {
  devices += 1;
  const id = `shellypro4pm-test${String(devices).padStart(8, "0")}`;
  expect((await ingest(BOOTSTRAP_KEY, id)).statusCode).toBe(200);
  return id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount, timeZone: "Europe/Paris" });
  // The device registers with its first readings.
  expect((await ingest(BOOTSTRAP_KEY)).statusCode).toBe(200);
  await createTestUser(t.db, ADMIN, "admin");
  await createTestUser(t.db, VIEWER, "viewer");
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});
beforeEach(async () => {
  clock.set(NOW);
  await t.db.query("TRUNCATE api_keys RESTART IDENTITY");
  // Fresh sessions: a test that moves the clock ends the others (idle timeout).
  adminCookie = (await loginAs(app, t.db, ADMIN)).cookie;
  viewerCookie = (await loginAs(app, t.db, VIEWER)).cookie;
  device = await newDevice();
});

const ROUTES: [Method, string, unknown?][] = [
  ["GET", versionsUrl(0)],
  ["POST", versionsUrl(0), { effective_from: "2026-01-01", flow_rate_m3h: 18 }],
  ["PUT", currentUrl(0), { flow_rate_m3h: 18 }],
  ["PUT", `/api/admin/devices/${DEVICE}`, { name: "Client 1" }],
  ["GET", "/api/admin/pump-models"],
  ["POST", "/api/admin/pump-models", { name: "P", power_kw: 1, current_a: 2 }],
  ["PUT", "/api/admin/pump-models/1", { name: "P", power_kw: 1, current_a: 2 }],
  ["DELETE", "/api/admin/pump-models/2"],
  ["GET", "/api/admin/api-keys"],
  ["POST", "/api/admin/api-keys", { name: "collecteur" }],
  ["DELETE", "/api/admin/api-keys/1"],
  ["GET", "/api/admin/factor-sets"],
];

async function storedState() {
  const versions = await t.db.query("SELECT * FROM channel_config_versions ORDER BY id");
  const models = await t.db.query("SELECT * FROM pump_models ORDER BY id");
  const keys = await t.db.query("SELECT id, revoked_at FROM api_keys ORDER BY id");
  const devices = await t.db.query("SELECT device_id, name FROM devices ORDER BY device_id");
  return JSON.stringify([versions.rows, models.rows, keys.rows, devices.rows]);
}

describe("admin access", () => {
  it.each(ROUTES)(
    "%s %s: 401 without a session, 403 for a viewer, nothing changed",
    async (method, url, body) => {
      const before = await storedState();
      const anonymous = await call(method, url, body, { cookie: null });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().error).toMatchObject({
        code: "session_required",
        message: "Connexion requise.",
      });
      const viewer = await call(method, url, body, { cookie: viewerCookie });
      expect(viewer.statusCode).toBe(403);
      expect(viewer.json().error.code).toBe("forbidden");
      expect(await storedState()).toBe(before);
    },
  );

  it.each(ROUTES.filter(([method]) => method !== "GET"))(
    "%s %s: 403 for an admin without the CSRF header or from another origin",
    async (method, url, body) => {
      const before = await storedState();
      const noHeader = await call(method, url, body, { headers: { "x-requested-with": "" } });
      expect(noHeader.statusCode).toBe(403);
      expect(noHeader.json().error.code).toBe("csrf_rejected");
      const foreign = await call(method, url, body, { headers: { origin: "https://evil.example" } });
      expect(foreign.statusCode).toBe(403);
      expect(await storedState()).toBe(before);
    },
  );

  it.each(ROUTES.filter(([method]) => method !== "GET"))(
    "%s %s: who may call is decided before the body is read (a viewer's malformed body is 403, not 400)",
    async (method, url) => {
      const malformed = { no_such_field: [1, 2, 3], name: 42 };
      const viewer = await call(method, url, malformed, { cookie: viewerCookie });
      expect(viewer.statusCode).toBe(403);
      const anonymous = await call(method, url, malformed, { cookie: null });
      expect(anonymous.statusCode).toBe(401);
    },
  );

  it("admin answers are never cached", async () => {
    const response = await call("GET", "/api/admin/pump-models");
    expect(response.headers["cache-control"]).toBe("no-store");
  });
});

describe("channel configuration versions", () => {
  it("creates a first version, in the contract's shape, with the session user as author", async () => {
    const response = await call("POST", versionsUrl("switch:1"), {
      effective_from: "2026-01-01",
      name: "PR1",
      pump_type: "relevage",
      flow_rate_m3h: 18,
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.kind).toBe("create");
    expect(body.version).toEqual({
      id: expect.any(Number),
      effective_from: "2026-01-01",
      effective_to: null,
      version: 1,
      name: "PR1",
      pump_type: "relevage",
      flow_rate_m3h: 18,
      pump_model_id: null,
      dbo5_mg_l: 570,
      dco_mg_l: 1250,
      mes_mg_l: 650,
      activity_threshold_w: 10,
      stop_gap_min: 4,
      min_cycle_min: 2,
      sump: "1",
      sump_volume_m3: null,
      created_at: NOW.toISOString(),
      created_by: ADMIN,
    });
    expect(body.versions).toEqual([body.version]);
    // "1" and "switch:1" are the same channel.
    expect(await versionsOf(1)).toEqual([body.version]);
    expect(await versionsOf(0)).toEqual([]);
  });

  it("splits a version at a date inside it, and merges: left-out fields are copied (bug 14)", async () => {
    await call("POST", versionsUrl(2), {
      effective_from: "2026-01-01",
      name: "PS",
      pump_type: "sortie",
      flow_rate_m3h: 18,
      dbo5_mg_l: 600,
      dco_mg_l: 1300,
      mes_mg_l: 700,
    });
    const split = await call("POST", versionsUrl(2), { effective_from: "2026-02-10", flow_rate_m3h: 9 });
    expect(split.statusCode).toBe(201);
    expect(split.json().kind).toBe("split");
    const versions = await versionsOf(2);
    expect(versions).toMatchObject([
      { effective_from: "2026-01-01", effective_to: "2026-02-10", flow_rate_m3h: 18, version: 1 },
      {
        effective_from: "2026-02-10",
        effective_to: null,
        version: 1,
        flow_rate_m3h: 9,
        name: "PS",
        pump_type: "sortie",
        dbo5_mg_l: 600,
        dco_mg_l: 1300,
        mes_mg_l: 700,
      },
    ]);
    // A date before the first version prepends, still with no gap.
    const prepend = await call("POST", versionsUrl(2), { effective_from: "2025-12-01" });
    expect(prepend.json().kind).toBe("prepend");
    expect((await versionsOf(2)).map((v) => [v.effective_from, v.effective_to])).toEqual([
      ["2025-12-01", "2026-01-01"],
      ["2026-01-01", "2026-02-10"],
      ["2026-02-10", null],
    ]);
  });

  it("corrects the version of the same date: one live version, version + 1 (bug 13)", async () => {
    await call("POST", versionsUrl(0), { effective_from: "2026-01-01", flow_rate_m3h: 18 });
    await call("POST", versionsUrl(0), { effective_from: "2026-02-10", flow_rate_m3h: 9 });
    const first = await call("POST", versionsUrl(0), { effective_from: "2026-02-10", flow_rate_m3h: 10 });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ kind: "correct", version: { version: 2, flow_rate_m3h: 10 } });
    const second = await call("POST", versionsUrl(0), { effective_from: "2026-02-10", flow_rate_m3h: 11 });
    expect(second.json()).toMatchObject({ kind: "correct", version: { version: 3, flow_rate_m3h: 11 } });
    const versions = await versionsOf(0);
    expect(versions.filter((v) => v.effective_from === "2026-02-10")).toEqual([
      expect.objectContaining({ version: 3, flow_rate_m3h: 11, effective_to: null }),
    ]);
    expect(versions).toHaveLength(2);
    expect(second.json().versions).toEqual(versions);
  });

  it("'Enregistrer tout' changes the version in force today, so the history shows the form (bug 15)", async () => {
    await call("POST", versionsUrl(0), { effective_from: "2026-01-01", name: "PR1", flow_rate_m3h: 9.5 });
    const save = await call("PUT", currentUrl(0), { name: "PR1", flow_rate_m3h: 20 });
    expect(save.statusCode).toBe(200);
    expect(save.json()).toMatchObject({ kind: "correct", version: { version: 2, flow_rate_m3h: 20 } });
    const versions = await versionsOf(0);
    expect(versions).toEqual([
      expect.objectContaining({
        effective_from: "2026-01-01",
        effective_to: null,
        flow_rate_m3h: 20,
        version: 2,
      }),
    ]);
    expect(versions.some((v) => v.flow_rate_m3h === 9.5)).toBe(false);
    // Saving the same values again writes nothing.
    const again = await call("PUT", currentUrl(0), { name: "PR1", flow_rate_m3h: 20 });
    expect(again.json()).toMatchObject({ kind: "unchanged", version: { version: 2 } });
    // An explicit null clears the flow rate (an empty débit saves as NULL, bug 42), it never becomes 0.
    const cleared = await call("PUT", currentUrl(0), { flow_rate_m3h: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().version).toMatchObject({ flow_rate_m3h: null, name: "PR1", version: 3 });
  });

  it("with no history, 'Enregistrer tout' starts a first version today (site time zone)", async () => {
    clock.set(new Date("2026-02-19T23:30:00Z")); // already 2026-02-20 in Paris
    const { cookie } = await loginAs(app, t.db, "night@filtreplante.test", "admin");
    const save = await call("PUT", currentUrl(3), { flow_rate_m3h: 12 }, { cookie });
    expect(save.statusCode).toBe(200);
    expect(save.json()).toMatchObject({ kind: "create", version: { effective_from: "2026-02-20" } });
  });

  it.each([
    ["0206-01-01", "date_out_of_range"],
    ["206-01-01", "invalid_date"],
    ["2026-02-30", "invalid_date"],
    ["19/02/2026", "invalid_date"],
  ])("refuses the effective date %s with a French 422 and changes nothing (bug 16)", async (date, code) => {
    await call("POST", versionsUrl(0), { effective_from: "2026-01-01", flow_rate_m3h: 18 });
    const before = await storedState();
    const response = await call("POST", versionsUrl(0), { effective_from: date, flow_rate_m3h: 9 });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code, field: "effective_from" });
    expect(response.json().error.message).toMatch(/date d'effet/);
    expect(await storedState()).toBe(before);
  });

  it("refuses an invalid débit: not a number → 400, negative or zero → 422 naming the field (bug 42)", async () => {
    await call("POST", versionsUrl(0), { effective_from: "2026-01-01", flow_rate_m3h: 18 });
    const before = await storedState();
    const text = await call("PUT", currentUrl(0), { flow_rate_m3h: "abc" });
    expect(text.statusCode).toBe(400);
    expect(text.json().error).toMatchObject({
      code: "invalid_request",
      field: "flow_rate_m3h",
      message: "Valeur attendue : un nombre ou null.",
    });
    for (const value of [-5, 0]) {
      const response = await call("PUT", currentUrl(0), { flow_rate_m3h: value });
      expect(response.statusCode).toBe(422);
      expect(response.json().error).toMatchObject({ code: "invalid_flow_rate", field: "flow_rate_m3h" });
    }
    const concentration = await call("POST", versionsUrl(0), { effective_from: "2026-02-01", dbo5_mg_l: -1 });
    expect(concentration.statusCode).toBe(422);
    expect(concentration.json().error.field).toBe("dbo5_mg_l");
    expect(await storedState()).toBe(before);
  });

  it("refuses an unknown field instead of ignoring it, and an unknown pump model", async () => {
    const before = await storedState();
    const typo = await call("POST", versionsUrl(0), { effective_from: "2026-01-01", flow_rate: 18 });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error).toMatchObject({
      code: "unknown_field",
      message: "Champ inconnu dans la requête. (flow_rate)",
    });
    const model = await call("POST", versionsUrl(0), { effective_from: "2026-01-01", pump_model_id: 999 });
    expect(model.statusCode).toBe(422);
    expect(model.json().error).toMatchObject({ code: "unknown_pump_model", field: "pump_model_id" });
    expect(await storedState()).toBe(before);
  });

  it("answers 404 for an unknown device and 400 for a channel outside 0–3", async () => {
    for (const [method, url, body] of [
      ["GET", versionsUrl(0, "shellypro4pm-000000000000")],
      ["POST", versionsUrl(0, "shellypro4pm-000000000000"), { effective_from: "2026-01-01" }],
      ["PUT", currentUrl(0, "shellypro4pm-000000000000"), { flow_rate_m3h: 3 }],
      ["PUT", "/api/admin/devices/shellypro4pm-000000000000", { name: "X" }],
    ] as [Method, string, unknown?][]) {
      const response = await call(method, url, body);
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe("unknown_device");
      expect(response.json().error.message).toMatch(/^Appareil inconnu/);
    }
    for (const channel of ["4", "switch:4", "-1", "x"]) {
      expect((await call("GET", versionsUrl(channel))).statusCode).toBe(400);
    }
    const stored = await t.db.query("SELECT 1 FROM channel_config_versions WHERE device_id = $1", [device]);
    expect(stored.rowCount).toBe(0);
  });
});

describe("device names", () => {
  it("renames a device, and null or an empty name clears it", async () => {
    const url = `/api/admin/devices/${device}`;
    const shownName = async () => {
      const list = (await call("GET", "/api/devices")).json().devices as {
        device_id: string;
        name: string;
      }[];
      return list.find((d) => d.device_id === device)?.name;
    };
    const renamed = await call("PUT", url, { name: "  Client 1 " });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toEqual({ device_id: device, name: "Client 1" });
    expect(await shownName()).toBe("Client 1");
    for (const name of [null, ""]) {
      await call("PUT", url, { name: "Client 1" });
      const cleared = await call("PUT", url, { name });
      expect(cleared.json()).toEqual({ device_id: device, name: null });
      expect(await shownName()).toBe(device);
    }
    const tooLong = await call("PUT", url, { name: "x".repeat(101) });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().error).toMatchObject({ code: "invalid_device_name", field: "name" });
  });
});

describe("pump models", () => {
  it("lists the models with the predecessor's labels (bug 41)", async () => {
    const response = await call("GET", "/api/admin/pump-models");
    expect(response.statusCode).toBe(200);
    expect(response.json().pump_models).toEqual([
      expect.objectContaining({
        id: 2,
        name: "Pedrollo DM/8",
        power_kw: 0.55,
        current_a: 3.2,
        nominal_flow_m3h_hmt8: null,
        label: "Pedrollo DM/8 (0.55 kW, 3.2 A)",
      }),
      expect.objectContaining({
        id: 1,
        name: "Pedrollo VXM 10/35",
        nominal_flow_m3h_hmt8: 18,
        label: "Pedrollo VXM 10/35 (0.75 kW, 4.8 A, 18 m³/h si HMT 8)",
      }),
    ]);
  });

  it("creates, updates and deletes a model", async () => {
    const created = await call("POST", "/api/admin/pump-models", {
      name: "Flygt 3045",
      power_kw: 1.2,
      current_a: 6.1,
      nominal_flow_m3h_hmt8: 22,
    });
    expect(created.statusCode).toBe(201);
    const model = created.json();
    expect(model).toMatchObject({
      name: "Flygt 3045",
      power_kw: 1.2,
      current_a: 6.1,
      nominal_flow_m3h_hmt8: 22,
    });
    expect(model.created_at).toBe(NOW.toISOString());
    expect(model.updated_at).toBeNull();

    const updated = await call("PUT", `/api/admin/pump-models/${model.id}`, {
      name: "Flygt 3045 HT",
      power_kw: 1.3,
      current_a: 6.5,
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      id: model.id,
      name: "Flygt 3045 HT",
      nominal_flow_m3h_hmt8: null,
    });
    expect(updated.json().label).toBe("Flygt 3045 HT (1.3 kW, 6.5 A)");

    const names = async () =>
      (await call("GET", "/api/admin/pump-models")).json().pump_models.map((m: { name: string }) => m.name);
    expect(await names()).toContain("Flygt 3045 HT");
    const deleted = await call("DELETE", `/api/admin/pump-models/${model.id}`);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe("");
    expect(await names()).not.toContain("Flygt 3045 HT");

    for (const [method, body] of [["DELETE"], ["PUT", { name: "X", power_kw: 1, current_a: 1 }]] as const) {
      const missing = await call(method, `/api/admin/pump-models/${model.id}`, body);
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe("pump_model_not_found");
    }
  });

  it("refuses to delete a model a channel uses, with the count (bug 40)", async () => {
    const create = async (name: string) =>
      (await call("POST", "/api/admin/pump-models", { name, power_kw: 1, current_a: 2 })).json().id as number;
    const used = await create("Modèle utilisé");
    const unused = await create("Modèle libre");
    await call("POST", versionsUrl(0), { effective_from: "2026-01-01", pump_model_id: used });
    await call("POST", versionsUrl(1), { effective_from: "2026-01-01", pump_model_id: used });
    // Even a model used only in the past is kept.
    await call("POST", versionsUrl(1), { effective_from: "2026-02-01", pump_model_id: null });
    const before = await storedState();
    const refused = await call("DELETE", `/api/admin/pump-models/${used}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("pump_model_in_use");
    expect(refused.json().error.message).toContain("utilisé par 2 canaux");
    expect(await storedState()).toBe(before);
    // The unused one goes.
    expect((await call("DELETE", `/api/admin/pump-models/${unused}`)).statusCode).toBe(204);
  });

  it.each([
    [{ name: "P", power_kw: 0, current_a: 2 }, 422, "power_kw"],
    [{ name: "P", power_kw: -1, current_a: 2 }, 422, "power_kw"],
    [{ name: "P", power_kw: 1, current_a: 0 }, 422, "current_a"],
    [{ name: "", power_kw: 1, current_a: 2 }, 422, "name"],
    [{ name: "   ", power_kw: 1, current_a: 2 }, 422, "name"],
    [{ name: "x".repeat(101), power_kw: 1, current_a: 2 }, 422, "name"],
    [{ name: "P", power_kw: 1, current_a: 2, nominal_flow_m3h_hmt8: 0 }, 422, "nominal_flow_m3h_hmt8"],
    [{ name: "P", power_kw: "abc", current_a: 2 }, 400, null],
    [{ power_kw: 1, current_a: 2 }, 400, null],
    [{ name: "P", power_kw: 1, current_a: 2, flow: 3 }, 400, null],
  ])("refuses %j (%i), storing nothing", async (body, status, field) => {
    const before = await storedState();
    for (const [method, url] of [
      ["POST", "/api/admin/pump-models"],
      ["PUT", "/api/admin/pump-models/1"],
    ] as const) {
      const response = await call(method, url, body);
      expect(response.statusCode).toBe(status);
      if (field) expect(response.json().error.field).toBe(field);
      expect(response.json().error.message).toMatch(/[a-zé]/);
    }
    expect(await storedState()).toBe(before);
  });

  it("refuses a name already taken, whatever its case (409)", async () => {
    const response = await call("POST", "/api/admin/pump-models", {
      name: "pedrollo dm/8",
      power_kw: 1,
      current_a: 2,
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: "pump_model_name_taken", field: "name" });
  });
});

describe("API keys", () => {
  it("creates a key shown once that works for ingestion, lists it without secret, and revokes it", async () => {
    const created = await call("POST", "/api/admin/api-keys", { name: "collecteur site A" });
    expect(created.statusCode).toBe(201);
    expect(created.headers["cache-control"]).toBe("no-store");
    const { id, key, name, created_at } = created.json();
    expect(name).toBe("collecteur site A");
    expect(new Date(created_at).toISOString()).toBe(created_at);
    expect(key).toMatch(/^pwk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);

    expect((await ingest(key)).statusCode).toBe(200);

    const list = await call("GET", "/api/admin/api-keys");
    expect(list.json().api_keys).toEqual([
      {
        id,
        name: "collecteur site A",
        created_at,
        created_by: ADMIN,
        last_used_at: NOW.toISOString(),
        revoked_at: null,
      },
    ]);
    const secret = key.split("_").slice(2).join("_");
    const lookup = key.split("_")[1];
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toContain(lookup);
    expect(list.body).not.toMatch(/hash|secret|"key"/i);

    clock.advance(60_000);
    const revoked = await call("DELETE", `/api/admin/api-keys/${id}`);
    expect(revoked.statusCode).toBe(204);
    expect((await ingest(key)).statusCode).toBe(401);
    expect((await call("GET", "/api/admin/api-keys")).json().api_keys[0].revoked_at).toBe(
      new Date(NOW.getTime() + 60_000).toISOString(),
    );

    for (const target of [id, 999]) {
      const again = await call("DELETE", `/api/admin/api-keys/${target}`);
      expect(again.statusCode).toBe(404);
      expect(again.json().error).toMatchObject({
        code: "api_key_not_found",
        message: "Clé d'API introuvable ou déjà révoquée.",
      });
    }
    expect((await call("DELETE", "/api/admin/api-keys/abc")).statusCode).toBe(400);
  });

  it.each([[""], ["   "], ["x".repeat(101)]])("refuses the name %j with a French 422", async (name) => {
    const response = await call("POST", "/api/admin/api-keys", { name });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe("invalid_api_key_name");
    expect(await t.db.query("SELECT 1 FROM api_keys")).toMatchObject({ rowCount: 0 });
  });
});

describe("factor sets", () => {
  it("lists every set with its coefficients, choices and sources", async () => {
    const response = await call("GET", "/api/admin/factor-sets");
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.default_factor_set).toBe("fp-2026");
    expect(body.factor_sets.map((s: { id: string }) => s.id)).toEqual(["fp-2026", "ipcc-2019-vf"]);
    const [fp, ipcc] = body.factor_sets;
    expect(fp).toMatchObject({
      label: FP_2026.label,
      reference_scenario: "fosse-standard",
      gwp_label: "PRG CH₄ = 28, GIEC AR5",
      coefficients: {
        bo_kg_ch4_per_kg_dbo5: 0.6,
        mcf_reference: 0.5,
        mcf_filter: 0.03,
        gwp_ch4: 28,
        effluent: null,
      },
      sources: [...FP_2026.sources],
    });
    expect(ipcc.reference_scenarios.map((r: { id: string }) => r.id)).toEqual([
      "untreated",
      "septic",
      "aerobic",
    ]);
    expect(ipcc.reference_scenarios.filter((r: { default: boolean }) => r.default)).toHaveLength(1);
    expect(ipcc.gwp_choices).toEqual([
      expect.objectContaining({ id: "ar5", gwp_ch4: 28, default: true }),
      expect.objectContaining({ id: "ar6", gwp_ch4: 27, default: false }),
    ]);
    expect(ipcc.coefficients.effluent).toMatchObject({ outlet_dbo5_mg_l: 25, outlet_dco_mg_l: 125 });
    for (const set of body.factor_sets) expect(set.sources.length).toBeGreaterThan(0);
  });
});

describe("error bodies", () => {
  it("never carry SQL, a stack trace or a file path", () => {
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) {
      expect(body).not.toMatch(/\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/);
      expect(body).not.toMatch(/\bat \S+ \(|\.ts:\d+|node_modules|stack/i);
    }
  });
});
