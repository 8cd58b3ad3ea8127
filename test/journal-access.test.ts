/**
 * Who writes and reads the operating journal and the reports (issue 19, "Done when"): an operator writes the
 * journal of its own sites only, a viewer reads it and may not write, and for anyone else a meter or a site
 * of another site is one that does not exist (404, the very answer of a nonexistent one). The rule lives in
 * one place (src/server/access.ts, the scope devicesForDashboard applies); these tests only watch it.
 */
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

const MINE = "shelly-ndiassane-01";
const THEIRS = "shelly-lyon-vaise-01";
const GHOST = "shelly-nulle-part-99";
const NOW = new Date("2025-10-20T12:00:00Z");
const PASSWORD = "un mot de passe assez long";

let t: TestDatabase;
let app: App;
let admin: { cookie: string };
let operator: { cookie: string };
let viewer: { cookie: string };
let otherOperator: { cookie: string };
let mySite: number;
let theirSite: number;

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

/** What a client can tell apart: status, content type and body, the request id and the names used aside. */
function answer(response: Awaited<ReturnType<typeof send>>, ...names: string[]) {
  let body = response.body.replace(/"request_id":"[^"]*"/g, "");
  for (const name of names) body = body.replaceAll(name, "<named>");
  return { status: response.statusCode, type: response.headers["content-type"], body };
}

/** Ten minutes of one pump at 480 W on 8 October, so that each meter has readings and a cycle. */
function messages(src: string): Record<string, unknown>[] {
  const start = Date.parse("2025-10-08T08:00:00Z") / 1000;
  return Array.from({ length: 30 }, (_, m) => {
    const on = m >= 10 && m < 20;
    return {
      src,
      timestamp: start + m * 60 + 59,
      params: { "switch:0": { output: on, apower: on ? 480 : 0, voltage: 230, current: on ? 2.1 : 0 } },
    };
  });
}

const entry = (device: string, text = "Nettoyage du dégrilleur.") => ({
  device_id: device,
  channel: 0,
  at: "2025-10-08T09:00:00Z",
  kind: "cleaning",
  text,
});

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, {
    migrationCount: t.migrationCount,
    clock: new FakeClock(NOW),
    timeZone: "UTC",
  });
  admin = await loginAs(app, t.db, "admin@filtreplante.fr", "admin");
  for (const src of [MINE, THEIRS]) {
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
    expect(site.statusCode).toBe(201);
    await send("PUT", `/api/admin/devices/${device}/site`, admin.cookie, { site_id: site.json().id });
    return site.json().id as number;
  };
  mySite = await siteOf("Ndiassane", "Africa/Dakar", MINE);
  theirSite = await siteOf("Lyon-Vaise", "Europe/Paris", THEIRS);
  const users = [
    ["exploitant@ndiassane.sn", "operator", mySite],
    ["lecteur@ndiassane.sn", "viewer", mySite],
    ["exploitant@lyon.fr", "operator", theirSite],
  ] as const;
  for (const [email, role, site] of users) {
    const created = await send("POST", "/api/admin/users", admin.cookie, {
      email,
      role,
      site_ids: [site],
      password: PASSWORD,
    });
    expect(created.statusCode).toBe(201);
  }
  operator = await loginAs(app, t.db, "exploitant@ndiassane.sn", undefined, PASSWORD);
  viewer = await loginAs(app, t.db, "lecteur@ndiassane.sn", undefined, PASSWORD);
  otherOperator = await loginAs(app, t.db, "exploitant@lyon.fr", undefined, PASSWORD);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("the journal of a site, by role", () => {
  let mine = "";
  let theirs = "";

  it("an operator writes the journal of its own site; the entry is its own", async () => {
    const res = await send("POST", "/api/journal", operator.cookie, entry(MINE));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      device_id: MINE,
      author: "exploitant@ndiassane.sn",
      automatic: false,
    });
    mine = res.json().id;
    const other = await send("POST", "/api/journal", otherOperator.cookie, entry(THEIRS, "Visite à Lyon."));
    expect(other.statusCode).toBe(201);
    theirs = other.json().id;
  });

  it("an operator writing on another site's meter is told the meter does not exist", async () => {
    const hidden = await send("POST", "/api/journal", operator.cookie, entry(THEIRS));
    const ghost = await send("POST", "/api/journal", operator.cookie, entry(GHOST));
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error).toMatchObject({ field: "device_id", message: "Appareil inconnu." });
    expect(answer(hidden, THEIRS)).toEqual(answer(ghost, GHOST));
  });

  it("a viewer reads its site's journal, and may not write it (403)", async () => {
    for (const url of [`/api/journal?device_id=${MINE}`, `/api/journal?site_id=${mySite}`]) {
      const res = await send("GET", `${url}&from=2025-10-01&to=2025-10-20`, viewer.cookie);
      expect(res.statusCode, url).toBe(200);
      const entries = res.json().entries as { id: string; device_id: string }[];
      expect(entries.map((e) => e.id)).toContain(mine);
      expect(entries.every((e) => e.device_id === MINE)).toBe(true);
    }
    const write = await send("POST", "/api/journal", viewer.cookie, entry(MINE));
    expect(write.statusCode).toBe(403);
    expect(write.json().error.message).toBe(
      "Seuls les exploitants du site et les administrateurs écrivent le journal.",
    );
    const edit = await send("PUT", `/api/journal/${encodeURIComponent(mine)}`, viewer.cookie, {
      at: "2025-10-08T09:00:00Z",
      kind: "visit",
      text: "Changé par un lecteur.",
    });
    expect(edit.statusCode).toBe(403);
    const del = await send("DELETE", `/api/journal/${encodeURIComponent(mine)}`, viewer.cookie);
    expect(del.statusCode).toBe(403);
  });

  it("anyone else reading another site's journal is told the meter (or site) does not exist", async () => {
    for (const who of [viewer, operator]) {
      const hidden = await send("GET", `/api/journal?device_id=${THEIRS}`, who.cookie);
      const ghost = await send("GET", `/api/journal?device_id=${GHOST}`, who.cookie);
      expect(hidden.statusCode).toBe(404);
      expect(answer(hidden, THEIRS)).toEqual(answer(ghost, GHOST));
      const site = await send("GET", `/api/journal?site_id=${theirSite}`, who.cookie);
      const noSite = await send("GET", "/api/journal?site_id=999999", who.cookie);
      expect(site.statusCode).toBe(404);
      expect(site.json().error).toMatchObject({ field: "site_id", message: "Site inconnu." });
      expect(answer(site, String(theirSite))).toEqual(answer(noSite, "999999"));
    }
  });

  it("another site's entry cannot be edited or deleted: it does not exist for the caller", async () => {
    const ghostId = `${GHOST}:${theirs.split(":").at(-1)}`;
    const change = { at: "2025-10-08T09:00:00Z", kind: "visit", text: "Réécrit." };
    for (const [method, body] of [
      ["PUT", change],
      ["DELETE", undefined],
    ] as const) {
      const hidden = await send(method, `/api/journal/${encodeURIComponent(theirs)}`, operator.cookie, body);
      const ghost = await send(method, `/api/journal/${encodeURIComponent(ghostId)}`, operator.cookie, body);
      expect(hidden.statusCode, method).toBe(404);
      expect(answer(hidden, THEIRS)).toEqual(answer(ghost, GHOST));
    }
    // untouched: its author still reads it as written
    const list = await send("GET", `/api/journal?device_id=${THEIRS}&from=2025-10-01`, otherOperator.cookie);
    expect(list.json().entries.find((e: { id: string }) => e.id === theirs)?.text).toBe("Visite à Lyon.");
  });

  it("an operator edits its own entry, not a colleague's; an admin edits any", async () => {
    const byAdmin = await send("POST", "/api/journal", admin.cookie, entry(MINE, "Relevé du compteur."));
    expect(byAdmin.statusCode).toBe(201);
    const adminId = byAdmin.json().id as string;
    const change = { at: "2025-10-08T09:30:00Z", kind: "visit", text: "Visite de contrôle." };
    const own = await send("PUT", `/api/journal/${encodeURIComponent(mine)}`, operator.cookie, change);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ text: "Visite de contrôle.", author: "exploitant@ndiassane.sn" });
    const colleague = await send(
      "PUT",
      `/api/journal/${encodeURIComponent(adminId)}`,
      operator.cookie,
      change,
    );
    expect(colleague.statusCode).toBe(403);
    const delColleague = await send("DELETE", `/api/journal/${encodeURIComponent(adminId)}`, operator.cookie);
    expect(delColleague.statusCode).toBe(403);
    const anyByAdmin = await send("PUT", `/api/journal/${encodeURIComponent(theirs)}`, admin.cookie, change);
    expect(anyByAdmin.statusCode).toBe(200);
    const delOwn = await send("DELETE", `/api/journal/${encodeURIComponent(mine)}`, operator.cookie);
    expect(delOwn.statusCode).toBe(204);
  });
});

describe("the reports of a site, by role", () => {
  const reports = (target: string) => [
    `/api/reports/monthly.pdf?${target}&month=2025-10`,
    `/api/reports/annual.pdf?${target}&year=2025`,
    `/api/reports/daily.csv?${target}&from=2025-10-01&to=2025-10-20`,
  ];

  it("a viewer gets its own site's and meter's reports", async () => {
    for (const url of [...reports(`site_id=${mySite}`), ...reports(`device_id=${MINE}`)]) {
      const res = await send("GET", url, viewer.cookie);
      expect(res.statusCode, url).toBe(200);
    }
  });

  it("another site's report is 404, as for a site or meter that does not exist", async () => {
    for (const who of [viewer, operator]) {
      for (const [hiddenUrl, ghostUrl] of [
        ...reports(`site_id=${theirSite}`).map((u, i) => [u, reports("site_id=999999")[i]] as const),
        ...reports(`device_id=${THEIRS}`).map((u, i) => [u, reports(`device_id=${GHOST}`)[i]] as const),
      ]) {
        const hidden = await send("GET", hiddenUrl, who.cookie);
        const ghost = await send("GET", ghostUrl ?? "", who.cookie);
        expect(hidden.statusCode, hiddenUrl).toBe(404);
        expect(answer(hidden, THEIRS, String(theirSite)), hiddenUrl).toEqual(answer(ghost, GHOST, "999999"));
        expect(hidden.body).not.toContain("Lyon");
      }
    }
  });
});
