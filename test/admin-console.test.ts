import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
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

// The administration screens of issue 7: devices and channels, users, settings, audit, version preview.
// 2026-11-28 00:30 in Paris is still 2026-11-27 in UTC: "today" is the site's date.
const NOW = new Date("2026-11-27T23:30:00Z");
const TODAY = "2026-11-28";
const ADMIN = "admin@filtreplante.test";
const VIEWER = "viewer@filtreplante.test";

let t: TestDatabase;
let app: App;
const clock = new FakeClock(NOW);
let adminCookie: string;
let viewerCookie: string;
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

function ingest(src: string) {
  return app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "content-type": "application/json", "x-api-key": BOOTSTRAP_KEY },
    payload: JSON.stringify({ messages: captureFrames().map((f) => toQueueMessage({ ...f, src })) }),
  });
}

let devices = 0;
let device = DEVICE;
async function newDevice(): Promise<string> {
  devices += 1;
  const id = `shellypro4pm-cons${String(devices).padStart(8, "0")}`;
  expect((await ingest(id)).statusCode).toBe(200);
  return id;
}

const versionsUrl = (channel: number, id = device) => `/api/admin/channels/${id}/${channel}/versions`;
const configUrl = (id = device) => `/api/admin/devices/${id}/configuration`;

async function versionsOf(channel: number, id = device) {
  const response = await call("GET", versionsUrl(channel, id));
  expect(response.statusCode).toBe(200);
  return response.json().versions as Record<string, unknown>[];
}

async function auditRows() {
  const { rows } = await t.db.query<{ entity: string; action: string; device_id: string | null }>(
    "SELECT entity, action, device_id, actor FROM config_audit ORDER BY id",
  );
  return rows;
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount, timeZone: "Europe/Paris" });
  expect((await ingest(DEVICE)).statusCode).toBe(200);
  await createTestUser(t.db, ADMIN, "admin");
  await createTestUser(t.db, VIEWER, "viewer");
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});
beforeEach(async () => {
  clock.set(NOW);
  adminCookie = (await loginAs(app, t.db, ADMIN)).cookie;
  viewerCookie = (await loginAs(app, t.db, VIEWER)).cookie;
  device = await newDevice();
});

async function storedState() {
  const tables = ["channel_config_versions", "devices", "users", "config_audit"];
  const out: unknown[] = [];
  for (const table of tables) out.push((await t.db.query(`SELECT * FROM ${table} ORDER BY 1, 2`)).rows);
  return JSON.stringify(out);
}

const ROUTES: [Method, string, unknown?][] = [
  ["GET", "/api/admin/devices"],
  ["PUT", `/api/admin/devices/${DEVICE}/configuration`, { channels: [{ channel: 0, flow_rate_m3h: 5 }] }],
];

describe("access to the issue 7 admin endpoints", () => {
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
    "%s %s: 403 without X-Requested-With or from another origin",
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
});

describe("devices overview", () => {
  it("lists each device with the version of each of its 4 channels in force today", async () => {
    await call("POST", versionsUrl(1), { effective_from: "2026-01-01", name: "PR1", flow_rate_m3h: 18 });
    await call("POST", versionsUrl(1), { effective_from: "2026-12-15", flow_rate_m3h: 30 });
    await call("POST", versionsUrl(2), {
      effective_from: "2026-11-28",
      name: "PS",
      pump_type: "sortie",
      dbo5_mg_l: 600,
    });
    await call("PUT", `/api/admin/devices/${device}`, { name: "Client 1" });
    const response = await call("GET", "/api/admin/devices");
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.today).toBe(TODAY);
    const mine = body.devices.find((d: { device_id: string }) => d.device_id === device);
    expect(mine).toMatchObject({ name: "Client 1", dbo5_mg_l: 570, dco_mg_l: 1250, mes_mg_l: 650 });
    expect(new Date(mine.last_seen).toISOString()).toBe(mine.last_seen);
    expect(mine.channels.map((c: { channel: number }) => c.channel)).toEqual([0, 1, 2, 3]);
    expect(mine.channels[0].version).toBeNull();
    expect(mine.channels[3].version).toBeNull();
    // The 18 m³/h version is in force today; the one of 15/12 is not yet.
    expect(mine.channels[1].version).toMatchObject({
      name: "PR1",
      flow_rate_m3h: 18,
      effective_from: "2026-01-01",
      effective_to: "2026-12-15",
      pump_type: "relevage",
      activity_threshold_w: 10,
      version: 1,
    });
    expect(mine.channels[1].version.id).toEqual(expect.any(Number));
    expect(mine.channels[2].version).toMatchObject({ name: "PS", pump_type: "sortie", dbo5_mg_l: 600 });
    const other = body.devices.find((d: { device_id: string }) => d.device_id === DEVICE);
    expect(other.name).toBeNull();
  });
});

describe("device card save", () => {
  it("writes a version dated today for each changed channel, corrects today's, leaves the others (bug 15)", async () => {
    await call("POST", versionsUrl(0), { effective_from: "2026-01-01", name: "PR1", flow_rate_m3h: 9.5 });
    await call("POST", versionsUrl(1), { effective_from: "2026-01-01", name: "PS", pump_type: "sortie" });
    await call("POST", versionsUrl(2), { effective_from: TODAY, name: "Surpresseur", flow_rate_m3h: 3 });
    const save = await call("PUT", configUrl(), {
      name: "Client 1",
      channels: [
        { channel: 0, name: "PR1", pump_type: "relevage", flow_rate_m3h: 20, pump_model_id: 1 },
        { channel: "switch:1", name: "PS", pump_type: "sortie", flow_rate_m3h: null },
        { channel: 2, name: "Surpresseur", flow_rate_m3h: 4 },
      ],
    });
    expect(save.statusCode).toBe(200);
    const body = save.json();
    expect(body).toMatchObject({
      device_id: device,
      name: "Client 1",
      name_changed: true,
      effective_from: TODAY,
    });
    expect(body.channels.map((c: { channel: number; result: string }) => [c.channel, c.result])).toEqual([
      [0, "created"],
      [1, "unchanged"],
      [2, "corrected"],
    ]);
    expect(body.message).toBe(
      "Nom de l'appareil enregistré ; Nouvelle version datée du 28/11/2026 pour PR1 ; " +
        "Version du 28/11/2026 corrigée pour Surpresseur ; PS inchangé.",
    );
    // The "Actif" version shows what the form showed; the 9.5 m³/h stays in the past, up to yesterday.
    expect((await versionsOf(0)).map((v) => [v.effective_from, v.effective_to, v.flow_rate_m3h])).toEqual([
      ["2026-01-01", TODAY, 9.5],
      [TODAY, null, 20],
    ]);
    expect(body.channels[0].version).toMatchObject({
      effective_from: TODAY,
      flow_rate_m3h: 20,
      pump_model_id: 1,
    });
    expect(await versionsOf(1)).toHaveLength(1);
    expect(await versionsOf(2)).toEqual([
      expect.objectContaining({ effective_from: TODAY, version: 2, flow_rate_m3h: 4 }),
    ]);
    // Audited, every row with its device.
    const audit = (await auditRows()).filter((r) => r.device_id === device);
    expect(audit.map((r) => `${r.entity}:${r.action}`)).toEqual([
      "channel_version:create",
      "channel_version:create",
      "channel_version:create",
      "device:rename",
      "channel_version:close",
      "channel_version:create",
      "channel_version:supersede",
      "channel_version:create",
    ]);
    // Saving the same card again writes nothing.
    const before = await storedState();
    const again = await call("PUT", configUrl(), {
      name: "Client 1",
      channels: [{ channel: 0, name: "PR1", flow_rate_m3h: 20 }],
    });
    expect(again.json()).toMatchObject({
      name_changed: false,
      channels: [{ channel: 0, result: "unchanged" }],
    });
    expect(again.json().message).toBe("PR1 inchangé.");
    expect(await storedState()).toBe(before);
  });

  it("applies the card's water quality to each channel, and an empty débit saves as NULL (bug 42)", async () => {
    await call("POST", versionsUrl(0), { effective_from: "2026-01-01", flow_rate_m3h: 12 });
    const save = await call("PUT", configUrl(), {
      channels: [
        { channel: 0, flow_rate_m3h: "" },
        { channel: 3, flow_rate_m3h: "7,5" },
      ],
      dbo5_mg_l: 600,
      dco_mg_l: 1300,
      mes_mg_l: 700,
    });
    expect(save.statusCode).toBe(200);
    expect(save.json().channels).toEqual([
      expect.objectContaining({ channel: 0, result: "created" }),
      expect.objectContaining({ channel: 3, result: "created" }),
    ]);
    const [zero] = (await versionsOf(0)).slice(-1);
    expect(zero).toMatchObject({ flow_rate_m3h: null, dbo5_mg_l: 600, dco_mg_l: 1300, mes_mg_l: 700 });
    const { rows } = await t.db.query(
      "SELECT flow_rate_m3h FROM channel_config_versions WHERE device_id = $1 AND channel = 0 AND effective_from = $2",
      [device, TODAY],
    );
    expect(rows).toEqual([{ flow_rate_m3h: null }]);
    expect((await versionsOf(3))[0]).toMatchObject({
      flow_rate_m3h: 7.5,
      effective_from: TODAY,
      dbo5_mg_l: 600,
    });
    expect(save.json().name).toBeNull();
  });

  it.each([
    [
      {
        channels: [
          { channel: 0, flow_rate_m3h: 5 },
          { channel: 1, flow_rate_m3h: -2 },
        ],
      },
      "channels.1.flow_rate_m3h",
      "invalid_flow_rate",
    ],
    [{ channels: [{ channel: 0, flow_rate_m3h: 0 }] }, "channels.0.flow_rate_m3h", "invalid_flow_rate"],
    [{ channels: [{ channel: 0, flow_rate_m3h: "abc" }] }, "channels.0.flow_rate_m3h", "invalid_flow_rate"],
    [
      { channels: [{ channel: 2, activity_threshold_w: 0 }] },
      "channels.0.activity_threshold_w",
      "invalid_threshold",
    ],
    [{ channels: [{ channel: 0, pump_model_id: 999 }] }, "channels.0.pump_model_id", "unknown_pump_model"],
    [{ channels: [{ channel: 0, name: "x".repeat(101) }] }, "channels.0.name", "invalid_name"],
    [{ channels: [{ channel: 0 }, { channel: "switch:0" }] }, "channels.1.channel", "duplicate_channel"],
    [{ channels: [{ channel: 4 }] }, "channels.0.channel", "invalid_channel"],
    [{ channels: [{ channel: 0 }], dbo5_mg_l: -1 }, "dbo5_mg_l", "invalid_concentration"],
    [{ channels: [], name: "y".repeat(101) }, "name", "invalid_device_name"],
  ])("refuses %j with a French 422 naming %s, storing nothing", async (body, field, code) => {
    await call("POST", versionsUrl(1), { effective_from: "2026-01-01", flow_rate_m3h: 12 });
    const before = await storedState();
    const response = await call("PUT", configUrl(), body);
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code, field });
    expect(response.json().error.message).toMatch(/[a-zé]{3}/);
    expect(await storedState()).toBe(before);
  });

  it("refuses unknown fields, at the card and in a channel, and an unknown device", async () => {
    const before = await storedState();
    const typo = await call("PUT", configUrl(), { channels: [{ channel: 0, flow_rate: 3 }] });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error).toMatchObject({ code: "unknown_field" });
    expect(typo.json().error.message).toContain("channels.0.flow_rate");
    expect((await call("PUT", configUrl(), { channels: [], dbo5: 3 })).statusCode).toBe(400);
    const unknown = await call("PUT", configUrl("shellypro4pm-000000000000"), { channels: [{ channel: 0 }] });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("unknown_device");
    expect(await storedState()).toBe(before);
  });

  it("a valid channel is not saved when another one of the card is invalid (one transaction)", async () => {
    const before = await storedState();
    const response = await call("PUT", configUrl(), {
      name: "Nouveau nom",
      channels: [
        { channel: 0, flow_rate_m3h: 5 },
        { channel: 3, flow_rate_m3h: 5, pump_model_id: 999 },
      ],
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.field).toBe("channels.1.pump_model_id");
    expect(await storedState()).toBe(before);
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
