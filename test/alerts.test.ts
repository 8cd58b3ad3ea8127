import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulateFleet } from "../simulator/index.js";
import { evaluateRound } from "../src/alerts/evaluate.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
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

// Five weeks of one simulated device: one to learn from, four of normal operation to watch. Its lift pumps
// run as a float makes them; with the simulator's default random days (5–25 runs placed anywhere in a day)
// a 12 h silence after a 17 h start happens in these four weeks and is above the 3 × p95 (see
// docs/alerts.md, "Pompe inactive").
const START_S = Date.parse("2025-11-01T00:00:00Z") / 1000;
const DAYS = 35;
const END = new Date((START_S + DAYS * 86_400) * 1000);
const sim = simulateFleet({ seed: 4, devices: 1, days: DAYS, start: START_S, liftPattern: "float" });
const device = (sim.devices[0] as { id: string }).id;

let t: TestDatabase;
let app: App;
const clock = new FakeClock(END);

async function post(messages: unknown[]) {
  const response = await app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "content-type": "application/json", "x-api-key": BOOTSTRAP_KEY },
    payload: JSON.stringify({ messages }),
  });
  expect(response.statusCode).toBe(200);
}

async function refresh(now: Date) {
  await refreshPendingCycles(t.db, { nowMinute: Math.floor(now.getTime() / 60_000) });
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount });
  for (const batch of sim.batches(1000)) await post(batch);
  await refresh(END);
}, 600_000);
afterAll(async () => {
  await app.close();
  await t.drop();
});

async function alerts(headers: Record<string, string>, query = "") {
  const response = await app.inject({ url: `/api/alerts${query}`, headers });
  expect(response.statusCode).toBe(200);
  return response.json() as { alerts: Record<string, unknown>[]; total: number };
}

describe("alerts on simulated operation", () => {
  it("four weeks of normal operation raise nothing, live or in a backtest", async () => {
    const viewer = await loginAs(app, t.db, "viewer@example.org", "viewer");
    const round = await evaluateRound(t.db, END, { holder: "a" });
    expect(round).toMatchObject({ devices: 1, opened: 0 });
    expect((await alerts(viewer)).total).toBe(0);
    const from = new Date((START_S + 7 * 86_400) * 1000).toISOString();
    const response = await app.inject({
      url: `/api/alerts/backtest?device_id=${device}&from=${from}&to=${END.toISOString()}`,
      headers: viewer,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ alerts: [] });
  }, 120_000);

  it("the rules screen shows learned thresholds after 7 days, never below the floors", async () => {
    const viewer = await loginAs(app, t.db, "viewer2@example.org", "viewer");
    const response = await app.inject({ url: `/api/alerts/rules/${device}`, headers: viewer });
    expect(response.statusCode).toBe(200);
    const rules = response.json().rules as {
      rule: string;
      channel: number | null;
      source: string;
      threshold: number;
    }[];
    expect(rules).toHaveLength(4 * 6 + 1);
    const inactive = rules.find((r) => r.rule === "pump_inactive" && r.channel === 0);
    expect(inactive?.source).toBe("learned");
    expect(inactive?.threshold).toBeGreaterThanOrEqual(120);
  });

  it("a silent meter raises Compteur hors ligne once across two instances, and late data resolves it", async () => {
    const admin = await loginAs(app, t.db, "admin@example.org", "admin");
    const lastS = START_S + DAYS * 86_400; // the last minute frame is at END
    // 10 minutes of silence are allowed; the 11th is not.
    const at = (min: number) => new Date((lastS + min * 60) * 1000);
    expect(await evaluateRound(t.db, at(10), { holder: "a" })).toMatchObject({ opened: 0 });
    // Instance b waits for a's lease; a keeps evaluating.
    expect(await evaluateRound(t.db, at(11), { holder: "b" })).toBeNull();
    expect(await evaluateRound(t.db, at(11), { holder: "a" })).toMatchObject({ opened: 1 });
    expect(await evaluateRound(t.db, at(12), { holder: "a" })).toMatchObject({ opened: 0 });
    // a dies: once its lease has expired b takes over, and raises nothing twice.
    expect(await evaluateRound(t.db, at(15), { holder: "b" })).toMatchObject({ opened: 0 });
    const open = await alerts(admin, "?state=open");
    expect(open.total).toBe(1);
    expect(open.alerts[0]).toMatchObject({
      device_id: device,
      channel: null,
      rule: "meter_offline",
      severity: "critical",
      state: "open",
      started_at: at(11).toISOString(),
      ended_at: null,
      threshold: 10,
    });
    expect(String(open.alerts[0]?.message)).toContain("Compteur hors ligne");

    // The meter's buffered minutes arrive late: 20 minutes after END.
    clock.set(at(21));
    const late = simulateFleet({ seed: 4, devices: 1, days: 20 / 1440, start: lastS, liftPattern: "float" });
    for (const batch of late.batches(1000)) await post(batch);
    await refresh(at(21));
    for (let m = 21; m <= 26; m++) await evaluateRound(t.db, at(m), { holder: "b" });
    const resolved = await alerts(admin, "?state=resolved");
    expect(resolved.alerts).toHaveLength(1);
    expect(resolved.alerts[0]).toMatchObject({ rule: "meter_offline", ended_at: at(21).toISOString() });
    // Peak: the longest silence seen while it was open (at minute 15).
    expect(resolved.alerts[0]?.value).toBe(15);
  }, 120_000);

  it("an operator acknowledges with a comment (a viewer may not) but cannot change a rule; an admin can", async () => {
    const reader = await loginAs(app, t.db, "reader3@example.org", "viewer");
    const viewer = await loginAs(app, t.db, "viewer3@example.org", "operator");
    const admin = await loginAs(app, t.db, "admin2@example.org", "admin");
    const [alert] = (await alerts(viewer)).alerts;
    const refused = await app.inject({
      method: "POST",
      url: `/api/alerts/${encodeURIComponent(String(alert?.id))}/acknowledge`,
      headers: { ...reader, ...SAME_ORIGIN, "content-type": "application/json" },
      payload: JSON.stringify({ comment: "Coupure secteur connue" }),
    });
    expect(refused.statusCode).toBe(403);
    const ack = await app.inject({
      method: "POST",
      url: `/api/alerts/${encodeURIComponent(String(alert?.id))}/acknowledge`,
      headers: { ...viewer, ...SAME_ORIGIN, "content-type": "application/json" },
      payload: JSON.stringify({ comment: "Coupure secteur connue" }),
    });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({
      acknowledged_by: "viewer3@example.org",
      comment: "Coupure secteur connue",
    });
    const noCsrf = await app.inject({
      method: "POST",
      url: `/api/alerts/${encodeURIComponent(String(alert?.id))}/acknowledge`,
      headers: { ...viewer, "content-type": "application/json" },
      payload: JSON.stringify({ comment: "x" }),
    });
    expect(noCsrf.statusCode).toBe(403);
    const body = JSON.stringify({ channel: 0, rule: "pump_inactive", enabled: true, threshold: 300 });
    const put = (headers: Record<string, string>) =>
      app.inject({
        method: "PUT",
        url: `/api/alerts/rules/${device}`,
        headers: { ...headers, ...SAME_ORIGIN, "content-type": "application/json" },
        payload: body,
      });
    expect((await put(viewer)).statusCode).toBe(403);
    const changed = await put(admin);
    expect(changed.statusCode).toBe(200);
    const rule = (
      changed.json().rules as {
        rule: string;
        channel: number;
        threshold: number;
        source: string;
        learned_threshold: number;
      }[]
    ).find((r) => r.rule === "pump_inactive" && r.channel === 0);
    expect(rule).toMatchObject({ threshold: 300, source: "override" });
    expect(rule?.learned_threshold).not.toBe(300);
    const unknown = await app.inject({
      method: "POST",
      url: "/api/alerts/nope:1/acknowledge",
      headers: { ...viewer, ...SAME_ORIGIN, "content-type": "application/json" },
      payload: JSON.stringify({ comment: "x" }),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe("Alerte introuvable.");
  });
});
