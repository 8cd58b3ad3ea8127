import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChannelVersion } from "../src/admin/config-versions.js";
import { pumpChangesOf } from "../src/db/queries/pump-changes.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
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
let admin2: { cookie: string };
let viewer: { cookie: string };
const NOW = new Date("2026-03-20T12:00:00Z");
const clock = new FakeClock(NOW);
const METER = "shellypro4pm-aaaaaaaaaaaa";
const OTHER = "shellypro4pm-bbbbbbbbbbbb";
const at = (iso: string) => Date.parse(iso) / 1000;

function minutes(device: string, startIso: string, count: number, watts: number) {
  return Array.from({ length: count }, (_, i) => ({
    src: device,
    timestamp: at(startIso) + i * 60,
    params: { "switch:0": { apower: watts, current: watts / 230, voltage: 230 } },
  }));
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount, timeZone: "Europe/Paris" });
  admin = await loginAs(app, t.db, "admin@example.org", "admin");
  admin2 = await loginAs(app, t.db, "admin2@example.org", "admin");
  viewer = await loginAs(app, t.db, "viewer@example.org", "viewer");
  // two hours of readings, then a silence of 3 h, then one more hour
  const summary = await ingestBatch(
    t.db,
    [
      ...minutes(METER, "2026-03-10T06:00:00Z", 120, 0),
      ...minutes(METER, "2026-03-10T11:00:00Z", 60, 900),
      ...minutes(OTHER, "2026-03-10T06:00:00Z", 10, 0),
    ],
    { nowS: at(NOW.toISOString()), receivedAt: NOW },
  );
  expect(summary.errors).toBe(0);
  await addChannelVersion(
    t.db,
    {
      deviceId: METER,
      channel: 0,
      effectiveFrom: "2026-03-01",
      name: "PR1",
      pumpType: "relevage",
      flowRateM3h: 12,
    },
    "admin@example.org",
    new Date("2026-03-05T09:00:00Z"),
  );
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const write = (headers: Record<string, string>, body: unknown, method: "POST" | "PUT" = "POST", id = "") =>
  app.inject({
    method,
    url: `/api/journal${id ? `/${encodeURIComponent(id)}` : ""}`,
    headers: { ...headers, ...SAME_ORIGIN, "content-type": "application/json" },
    payload: JSON.stringify(body),
  });

describe("the operating journal", () => {
  let entryId = "";

  it("an admin writes an entry; it is listed newest first beside what happened by itself", async () => {
    const res = await write(admin, {
      device_id: METER,
      channel: 0,
      at: "2026-03-10T10:30:00+01:00",
      kind: "pump_overhaul",
      text: "  Révision de la pompe PR1 : garniture changée.  ",
    });
    expect(res.statusCode).toBe(201);
    const entry = res.json();
    entryId = entry.id;
    expect(entry).toMatchObject({
      device_id: METER,
      channel: 0,
      at: "2026-03-10T09:30:00.000Z",
      kind: "pump_overhaul",
      text: "Révision de la pompe PR1 : garniture changée.",
      author: "admin@example.org",
      automatic: false,
    });
    expect(entry.id).toMatch(new RegExp(`^${METER}:\\d+$`));

    const list = await app.inject({
      url: `/api/journal?device_id=${METER}&from=2026-03-01&to=2026-03-20`,
      headers: viewer,
    });
    expect(list.statusCode).toBe(200);
    const entries = list.json().entries as { kind: string; at: string; automatic: boolean; text: string }[];
    const kinds = entries.map((e) => e.kind);
    expect(kinds).toContain("pump_overhaul");
    expect(kinds).toContain("configuration");
    // the meter was silent from 07:59 to 11:00 UTC: one silence, ending at the first reading after it
    const silence = entries.find((e) => e.kind === "meter_silence");
    expect(silence).toMatchObject({ at: "2026-03-10T11:00:00.000Z", automatic: true });
    expect(silence?.text).toContain("10/03/2026 à 08h59"); // 07:59 UTC in Paris (UTC+1)
    expect(silence?.text).toContain("10/03/2026 à 12h00");
    const times = entries.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("a viewer reads but may not write (403)", async () => {
    const res = await write(viewer, {
      device_id: METER,
      at: "2026-03-10T10:00:00Z",
      kind: "visit",
      text: "x",
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/exploitants/);
  });

  it("an unknown meter is 404 naming device_id, for reading and writing", async () => {
    const read = await app.inject({ url: "/api/journal?device_id=nope", headers: viewer });
    expect(read.statusCode).toBe(404);
    expect(read.json().error.field).toBe("device_id");
    const res = await write(admin, {
      device_id: "nope",
      at: "2026-03-10T10:00:00Z",
      kind: "visit",
      text: "x",
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.field).toBe("device_id");
  });

  it("an unknown site is 404 naming site_id", async () => {
    const res = await app.inject({ url: "/api/journal?site_id=999", headers: viewer });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: "unknown_site", field: "site_id" });
    expect(res.json().error.message).toBe("Site inconnu.");
  });

  it("refuses bad input in French, naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ device_id: METER, at: "2026-03-10 10:00", kind: "visit", text: "x" }, "at"],
      [{ device_id: METER, at: "2026-03-10T10:00:00Z", kind: "visit", text: "   " }, "text"],
      [{ device_id: METER, at: "2027-03-10T10:00:00Z", kind: "visit", text: "x" }, "at"],
      [{ device_id: METER, at: "2026-03-10T10:00:00Z", kind: "repair", text: "x" }, "kind"],
      [{ device_id: METER, channel: 7, at: "2026-03-10T10:00:00Z", kind: "visit", text: "x" }, "channel"],
    ];
    for (const [body, field] of cases) {
      const res = await write(admin, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.field).toBe(field);
      expect(res.json().error.message).not.toMatch(/must|should|SQL|select/i);
    }
    const noTarget = await app.inject({ url: "/api/journal", headers: viewer });
    expect(noTarget.statusCode).toBe(400);
    expect(noTarget.json().error.field).toBe("device_id");
    const badPeriod = await app.inject({
      url: `/api/journal?device_id=${METER}&from=2026-13-01`,
      headers: viewer,
    });
    expect(badPeriod.statusCode).toBe(400);
    expect(badPeriod.json().error.field).toBe("from");
  });

  it("only the author or an admin edits; edits and deletions are audited", async () => {
    const mine = await write(admin2, {
      device_id: METER,
      at: "2026-03-11T08:00:00Z",
      kind: "observation",
      text: "Odeur au poste.",
    });
    expect(mine.statusCode).toBe(201);
    const id = mine.json().id as string;
    const edited = await write(
      admin2,
      { at: "2026-03-11T08:15:00Z", kind: "observation", text: "Odeur au poste, trappe ouverte." },
      "PUT",
      id,
    );
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      text: "Odeur au poste, trappe ouverte.",
      author: "admin2@example.org",
    });
    // another admin may edit too (contract: its author or an admin)
    const byAdmin = await write(
      admin,
      { at: "2026-03-11T08:15:00Z", kind: "visit", text: "Visite." },
      "PUT",
      id,
    );
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json().author).toBe("admin2@example.org");
    const viewerEdit = await write(
      viewer,
      { at: "2026-03-11T08:15:00Z", kind: "visit", text: "y" },
      "PUT",
      id,
    );
    expect(viewerEdit.statusCode).toBe(403);

    const del = await app.inject({
      method: "DELETE",
      url: `/api/journal/${encodeURIComponent(id)}`,
      headers: { ...admin2, ...SAME_ORIGIN },
    });
    expect(del.statusCode).toBe(204);
    const again = await app.inject({
      method: "DELETE",
      url: `/api/journal/${encodeURIComponent(id)}`,
      headers: { ...admin2, ...SAME_ORIGIN },
    });
    expect(again.statusCode).toBe(404);
    const invalid = await write(
      admin,
      { at: "2026-03-11T08:15:00Z", kind: "visit", text: "y" },
      "PUT",
      "abc",
    );
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.field).toBe("id");

    const audit = await app.inject({ url: "/api/admin/audit?kind=journal_entry", headers: admin });
    expect(audit.statusCode).toBe(200);
    const actions = (audit.json().entries as { action: string; entity_key: string; actor: string }[])
      .filter((e) => e.entity_key === id)
      .map((e) => `${e.action}:${e.actor}`);
    expect(actions.sort()).toEqual([
      "create:admin2@example.org",
      "delete:admin2@example.org",
      "update:admin2@example.org",
      "update:admin@example.org",
    ]);
  });

  it("exposes the pump overhauls and replacements for pump health (issue 17)", async () => {
    const changes = await pumpChangesOf(t.db, METER, NOW);
    expect(changes).toEqual([
      { deviceId: METER, channel: 0, at: new Date("2026-03-10T09:30:00Z"), kind: "pump_overhaul" },
    ]);
    expect(entryId).not.toBe("");
  });
});
