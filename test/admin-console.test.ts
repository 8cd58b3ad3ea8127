import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { disableAccount } from "../src/admin/user-admin.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
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
  ["POST", `/api/admin/channels/${DEVICE}/0/versions/preview`, { effective_from: "2026-01-01" }],
  ["GET", "/api/admin/users"],
  ["POST", "/api/admin/users", { email: "new@filtreplante.test", role: "viewer" }],
  ["PUT", "/api/admin/users/1/role", { role: "viewer" }],
  ["POST", "/api/admin/users/1/disable"],
  ["POST", "/api/admin/users/1/enable"],
  ["POST", "/api/admin/users/1/password", {}],
  ["GET", "/api/admin/settings"],
  ["PUT", "/api/admin/settings", { grid_factor: null }],
  ["GET", "/api/admin/audit"],
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

  it("tells which channels ever sent a reading", async () => {
    const id = "shellypro4pm-seen00000001";
    await ingestRuns(run(id, 1, "2026-11-20T08:00:00Z", 3, 500));
    const body = (await call("GET", "/api/admin/devices")).json();
    const only1 = body.devices.find((d: { device_id: string }) => d.device_id === id);
    expect(only1.channels.map((c: { seen: boolean }) => c.seen)).toEqual([false, true, false, false]);
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
      "Nom de l'appareil enregistré ; nouvelle version datée du 28/11/2026 pour PR1 ; " +
        "version du 28/11/2026 corrigée pour Surpresseur ; PS inchangé.",
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

const at = (iso: string) => Date.parse(iso) / 1000;

/** One reading a minute at `watts` from `startIso`, for `minutes` minutes, on one channel. */
function run(id: string, channel: number, startIso: string, minutes: number, watts: number) {
  return Array.from({ length: minutes }, (_, i) => ({
    src: id,
    timestamp: at(startIso) + i * 60,
    params: { [`switch:${channel}`]: { apower: watts, current: watts / 230, voltage: 230 } },
  }));
}

async function ingestRuns(messages: unknown[]) {
  const summary = await ingestBatch(t.db, messages, { nowS: at(NOW.toISOString()), receivedAt: NOW });
  expect(summary.errors).toBe(0);
}

describe("version preview", () => {
  const previewUrl = (channel: number) => `${versionsUrl(channel)}/preview`;
  const cyclesSummary = async (from: string, to: string) => {
    const response = await call("GET", `/api/cycles?device_id=${device}&channel=1&from=${from}&to=${to}`);
    expect(response.statusCode).toBe(200);
    const s = response.json().summary;
    return {
      cycles: s.cycles,
      treated_volume_m3: s.treated_volume_m3,
      energy_kwh: s.energy_kwh,
      co2e_avoided_kg: s.co2e_avoided_kg,
    };
  };

  beforeEach(async () => {
    await call("POST", versionsUrl(1), { effective_from: "2026-11-01", name: "PR1", flow_rate_m3h: 10 });
    await ingestRuns([
      ...run(device, 1, "2026-11-05T08:00:00Z", 60, 1200),
      ...run(device, 1, "2026-11-15T08:00:00Z", 30, 1200),
      ...run(device, 1, "2026-11-25T08:00:00Z", 45, 1200),
    ]);
  });

  it("splits: the figures before and after are those /api/cycles gives before and after saving", async () => {
    const before = await storedState();
    const response = await call("POST", previewUrl(1), { effective_from: "2026-11-10", flow_rate_m3h: 20 });
    expect(response.statusCode).toBe(200);
    const preview = response.json();
    expect(await storedState()).toBe(before);
    expect(preview).toMatchObject({
      action: "split",
      affected: { from: "2026-11-10", to: TODAY },
      detection_changed: false,
      factor_set: "fp-2026",
      version: { effective_from: "2026-11-10", effective_to: null, flow_rate_m3h: 20, name: "PR1" },
    });
    expect(preview.versions.map((v: { effective_from: string }) => v.effective_from)).toEqual([
      "2026-11-01",
      "2026-11-10",
    ]);
    expect(preview.explanation).toBe(
      "Coupe la version commencée le 01/11/2026 : la nouvelle version s'applique à partir du 10/11/2026, " +
        "sans date de fin. Chiffres recalculés du 10/11/2026 au 28/11/2026.",
    );
    // Two cycles (15th and 25th) in the affected days; the flow doubles, so does the volume.
    expect(preview.before.cycles).toBe(2);
    expect(preview.after.cycles).toBe(2);
    expect(preview.before.treated_volume_m3).toBeGreaterThan(0);
    expect(preview.after.treated_volume_m3).toBeCloseTo(2 * preview.before.treated_volume_m3, 1);
    expect(preview.after.energy_kwh).toBe(preview.before.energy_kwh);
    expect(preview.after.co2e_avoided_kg).toBeGreaterThan(preview.before.co2e_avoided_kg);

    expect(await cyclesSummary("2026-11-10", TODAY)).toEqual(preview.before);
    const saved = await call("POST", versionsUrl(1), { effective_from: "2026-11-10", flow_rate_m3h: 20 });
    expect(saved.statusCode).toBe(201);
    expect(await cyclesSummary("2026-11-10", TODAY)).toEqual(preview.after);
  });

  it("corrects the first version: dates before it change too, and the figures still match after saving", async () => {
    const response = await call("POST", previewUrl(1), { effective_from: "2026-11-01", dbo5_mg_l: 1000 });
    const preview = response.json();
    expect(preview).toMatchObject({ action: "correct", affected: { from: "2026-11-01", to: TODAY } });
    expect(preview.explanation).toContain("Corrige la version du 01/11/2026 (version 1 → 2)");
    expect(preview.before.cycles).toBe(3);
    expect(preview.after.treated_volume_m3).toBe(preview.before.treated_volume_m3);
    expect(preview.after.co2e_avoided_kg).toBeCloseTo((preview.before.co2e_avoided_kg * 1000) / 570, 0);
    await call("POST", versionsUrl(1), { effective_from: "2026-11-01", dbo5_mg_l: 1000 });
    expect(await cyclesSummary("2026-11-01", TODAY)).toEqual(preview.after);
  });

  it("ends the affected days at the day before the next version, and says when only future days change", async () => {
    await call("POST", versionsUrl(1), { effective_from: "2026-11-20", flow_rate_m3h: 12 });
    const split = (
      await call("POST", previewUrl(1), { effective_from: "2026-11-10", flow_rate_m3h: 5 })
    ).json();
    expect(split.affected).toEqual({ from: "2026-11-10", to: "2026-11-19" });
    expect(split.version.effective_to).toBe("2026-11-20");
    expect(split.before.cycles).toBe(1);
    await call("POST", versionsUrl(1), { effective_from: "2026-11-10", flow_rate_m3h: 5 });
    expect(await cyclesSummary("2026-11-10", "2026-11-19")).toEqual(split.after);

    const future = (
      await call("POST", previewUrl(1), { effective_from: "2026-12-15", flow_rate_m3h: 30 })
    ).json();
    expect(future).toMatchObject({ action: "split", affected: null, before: null, after: null });
    expect(future.explanation).toContain("Aucun jour passé n'est concerné");
  });

  it("says when the change moves today's detection settings (the cycles would be re-detected)", async () => {
    const past = (
      await call("POST", previewUrl(1), { effective_from: "2026-11-10", activity_threshold_w: 50 })
    ).json();
    expect(past.detection_changed).toBe(true);
    const bounded = await call("POST", versionsUrl(1), { effective_from: "2026-11-20", flow_rate_m3h: 12 });
    expect(bounded.statusCode).toBe(201);
    // Ends before today: today's settings do not move.
    const before = (
      await call("POST", previewUrl(1), { effective_from: "2026-11-10", activity_threshold_w: 50 })
    ).json();
    expect(before.detection_changed).toBe(false);
  });

  it("refuses what POST …/versions refuses: year 206 (bug 16), a negative débit, an unknown device", async () => {
    const before = await storedState();
    for (const [body, field] of [
      [{ effective_from: "0206-01-01" }, "effective_from"],
      [{ effective_from: "2026-11-10", flow_rate_m3h: -1 }, "flow_rate_m3h"],
      [{ effective_from: "2026-11-10", pump_model_id: 999 }, "pump_model_id"],
    ] as const) {
      const response = await call("POST", previewUrl(1), body);
      expect(response.statusCode).toBe(422);
      expect(response.json().error.field).toBe(field);
    }
    const unknown = await call("POST", `/api/admin/channels/shellypro4pm-000000000000/1/versions/preview`, {
      effective_from: "2026-11-10",
    });
    expect(unknown.statusCode).toBe(404);
    expect(await storedState()).toBe(before);
  });
});

describe("settings", () => {
  it("defaults to the code's factor set and no grid factor; a save is used by /api/cycles at once", async () => {
    await call("POST", versionsUrl(1), { effective_from: "2026-11-01", flow_rate_m3h: 10 });
    await ingestRuns(run(device, 1, "2026-11-15T08:00:00Z", 30, 1200));
    const summary = async () =>
      (await call("GET", `/api/cycles?device_id=${device}&from=2026-11-01&to=${TODAY}`)).json().summary;
    await t.db.query("DELETE FROM app_settings");
    const initial = await call("GET", "/api/admin/settings");
    expect(initial.statusCode).toBe(200);
    expect(initial.json()).toMatchObject({
      factor_set: { id: "fp-2026", reference: null, gwp: null, origin: "default" },
      grid_factor: null,
      grid_factor_origin: "none",
      updated_at: null,
    });
    const fp = await summary();
    expect(fp.factor_set).toBe("fp-2026");
    expect(fp.electricity_co2e_kg).toBeNull();

    const saved = await call("PUT", "/api/admin/settings", {
      factor_set: { id: "ipcc-2019-vf", reference: "septic", gwp: "ar6" },
      grid_factor: { kg_co2e_per_kwh: 0.052, source: "ADEME Base Empreinte" },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      factor_set: { id: "ipcc-2019-vf", reference: "septic", gwp: "ar6", origin: "stored" },
      grid_factor: { kg_co2e_per_kwh: 0.052, source: "ADEME Base Empreinte" },
      grid_factor_origin: "stored",
      updated_at: NOW.toISOString(),
      updated_by: ADMIN,
    });
    expect(saved.json().factor_set.gwp_label).toContain("27");
    const ipcc = await summary();
    expect(ipcc.factor_set).toBe("ipcc-2019-vf");
    expect(ipcc.grid_factor_source).toBe("ADEME Base Empreinte");
    expect(ipcc.electricity_co2e_kg).toBeCloseTo(ipcc.energy_kwh * 0.052, 2);
    expect(ipcc.co2e_avoided_kg).not.toBe(fp.co2e_avoided_kg);
    // A request naming a set still gets that set.
    const named = (
      await call("GET", `/api/cycles?device_id=${device}&from=2026-11-01&factor_set=fp-2026`)
    ).json();
    expect(named.summary.factor_set).toBe("fp-2026");

    const audit = (await auditRows()).filter((r) => r.entity === "settings");
    expect(audit.map((r) => r.action)).toEqual(["update", "update"]);
    // Saving the same values again writes and audits nothing.
    await call("PUT", "/api/admin/settings", {
      grid_factor: { kg_co2e_per_kwh: 0.052, source: "ADEME Base Empreinte" },
    });
    expect((await auditRows()).filter((r) => r.entity === "settings")).toHaveLength(2);
    await call("PUT", "/api/admin/settings", { factor_set: { id: "fp-2026" }, grid_factor: null });
    expect((await summary()).electricity_co2e_kg).toBeNull();
  });

  it("uses GRID_CO2E_* while no factor is stored, and a stored null overrides them", async () => {
    const env = await createTestApp(t.db, {
      clock,
      migrationCount: t.migrationCount,
      timeZone: "Europe/Paris",
      gridFactor: { kgCo2ePerKwh: 0.4, source: "Réseau national (env)" },
    });
    try {
      const get = async () =>
        (await env.inject({ url: "/api/admin/settings", headers: { cookie: adminCookie } })).json();
      await t.db.query("DELETE FROM app_settings");
      expect(await get()).toMatchObject({
        grid_factor: { kg_co2e_per_kwh: 0.4, source: "Réseau national (env)" },
        grid_factor_origin: "environment",
      });
      const put = await env.inject({
        method: "PUT",
        url: "/api/admin/settings",
        headers: { cookie: adminCookie, "content-type": "application/json", ...SAME_ORIGIN },
        payload: JSON.stringify({ grid_factor: null }),
      });
      expect(put.statusCode).toBe(200);
      expect(await get()).toMatchObject({ grid_factor: null, grid_factor_origin: "stored" });
    } finally {
      await env.close();
      await t.db.query("DELETE FROM app_settings");
    }
  });

  it.each([
    [{ factor_set: { id: "ademe" } }, "factor_set.id"],
    [{ factor_set: { id: "fp-2026", reference: "septic" } }, "factor_set.reference"],
    [{ factor_set: { id: "ipcc-2019-vf", reference: "lagoon" } }, "factor_set.reference"],
    [{ factor_set: { id: "ipcc-2019-vf", gwp: "ar4" } }, "factor_set.gwp"],
    [{ grid_factor: { kg_co2e_per_kwh: 3, source: "ADEME" } }, "grid_factor.kg_co2e_per_kwh"],
    [{ grid_factor: { kg_co2e_per_kwh: -0.1, source: "ADEME" } }, "grid_factor.kg_co2e_per_kwh"],
    [{ grid_factor: { kg_co2e_per_kwh: 0.1, source: "  " } }, "grid_factor.source"],
  ])("refuses %j with a French 422 naming %s, storing nothing", async (body, field) => {
    const before = JSON.stringify((await t.db.query("SELECT * FROM app_settings ORDER BY key")).rows);
    const response = await call("PUT", "/api/admin/settings", body);
    expect(response.statusCode).toBe(422);
    expect(response.json().error.field).toBe(field);
    expect(response.json().error.message).toMatch(/[a-zé]{3}/);
    expect(JSON.stringify((await t.db.query("SELECT * FROM app_settings ORDER BY key")).rows)).toBe(before);
  });

  it("refuses unknown fields, nested ones included", async () => {
    expect((await call("PUT", "/api/admin/settings", { grid: null })).statusCode).toBe(400);
    const nested = await call("PUT", "/api/admin/settings", {
      grid_factor: { kg_co2e_per_kwh: 0.1, source: "ADEME", year: 2024 },
    });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error.message).toContain("grid_factor.year");
  });
});

describe("users", () => {
  const userUrl = (id: number, action: string) => `/api/admin/users/${id}/${action}`;
  const login = (email: string, password: string) =>
    app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { "content-type": "application/json", ...SAME_ORIGIN },
      payload: JSON.stringify({ email, password }),
    });
  let users = 0;
  const email = () => {
    users += 1;
    return `user${users}@filtreplante.test`;
  };

  it("lists the accounts with role, state and last login", async () => {
    const response = await call("GET", "/api/admin/users");
    expect(response.statusCode).toBe(200);
    const admin = response.json().users.find((u: { email: string }) => u.email === ADMIN);
    expect(admin).toMatchObject({
      role: "admin",
      active: true,
      disabled_at: null,
      last_login_at: NOW.toISOString(),
    });
    expect(response.body).not.toMatch(/argon2|password/);
  });

  it("creates an account with a given or a generated password, shown once, that logs in", async () => {
    const given = await call("POST", "/api/admin/users", {
      email: ` ${email()} `,
      role: "viewer",
      password: "a long enough password",
    });
    expect(given.statusCode).toBe(201);
    expect(given.json()).toMatchObject({
      user: { role: "viewer", active: true, created_by: ADMIN, last_login_at: null },
      password: null,
    });
    expect((await login(given.json().user.email, "a long enough password")).statusCode).toBe(200);

    const generated = await call("POST", "/api/admin/users", { email: email(), role: "admin" });
    expect(generated.statusCode).toBe(201);
    const { password, user } = generated.json();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await login(user.email, password)).statusCode).toBe(200);
    const { rows } = await t.db.query<{ after: unknown }>(
      "SELECT after FROM config_audit WHERE entity = 'user' AND entity_key = $1",
      [String(user.id)],
    );
    expect(rows).toEqual([{ after: { email: user.email, role: "admin", disabled: false, site_ids: null } }]);
    expect(JSON.stringify((await t.db.query("SELECT * FROM config_audit")).rows)).not.toContain(password);
  });

  it.each([
    [{ email: "not-an-email", role: "viewer" }, 422, "email"],
    [{ email: "x@filtreplante.test", role: "root" }, 422, "role"],
    [{ email: "x@filtreplante.test", role: "viewer", password: "short" }, 422, "password"],
    [{ email: ADMIN.toUpperCase(), role: "viewer" }, 409, "email"],
  ])("refuses %j (%i, field %s)", async (body, status, field) => {
    const before = await storedState();
    const response = await call("POST", "/api/admin/users", body);
    expect(response.statusCode).toBe(status);
    expect(response.json().error.field).toBe(field);
    expect(await storedState()).toBe(before);
  });

  it("changes a role, disables (ending the sessions at once), enables, resets a password", async () => {
    const address = email();
    const created = (await call("POST", "/api/admin/users", { email: address, role: "viewer" })).json();
    const id = created.user.id as number;
    const session = await loginAs(app, t.db, address, undefined, created.password);
    expect((await call("GET", "/api/devices", undefined, { cookie: session.cookie })).statusCode).toBe(200);

    const promoted = await call("PUT", userUrl(id, "role"), { role: "admin" });
    expect(promoted.json()).toMatchObject({ id, role: "admin" });
    expect((await call("GET", "/api/admin/users", undefined, { cookie: session.cookie })).statusCode).toBe(
      200,
    );

    const disabled = await call("POST", userUrl(id, "disable"));
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ active: false, disabled_at: NOW.toISOString() });
    expect((await call("GET", "/api/devices", undefined, { cookie: session.cookie })).statusCode).toBe(401);
    expect((await login(address, created.password)).statusCode).toBe(401);

    expect((await call("POST", userUrl(id, "enable"))).json()).toMatchObject({
      active: true,
      disabled_at: null,
    });
    const again = await loginAs(app, t.db, address, undefined, created.password);

    const reset = await call("POST", userUrl(id, "password"), {});
    expect(reset.statusCode).toBe(200);
    const newPassword = reset.json().password as string;
    expect(newPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await call("GET", "/api/devices", undefined, { cookie: again.cookie })).statusCode).toBe(401);
    expect((await login(address, created.password)).statusCode).toBe(401);
    expect((await login(address, newPassword)).statusCode).toBe(200);
    const given = await call("POST", userUrl(id, "password"), { password: "another long password" });
    expect(given.json().password).toBeNull();
    expect((await login(address, "another long password")).statusCode).toBe(200);

    const audit = await t.db.query<{ action: string }>(
      "SELECT action FROM config_audit WHERE entity = 'user' AND entity_key = $1 ORDER BY id",
      [String(id)],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      "create",
      "change_role",
      "disable",
      "enable",
      "reset_password",
      "reset_password",
    ]);
    expect((await call("POST", userUrl(999_999, "disable"))).statusCode).toBe(404);
    expect((await call("PUT", userUrl(id, "role"), { role: "owner" })).json().error.field).toBe("role");
  });

  it("never lets the last active administrator be disabled or demoted (409)", async () => {
    const list = (await call("GET", "/api/admin/users")).json().users as {
      id: number;
      email: string;
      role: string;
      active: boolean;
    }[];
    const me = list.find((u) => u.email === ADMIN);
    if (!me) throw new Error("no admin");
    const others = list.filter((u) => u.role === "admin" && u.active && u.id !== me.id);
    for (const other of others)
      expect((await call("POST", userUrl(other.id, "disable"))).statusCode).toBe(200);
    const before = await storedState();
    for (const [method, url, body] of [
      ["POST", userUrl(me.id, "disable")],
      ["PUT", userUrl(me.id, "role"), { role: "viewer" }],
    ] as [Method, string, unknown?][]) {
      const response = await call(method, url, body);
      expect(response.statusCode).toBe(409);
      expect(response.json().error).toMatchObject({ code: "last_admin" });
      expect(response.json().error.message).toContain("dernier administrateur actif");
    }
    expect(await storedState()).toBe(before);
    // With a second administrator, it is allowed.
    if (others[0]) {
      await call("POST", userUrl(others[0].id, "enable"));
      const demoted = await call("PUT", userUrl(me.id, "role"), { role: "viewer" });
      expect(demoted.statusCode).toBe(200);
      await t.db.query("UPDATE users SET role = 'admin' WHERE id = $1", [me.id]);
      for (const other of others.slice(1)) await call("POST", userUrl(other.id, "enable"));
    }
  });
});

describe("the last active administrator, under concurrency", () => {
  it("two administrators disabling each other at once: exactly one succeeds", async () => {
    // A database of its own, where these two are the only administrators. The use case is called directly:
    // through HTTP, the loser's session may already be gone (401) before its request reaches the rule.
    const own = await createTestDatabase();
    try {
      await createTestUser(own.db, "a@filtreplante.test", "admin");
      await createTestUser(own.db, "b@filtreplante.test", "admin");
      const { rows } = await own.db.query<{ id: number }>("SELECT id FROM users ORDER BY id");
      const [idA, idB] = rows.map((r) => r.id) as [number, number];
      const outcomes = await Promise.allSettled([
        disableAccount(own.db, idB, "a@filtreplante.test", NOW),
        disableAccount(own.db, idA, "b@filtreplante.test", NOW),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
      const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: "last_admin" });
      const active = await own.db.query("SELECT 1 FROM users WHERE role = 'admin' AND disabled_at IS NULL");
      expect(active.rowCount).toBe(1);
    } finally {
      await own.drop();
    }
  });
});

describe("audit log", () => {
  it("lists who changed what, newest first, by device and kind, a page at a time, in French", async () => {
    await call("PUT", `/api/admin/devices/${device}`, { name: "Station A" });
    await call("POST", versionsUrl(0), { effective_from: "2026-01-01", name: "PR1", flow_rate_m3h: 18 });
    await call("POST", versionsUrl(0), { effective_from: "2026-02-10", flow_rate_m3h: 9 });
    const key = (await call("POST", "/api/admin/api-keys", { name: "collecteur B" })).json();
    await call("DELETE", `/api/admin/api-keys/${key.id}`);

    const mine = await call("GET", `/api/admin/audit?device_id=${device}`);
    expect(mine.statusCode).toBe(200);
    const body = mine.json();
    expect(body.total).toBe(4);
    expect(body.entries.map((e: { kind: string; action: string }) => `${e.kind}:${e.action}`)).toEqual([
      "channel_version:create",
      "channel_version:close",
      "channel_version:create",
      "device:rename",
    ]);
    const ids = body.entries.map((e: { id: number }) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(body.entries[0]).toMatchObject({
      actor: ADMIN,
      at: NOW.toISOString(),
      device_id: device,
      channel: 0,
      summary: `Nouvelle version du 10/02/2026, canal 0 de ${device} : débit 9 m³/h, relevage, DBO5 570 mg/L.`,
    });
    expect(body.entries[1].summary).toBe(`Version du 01/01/2026, canal 0 de ${device}, close au 10/02/2026.`);
    expect(body.entries[3].summary).toBe(`Appareil ${device} renommé : (aucun) → « Station A ».`);

    const page = (await call("GET", `/api/admin/audit?device_id=${device}&limit=2&offset=2`)).json();
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 2 });
    expect(page.entries.map((e: { id: number }) => e.id)).toEqual(ids.slice(2));

    const keys = (await call("GET", "/api/admin/audit?kind=api_key&limit=2")).json();
    expect(keys.entries.map((e: { summary: string }) => e.summary)).toEqual([
      `Clé d'API n° ${key.id} révoquée.`,
      "Clé d'API « collecteur B » créée.",
    ]);
    expect(JSON.stringify(keys)).not.toContain(key.key);
    expect((await call("GET", "/api/admin/audit?kind=secrets")).statusCode).toBe(400);
    expect((await call("GET", "/api/admin/audit?limit=0")).statusCode).toBe(400);
  });
});

describe("OpenAPI document", () => {
  it("describes every endpoint of the admin screens with its body and answer", async () => {
    const doc = (await app.inject({ url: "/api/openapi.json" })).json();
    const paths = doc.paths as Record<string, Record<string, { requestBody?: unknown; responses: object }>>;
    const expected: [string, string][] = [
      ["/api/admin/devices", "get"],
      ["/api/admin/devices/{device_id}/configuration", "put"],
      ["/api/admin/channels/{device_id}/{channel}/versions/preview", "post"],
      ["/api/admin/users", "get"],
      ["/api/admin/users", "post"],
      ["/api/admin/users/{id}/role", "put"],
      ["/api/admin/users/{id}/disable", "post"],
      ["/api/admin/users/{id}/enable", "post"],
      ["/api/admin/users/{id}/password", "post"],
      ["/api/admin/settings", "get"],
      ["/api/admin/settings", "put"],
      ["/api/admin/audit", "get"],
    ];
    for (const [path, method] of expected) {
      const operation = paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(Object.keys(operation?.responses ?? {}).length).toBeGreaterThan(0);
    }
    const card = paths["/api/admin/devices/{device_id}/configuration"]?.put?.requestBody as {
      content: { "application/json": { schema: { properties: Record<string, unknown> } } };
    };
    expect(Object.keys(card.content["application/json"].schema.properties)).toEqual(
      expect.arrayContaining(["name", "channels", "dbo5_mg_l", "dco_mg_l", "mes_mg_l"]),
    );
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

describe("sump and sump volume (issue 17)", () => {
  it("keeps sump and sump_volume_m3 in the history, the preview and the audit, and defaults to sump « 1 », volume unknown", async () => {
    const first = await call("POST", versionsUrl(0), { effective_from: "2026-01-01", flow_rate_m3h: 18 });
    expect(first.statusCode).toBe(201);
    expect(first.json().version).toMatchObject({ sump: "1", sump_volume_m3: null });

    const preview = await call("POST", `${versionsUrl(0)}/preview`, {
      effective_from: "2026-03-01",
      sump: "PR",
      sump_volume_m3: 2.4,
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().version).toMatchObject({ sump: "PR", sump_volume_m3: 2.4, flow_rate_m3h: 18 });

    const split = await call("POST", versionsUrl(0), {
      effective_from: "2026-03-01",
      sump: " PR ",
      sump_volume_m3: 2.4,
    });
    expect(split.statusCode).toBe(201);
    expect((await versionsOf(0)).map((v) => [v.effective_from, v.sump, v.sump_volume_m3])).toEqual([
      ["2026-01-01", "1", null],
      ["2026-03-01", "PR", 2.4],
    ]);
    const { rows } = await t.db.query<{ after: Record<string, unknown> }>(
      "SELECT after FROM config_audit WHERE device_id = $1 ORDER BY id DESC LIMIT 1",
      [device],
    );
    expect(JSON.stringify(rows[0]?.after)).toContain("2.4");

    // the device card takes « 2,4 » as the form sends it, and "" as unknown
    const card = await call("PUT", configUrl(), {
      channels: [{ channel: 1, sump: "PR", sump_volume_m3: "3,1" }],
    });
    expect(card.statusCode).toBe(200);
    expect((await versionsOf(1)).at(-1)).toMatchObject({ sump: "PR", sump_volume_m3: 3.1 });
    const cleared = await call("PUT", configUrl(), { channels: [{ channel: 1, sump_volume_m3: "" }] });
    expect(cleared.statusCode).toBe(200);
    expect((await versionsOf(1)).at(-1)).toMatchObject({ sump: "PR", sump_volume_m3: null });
  });

  it.each([
    [{ sump_volume_m3: 0 }, "sump_volume_m3"],
    [{ sump_volume_m3: -2 }, "sump_volume_m3"],
    [{ sump_volume_m3: 2400 }, "sump_volume_m3"],
    [{ sump: "" }, "sump"],
    [{ sump: "   " }, "sump"],
    [{ sump: "bâche nord du poste principal" }, "sump"],
  ])("refuses %j with a French message naming the field, and stores nothing", async (fields, field) => {
    const before = await storedState();
    const response = await call("POST", versionsUrl(0), { effective_from: "2026-01-01", ...fields });
    expect(response.statusCode).toBe(400);
    const error = response.json().error;
    expect(error.field).toBe(field);
    expect(error.message).toMatch(/bâche/i);
    const card = await call("PUT", configUrl(), { channels: [{ channel: 0, ...fields }] });
    expect(card.statusCode).toBe(400);
    expect(card.json().error.field).toBe(`channels.0.${field}`);
    expect(await storedState()).toBe(before);
  });

  it("refuses a sump volume that is not a number with 400 naming the field", async () => {
    const response = await call("POST", versionsUrl(0), {
      effective_from: "2026-01-01",
      sump_volume_m3: "abc",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.field).toBe("sump_volume_m3");
  });
});
