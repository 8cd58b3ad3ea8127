import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChannelVersion } from "../src/admin/config-versions.js";
import { renameDevice } from "../src/admin/device-names.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, FakeClock, loginAs, type TestDatabase } from "./harness.js";

let t: TestDatabase;
let app: App;
let viewer: { cookie: string };
const NOW = new Date("2026-02-20T12:00:00Z");
const clock = new FakeClock(NOW);
const SITE_A = "shellypro4pm-aaaaaaaaaaaa";
const SITE_B = "shellypro4pm-bbbbbbbbbbbb";
const at = (iso: string) => Date.parse(iso) / 1000;

/** One reading a minute at `watts` from `startIso`, for `minutes` minutes, on one channel. */
function run(device: string, channel: number, startIso: string, minutes: number, watts: number, volts = 230) {
  return Array.from({ length: minutes }, (_, i) => ({
    src: device,
    timestamp: at(startIso) + i * 60,
    params: { [`switch:${channel}`]: { apower: watts, current: watts / volts, voltage: volts } },
  }));
}

async function ingest(messages: unknown[]) {
  const summary = await ingestBatch(t.db, messages, { nowS: at(NOW.toISOString()), receivedAt: NOW });
  expect(summary.errors).toBe(0);
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount });
  viewer = await loginAs(app, t.db, "viewer@example.org", "viewer");
  // Site A: PR1 (relevage, 22 m³/h) runs 120 minutes; PS (sortie, 15 m³/h) 60 minutes (bug 17).
  await ingest([
    ...run(SITE_A, 0, "2026-02-10T08:00:00Z", 120, 1200),
    ...run(SITE_A, 2, "2026-02-10T12:00:00Z", 60, 420),
    // an ongoing PR1 cycle: its last reading is 1 minute before now (bug 18)
    ...run(SITE_A, 0, "2026-02-20T11:50:00Z", 10, 1200),
    // site B runs on switch:0 at the same time as site A (bug 2)
    ...run(SITE_B, 0, "2026-02-10T08:00:00Z", 30, 800),
  ]);
  const actor = "admin@example.org";
  await addChannelVersion(
    t.db,
    {
      deviceId: SITE_A,
      channel: 0,
      effectiveFrom: "2026-01-01",
      name: "PR1",
      pumpType: "relevage",
      flowRateM3h: 22,
    },
    actor,
    NOW,
  );
  await addChannelVersion(
    t.db,
    {
      deviceId: SITE_A,
      channel: 2,
      effectiveFrom: "2026-01-01",
      name: "PS",
      pumpType: "sortie",
      flowRateM3h: 15,
    },
    actor,
    NOW,
  );
  await renameDevice(t.db, SITE_A, "Sagemcom", actor, NOW);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const get = (url: string, headers: Record<string, string> = viewer) => app.inject({ url, headers });

describe("GET /api/devices", () => {
  it("lists every device with its name, or its id when it has none, and custom channel names (bugs 4, 5, 36)", async () => {
    const response = await get("/api/devices");
    expect(response.statusCode).toBe(200);
    const devices = response.json().devices;
    const a = devices.find((d: { device_id: string }) => d.device_id === SITE_A);
    const b = devices.find((d: { device_id: string }) => d.device_id === SITE_B);
    expect(a.name).toBe("Sagemcom");
    expect(b.name).toBe(SITE_B);
    expect(a.channels.map((c: { name: string }) => c.name)).toEqual(["PR1", "switch:1", "PS", "switch:3"]);
    expect(a.channels[2].pump_type).toBe("sortie");
  });

  it("needs a session unless PUBLIC_DASHBOARD is on", async () => {
    expect((await get("/api/devices", {})).statusCode).toBe(401);
    const open = await createTestApp(t.db, {
      clock,
      migrationCount: t.migrationCount,
      publicDashboard: true,
    });
    expect((await open.inject({ url: "/api/devices" })).statusCode).toBe(200);
    expect((await open.inject({ url: "/api/admin/api-keys" })).statusCode).not.toBe(200);
    await open.close();
  });
});

describe("GET /api/cycles", () => {
  it("bug 17: only relevage counts: PR1 22 m³/h × 120 min + PS sortie → 44 m³ treated", async () => {
    const body = (await get(`/api/cycles?device_id=${SITE_A}&from=2026-02-10&to=2026-02-10`)).json();
    expect(body.cycles).toHaveLength(2);
    const pr1 = body.cycles.find((c: { channel: number }) => c.channel === 0);
    const ps = body.cycles.find((c: { channel: number }) => c.channel === 2);
    // 120 one-minute samples: 119 min from first to last (as before), 120 min of running time
    expect(pr1).toMatchObject({
      duration_min: 119,
      runtime_min: 120,
      volume_m3: 44,
      pump_type: "relevage",
      ongoing: false,
    });
    expect(ps).toMatchObject({ pump_type: "sortie", volume_m3: null });
    expect(body.summary.treated_volume_m3).toBe(44);
    expect(body.summary.factor_set).toBe("fp-2026");
    // fp-2026: 44 m³ × 570 g/m³ / 1000 × 0.6 × (0.5 − 0.03) × 28
    expect(body.summary.co2e_avoided_kg).toBeCloseTo(44 * 0.57 * 0.6 * 0.47 * 28, 1);
    expect(body.summary.reduction_percent).toBe(94);
    // kg MES retained: 44 m³ × 650 g/m³ / 1000
    expect(body.summary.mes_retained_kg).toBe(28.6);
    expect(body.summary.electricity_co2e_kg).toBeNull();
  });

  it("divides the per-day volume by the days the meter was monitored, not by the days before it existed (issue 21)", async () => {
    // 19 whole days asked; site A sent readings on 2026-02-10 only before today: 44 m³ in 1 monitored day
    const body = (await get(`/api/cycles?device_id=${SITE_A}&from=2026-02-01&to=2026-02-19`)).json();
    expect(body.summary).toMatchObject({
      treated_volume_m3: 44,
      whole_days: 19,
      monitored_days: 1,
      treated_volume_per_day_m3: 44,
    });
    // a channel is monitored on the days it has readings: switch:1 of site A never sent any
    const idle = (
      await get(`/api/cycles?device_id=${SITE_A}&channel=1&from=2026-02-01&to=2026-02-19`)
    ).json();
    expect(idle.summary).toMatchObject({ whole_days: 19, monitored_days: 0, treated_volume_per_day_m3: 0 });
    // every device: the days any of them was monitored (both sites on 2026-02-10, today excluded)
    const all = (await get("/api/cycles?from=2026-02-01&to=2026-02-20")).json();
    expect(all.summary).toMatchObject({ whole_days: 19, monitored_days: 1 });
  });

  it("shows the electricity line, with its source, when the site has a grid factor", async () => {
    const withGrid = await createTestApp(t.db, {
      clock,
      migrationCount: t.migrationCount,
      publicDashboard: true,
      gridFactor: { kgCo2ePerKwh: 0.052, source: "ADEME Base Empreinte, mix moyen" },
    });
    const body = (
      await withGrid.inject({ url: `/api/cycles?device_id=${SITE_A}&from=2026-02-10&to=2026-02-10` })
    ).json();
    // PR1 1.2 kW × 2 h + PS 0.42 kW × 1 h = 2.82 kWh (mean power × running time: these readings carry no energy)
    expect(body.summary.energy_kwh).toBeCloseTo(2.82, 3);
    expect(body.summary.electricity_co2e_kg).toBeCloseTo(2.82 * 0.052, 2);
    expect(body.summary.grid_factor_source).toBe("ADEME Base Empreinte, mix moyen");
    await withGrid.close();
  });

  it("bug 18: an ongoing cycle is listed as ongoing, with no end, and adds nothing to the treated volume", async () => {
    const body = (
      await get(`/api/cycles?device_id=${SITE_A}&channel=switch:0&from=2026-02-20&to=2026-02-20`)
    ).json();
    expect(body.cycles).toHaveLength(1);
    expect(body.cycles[0]).toMatchObject({ ongoing: true, end: null });
    expect(body.summary).toMatchObject({ ongoing: 1, treated_volume_m3: 0 });
  });

  it("bug 2: without device_id, every device's cycles, split per device even on the same channel at the same time", async () => {
    const body = (await get("/api/cycles?channel=0&from=2026-02-10&to=2026-02-10")).json();
    expect(body.cycles.map((c: { device_id: string }) => c.device_id).sort()).toEqual([SITE_A, SITE_B]);
  });

  it("a listing limit never changes a figure: the summary covers the whole period", async () => {
    const all = (await get("/api/cycles?from=2026-02-01&to=2026-02-20")).json();
    const one = (await get("/api/cycles?from=2026-02-01&to=2026-02-20&limit=1")).json();
    expect(one.cycles).toHaveLength(1);
    expect(one.total).toBe(all.total);
    expect(one.summary).toEqual(all.summary);
    expect(all.cycles.map((c: { start: string }) => c.start)).toEqual(
      [...all.cycles.map((c: { start: string }) => c.start)].sort().reverse(),
    );
  });

  it.each([
    ["from=2026-02-30", "invalid_from", "from"],
    ["to=yesterday", "invalid_to", "to"],
    ["from=2026-02-20&to=2026-02-01", "end_before_start", "to"],
    ["from=2030-01-01&to=1999-01-01", "end_before_start", "to"],
    ["from=1999-01-01", "from_out_of_range", "from"],
    ["channel=7", "invalid_request", "channel"],
    ["device_id=nobody", "unknown_device", "device_id"],
  ])("%s → a French 4xx naming the field, never a 500", async (query, code, field) => {
    const response = await get(`/api/cycles?${query}`);
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.json().error).toMatchObject({ code, field });
    expect(response.json().error.message).toMatch(/[a-zé]/);
  });

  it("says that the end precedes the start rather than blaming the date format", async () => {
    const response = await get("/api/cycles?from=2030-01-01&to=1999-01-01");
    expect(response.json().error.message).toBe("La date de fin précède la date de début : inversez-les.");
  });
});

describe("schema validation failures", () => {
  it.each([
    ["/api/cycles?channel=7", "channel", "Canal inconnu : 0 à 3 ou switch:0 à switch:3."],
    ["/api/cycles?channel=switch:4", "channel", "Canal inconnu : 0 à 3 ou switch:0 à switch:3."],
    ["/api/cycles?limit=0", "limit", "Valeur trop petite : 1 au minimum."],
    ["/api/cycles?limit=10001", "limit", "Valeur trop grande : 10000 au maximum."],
    ["/api/cycles?limit=beaucoup", "limit", "Valeur attendue : un nombre entier."],
    ["/api/cycles?include_noise=oui", "include_noise", "Valeur attendue : true ou false."],
    ["/api/cycles?device_id=", "device_id", "Ce champ ne peut pas être vide."],
    [
      "/api/cycles?factor_set=x",
      "factor_set",
      "Valeur inconnue ; valeurs possibles : fp-2026, ipcc-2019-vf.",
    ],
    ["/api/series?period=1y&device_id=x", "period", "Valeur inconnue ; valeurs possibles : 24h, 7d, 30d."],
    ["/api/series", "device_id", "Champ obligatoire."],
  ])("%s → 400 with the field and a French reason, never the validator's words", async (url, field, text) => {
    const response = await get(url);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: "invalid_request", field, message: text });
    expect(response.body).not.toMatch(/must|pattern|querystring|\^/);
  });
});

describe("GET /api/cycles.csv", () => {
  it("exports the table's rows in its order, French header, `;`, DD/MM/YYYY and HHhMM (bugs 1, 3, 49)", async () => {
    const response = await get(`/api/cycles.csv?from=2026-02-10&to=2026-02-10`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
    const lines = response.body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toMatch(/^Device;Canal;Date;Heure démarrage;Heure arrêt;Durée \(min\);/);
    const table = (await get(`/api/cycles?from=2026-02-10&to=2026-02-10`)).json().cycles;
    expect(lines).toHaveLength(table.length + 1);
    const ps = lines.find((l) => l.startsWith("Sagemcom;PS;"));
    expect(ps).toBe(
      "Sagemcom;PS;10/02/2026;12h00;12h59;59,0;420,0;1,8;230,0;Terminé;60,0;0,420;Poste de sortie;15,0;-;-",
    );
    expect(lines.some((l) => l.startsWith(`${SITE_B};switch:0;10/02/2026;08h00;`))).toBe(true);
  });

  it("writes a channel without configuration with `-` in every empty cell, type included", async () => {
    const response = await get(`/api/cycles.csv?from=2026-02-10&to=2026-02-10&device_id=${SITE_B}`);
    const line = response.body.split("\r\n").find((l) => l.startsWith(`${SITE_B};switch:0;`));
    expect(line?.split(";").slice(-4)).toEqual(["-", "-", "-", "-"]);
  });

  it("follows the table's sort: a column descending or ascending, empty last; a bad column is refused", async () => {
    const durations = async (q: string) =>
      (await get(`/api/cycles.csv?from=2026-02-01&to=2026-02-20${q}`)).body
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n")
        .slice(1)
        .map((l) => Number(l.split(";")[5]?.replace(",", ".")));
    const desc = await durations("&sort=duration_min");
    const asc = await durations("&sort=duration_min&order=asc");
    expect(desc.length).toBeGreaterThan(2);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    expect(asc).toEqual([...desc].reverse().sort((a, b) => a - b));
    expect(new Set(desc).size).toBeGreaterThan(1);
    expect((await get("/api/cycles.csv?sort=drop_table")).statusCode).toBe(400);
  });
});

describe("GET /api/series", () => {
  it("anchors the window to the end of the chosen day and shows 0 where the pump was off (bugs 22, 26, 27)", async () => {
    const body = (await get(`/api/series?device_id=${SITE_A}&period=24h&end=2026-02-10`)).json();
    expect(body).toMatchObject({
      start: "2026-02-10T00:00:00Z",
      end: "2026-02-11T00:00:00Z",
      bucket_seconds: 300,
    });
    const pr1 = body.series.find((s: { channel: number }) => s.channel === 0);
    expect(pr1.name).toBe("PR1");
    expect(pr1.t).toHaveLength(288);
    expect(pr1.power_w[pr1.t.indexOf("2026-02-10T08:00:00Z")]).toBe(1200);
    expect(pr1.power_w[pr1.t.indexOf("2026-02-10T10:00:00Z")]).toBe(0);
    expect(body.series).toHaveLength(4);
  });

  it("ends now when no end date is given (bug 21), and refuses a bad date with a 400", async () => {
    const body = (await get(`/api/series?device_id=${SITE_A}&channel=0`)).json();
    expect(body.end).toBe("2026-02-20T12:00:00Z");
    expect(body.start).toBe("2026-02-19T12:00:00Z");
    const bad = await get(`/api/series?device_id=${SITE_A}&end=2026-02-31`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("invalid_end");
  });
});
