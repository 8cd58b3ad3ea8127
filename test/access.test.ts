/**
 * Isolation between sites (issue 18, decision 0012): every route of the OpenAPI document, walked with a user
 * restricted to one site, answers for a meter of another site exactly as for a meter that does not exist;
 * and nothing a restricted user reads names the other site's meters. The routes added later are walked too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchRound } from "../src/alerts/dispatch.js";
import { evaluateRound } from "../src/alerts/evaluate.js";
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

const SEEN = "shelly-ndiassane-01";
const HIDDEN = "shelly-lyon-vaise-01";
const GHOST = "shelly-nulle-part-99";
const NOW = new Date("2025-10-08T12:00:00Z");

let t: TestDatabase;
let app: App;
let admin: { cookie: string };
let viewer: { cookie: string };
let operator: { cookie: string };
/** a visitor holding a read-only share link of the seen site (decision 0018): its cookie, no account */
let shared: { cookie: string };
let seenSite: number;

/** Two hours of one pump: on from minute 10 to 30 and from 70 to 90, at 480 W. */
function messages(src: string): Record<string, unknown>[] {
  const start = Date.parse("2025-10-08T08:00:00Z") / 1000;
  let totalWh = 0;
  return Array.from({ length: 120 }, (_, m) => {
    const on = (m >= 10 && m < 30) || (m >= 70 && m < 90);
    const wh = on ? 8 : 0;
    totalWh += wh;
    return {
      src,
      timestamp: start + m * 60 + 59,
      params: {
        "switch:0": {
          output: on,
          apower: on ? 480 : 0,
          voltage: 229.5,
          current: on ? 2.4 : 0,
          aenergy: { total: totalWh, by_minute: [wh * 1000, 0, 0], minute_ts: start + m * 60 },
        },
      },
    };
  });
}

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

beforeAll(async () => {
  t = await createTestDatabase();
  const clock = new FakeClock(NOW);
  app = await createTestApp(t.db, { migrationCount: t.migrationCount, clock, timeZone: "UTC" });
  admin = await loginAs(app, t.db, "admin@filtreplante.fr", "admin");
  for (const src of [SEEN, HIDDEN]) {
    const ingested = await app.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
      payload: JSON.stringify({ messages: messages(src) }),
    });
    expect(ingested.statusCode).toBe(200);
  }
  const siteOf = async (name: string, zone: string, device: string) => {
    const site = await send("POST", "/api/admin/sites", admin.cookie, { name, time_zone: zone });
    await send("PUT", `/api/admin/devices/${device}/site`, admin.cookie, { site_id: site.json().id });
    await send("PUT", `/api/admin/devices/${device}`, admin.cookie, { name: `Poste de ${name}` });
    return site.json().id as number;
  };
  seenSite = await siteOf("Ndiassane", "Africa/Dakar", SEEN);
  await siteOf("Lyon-Vaise", "Europe/Paris", HIDDEN);
  for (const [email, role] of [
    ["lecteur@ndiassane.sn", "viewer"],
    ["exploitant@ndiassane.sn", "operator"],
  ] as const) {
    const created = await send("POST", "/api/admin/users", admin.cookie, {
      email,
      role,
      site_ids: [seenSite],
      password: "un mot de passe assez long",
    });
    expect(created.statusCode).toBe(201);
  }
  // Each meter has cycles and an open alert (silent for two hours: offline).
  expect(
    (await send("GET", "/api/cycles?from=2025-10-08&to=2025-10-08", admin.cookie)).json().cycles,
  ).toHaveLength(4);
  const round = await evaluateRound(t.db, NOW, { holder: "test" });
  expect(round?.opened).toBeGreaterThanOrEqual(2);
  viewer = await loginAs(app, t.db, "lecteur@ndiassane.sn", undefined, "un mot de passe assez long");
  operator = await loginAs(app, t.db, "exploitant@ndiassane.sn", undefined, "un mot de passe assez long");
  const link = await send("POST", `/api/admin/sites/${seenSite}/share-links`, admin.cookie, {});
  expect(link.statusCode).toBe(201);
  const opened = await app.inject({ url: `/api/share/${link.json().token}` });
  const cookie = opened.cookies.find((c) => c.name === "pw_share");
  expect(opened.statusCode === 200 && cookie).toBeTruthy();
  shared = { cookie: `pw_share=${cookie?.value}` };
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

interface Operation {
  method: string;
  path: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Schema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  minimum?: number;
  minLength?: number;
  pattern?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

/** A value of a parameter or field that passes the route's schema, naming `meter` wherever a meter goes. */
function sample(name: string, schema: Schema | undefined, meter: string): unknown {
  if (name === "device_id") return meter;
  if (name === "device_ids") return [meter];
  const known: Record<string, unknown> = {
    from: "2025-10-08",
    to: "2025-10-08",
    month: "2025-10",
    year: 2025,
    period: "24h",
    channel: 0,
    at: "2025-10-08T09:00:00Z",
    starts_at: "2025-10-09T09:00:00Z",
    ends_at: "2025-10-09T10:00:00Z",
    kind: "visit",
    text: "Passage de contrôle",
    comment: "Vu sur place",
  };
  if (name in known) return known[name];
  if (!schema) return "1";
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf?.[0]) return sample(name, schema.anyOf[0], meter);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "integer" || type === "number") return schema.minimum ?? 1;
  if (type === "boolean") return true;
  if (type === "array") return [];
  if (type === "object") return bodyOf(schema, meter);
  if (schema.format === "date-time") return "2025-10-08T09:00:00Z";
  return "x".repeat(Math.max(1, schema.minLength ?? 1));
}

function bodyOf(schema: Schema, meter: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.properties ?? {})) {
    if (schema.required?.includes(key) || key === "device_id" || key === "device_ids")
      body[key] = sample(key, field, meter);
  }
  return body;
}

function requestFor(op: Operation, meter: string) {
  let path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (name === "device_id") return encodeURIComponent(meter);
    if (name === "id" && op.path.startsWith("/api/alerts/")) return encodeURIComponent(`${meter}:1`);
    return String(sample(name, undefined, meter));
  });
  const query = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    if (p.in === "query" && (p.required || p.name === "device_id"))
      query.set(p.name, String(sample(p.name, p.schema, meter)));
  }
  if ([...query.keys()].length > 0) path += `?${query}`;
  const schema = op.requestBody?.content?.["application/json"]?.schema;
  return { method: op.method.toUpperCase(), url: path, body: schema ? bodyOf(schema, meter) : undefined };
}

async function operations(): Promise<Operation[]> {
  const doc = (await app.inject({ url: "/api/openapi.json" })).json() as {
    paths: Record<string, Record<string, Omit<Operation, "method" | "path">>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ ...op, method, path })),
  );
}

/** What a client can tell apart: the status, the content type and the body, the request id and the meter aside. */
function answer(response: Awaited<ReturnType<typeof send>>, meter: string) {
  return {
    status: response.statusCode,
    type: response.headers["content-type"],
    body: response.body.replace(/"request_id":"[^"]*"/g, "").replaceAll(meter, "<meter>"),
  };
}

describe("a user restricted to one site", () => {
  for (const [who, session] of [
    ["viewer", () => viewer],
    ["operator", () => operator],
    ["share link", () => shared],
  ] as const) {
    it(`(${who}) gets, on every route, for another site's meter the answer for a meter that does not exist`, async () => {
      const ops = await operations();
      expect(ops.length).toBeGreaterThan(30);
      let namingAMeter = 0;
      let readsItsOwn = 0;
      for (const op of ops) {
        const hidden = requestFor(op, HIDDEN);
        const ghost = requestFor(op, GHOST);
        if (hidden.url === ghost.url && JSON.stringify(hidden.body) === JSON.stringify(ghost.body)) continue;
        namingAMeter += 1;
        const a = answer(await send(hidden.method, hidden.url, session().cookie, hidden.body), HIDDEN);
        const b = answer(await send(ghost.method, ghost.url, session().cookie, ghost.body), GHOST);
        expect(a, `${op.method.toUpperCase()} ${op.path}`).toEqual(b);
        // the same route reads the caller's own meter: the two refusals above are the confinement's, not a
        // caller refused everywhere (a share link whose cookie went wrong would pass the comparison vacuously)
        if (op.method === "get") {
          const own = requestFor(op, SEEN);
          if ((await send("GET", own.url, session().cookie)).statusCode === 200) readsItsOwn += 1;
        }
      }
      expect(namingAMeter).toBeGreaterThan(15);
      expect(readsItsOwn).toBeGreaterThan(5);
    });

    it(`(${who}) reads nothing of the other site on any route that names no meter`, async () => {
      for (const op of await operations()) {
        if (op.method !== "get" || op.path.includes("{")) continue;
        const request = requestFor(op, SEEN);
        const response = await send("GET", request.url, session().cookie);
        expect(response.body, `GET ${op.path}`).not.toContain(HIDDEN);
        expect(response.body, `GET ${op.path}`).not.toContain("Lyon");
      }
    });
  }

  it("still reads its own site: devices, cycles, alerts, counts", async () => {
    const devices = await send("GET", "/api/devices", viewer.cookie);
    expect(devices.json().devices.map((d: { device_id: string }) => d.device_id)).toEqual([SEEN]);
    const cycles = await send("GET", "/api/cycles?from=2025-10-08&to=2025-10-08", viewer.cookie);
    expect(cycles.json().cycles).toHaveLength(2);
    expect(cycles.json().summary.cycles).toBe(2);
    const alerts = await send("GET", "/api/alerts", viewer.cookie);
    expect(alerts.json().alerts.every((a: { device_id: string }) => a.device_id === SEEN)).toBe(true);
    expect(alerts.json().total).toBeGreaterThan(0);
    const stats = await send("GET", "/api/stats/queue", viewer.cookie);
    expect(stats.json().devices).toBeLessThanOrEqual(1);
    const all = await send("GET", "/api/stats/queue", admin.cookie);
    expect(all.json().total_logs).toBe(2 * stats.json().total_logs);
  });

  it("is sent e-mails about its own site's alerts only", async () => {
    const targets = async (device: string) =>
      (
        await t.db.query<{ target: string }>(
          "SELECT target FROM alert_deliveries WHERE device_id = $1 AND kind = 'email'",
          [device],
        )
      ).rows.map((r) => r.target);
    expect(await targets(SEEN)).toEqual(
      expect.arrayContaining(["lecteur@ndiassane.sn", "exploitant@ndiassane.sn"]),
    );
    const hidden = await targets(HIDDEN);
    expect(hidden).toContain("admin@filtreplante.fr");
    expect(hidden).not.toContain("lecteur@ndiassane.sn");
    expect(hidden).not.toContain("exploitant@ndiassane.sn");
  });

  it("as a viewer may not acknowledge an alert; as an operator may, on its site; administration is 403 to both", async () => {
    const alert = (await send("GET", `/api/alerts?device_id=${SEEN}`, viewer.cookie)).json().alerts[0];
    const byViewer = await send(
      "POST",
      `/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`,
      viewer.cookie,
      {
        comment: "vu",
      },
    );
    expect(byViewer.statusCode).toBe(403);
    const byOperator = await send(
      "POST",
      `/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`,
      operator.cookie,
      { comment: "vu" },
    );
    expect(byOperator.statusCode).toBe(200);
    for (const op of await operations()) {
      if (!op.path.startsWith("/api/admin/")) continue;
      const request = requestFor(op, SEEN);
      for (const session of [viewer, operator]) {
        const response = await send(request.method, request.url, session.cookie, request.body);
        expect(response.statusCode, `${op.method.toUpperCase()} ${op.path}`).toBe(403);
      }
    }
  });

  it("as a share link, is refused every administration route and every write (401 or 403)", async () => {
    let walked = 0;
    for (const op of await operations()) {
      // signing in or out is no write of the link's: it names an account, or nobody
      if (op.path.startsWith("/api/auth/login") || op.path.startsWith("/api/auth/logout")) continue;
      // ingestion reads an API key and nothing else (its body is checked first: a 422 here says nothing)
      if (op.path.startsWith("/api/ingest/")) continue;
      if (op.method === "get" && !op.path.startsWith("/api/admin/")) continue;
      walked += 1;
      const request = requestFor(op, SEEN);
      // a journal entry is named `<meter>:<n>`: a well-formed one, so the refusal is the admission's
      const url = op.path.startsWith("/api/journal/")
        ? request.url.replace(/\/api\/journal\/[^/?]+/, `/api/journal/${encodeURIComponent(`${SEEN}:1`)}`)
        : request.url;
      const response = await send(request.method, url, shared.cookie, request.body);
      expect([401, 403], `${op.method.toUpperCase()} ${op.path}: ${response.body}`).toContain(
        response.statusCode,
      );
    }
    expect(walked).toBeGreaterThan(30);
    // …and the link still reads its site afterwards (no refusal above was the link's end)
    const devices = await send("GET", "/api/devices", shared.cookie);
    expect(devices.json().devices.map((d: { device_id: string }) => d.device_id)).toEqual([SEEN]);
  });

  it("no longer reads, in its notification preferences, a meter of a site it lost", async () => {
    const email = "ancien@ndiassane.sn";
    const created = await send("POST", "/api/admin/users", admin.cookie, {
      email,
      role: "viewer",
      password: "un mot de passe assez long",
    });
    expect(created.statusCode).toBe(201);
    const before = await loginAs(app, t.db, email, undefined, "un mot de passe assez long");
    const prefs = {
      email_enabled: true,
      severities: ["critical"],
      device_ids: [SEEN, HIDDEN],
      digest: false,
    };
    const saved = await send("PUT", "/api/alerts/notifications/me", before.cookie, prefs);
    expect(saved.json().device_ids).toEqual([SEEN, HIDDEN]);
    const restricted = await send("PUT", `/api/admin/users/${created.json().user.id}/sites`, admin.cookie, {
      site_ids: [seenSite],
    });
    expect(restricted.statusCode).toBe(200);
    const after = await loginAs(app, t.db, email, undefined, "un mot de passe assez long");
    const read = await send("GET", "/api/alerts/notifications/me", after.cookie);
    expect(read.statusCode).toBe(200);
    expect(read.json().device_ids).toEqual([SEEN]);
    expect(read.body).not.toContain(HIDDEN);
  });

  it("writes each alert's e-mail in its own meter's zone (Paris, Dakar), whatever APP_TIMEZONE is", async () => {
    const sent: { to: string; mail: MailText }[] = [];
    await dispatchRound(t.db, NOW, {
      timeZone: "UTC",
      publicUrl: "https://pumpwatch.test",
      mailer: {
        send: async (to, mail) => {
          sent.push({ to, mail });
          return { ok: true };
        },
        close: () => {},
      },
    });
    const about = (site: string) =>
      sent.filter((m) => m.to === "admin@filtreplante.fr" && m.mail.text.includes(`Poste de ${site}`));
    expect(about("Lyon-Vaise").length).toBeGreaterThan(0);
    expect(about("Ndiassane").length).toBeGreaterThan(0);
    for (const m of about("Lyon-Vaise")) expect(m.mail.text).toContain("fuseau Europe/Paris");
    for (const m of about("Ndiassane")) expect(m.mail.text).toContain("fuseau Africa/Dakar");
  });
});
