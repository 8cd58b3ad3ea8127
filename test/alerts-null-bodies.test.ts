import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulateFleet } from "../simulator/index.js";
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

// The rules screen sends null for "the whole meter" and for "back to the learned value": the validator's
// type coercion must not read that null as 0 (channel 0, or a threshold of 0 refused).
const START = new Date("2025-11-01T00:00:00Z");
const sim = simulateFleet({ seed: 8, devices: 1, days: 0.1, start: START });
const device = (sim.devices[0] as { id: string }).id;

let t: TestDatabase;
let app: App;

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { clock: new FakeClock(START), migrationCount: t.migrationCount });
  for (const batch of sim.batches(1000)) {
    const r = await app.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "content-type": "application/json", "x-api-key": BOOTSTRAP_KEY },
      payload: JSON.stringify({ messages: batch }),
    });
    expect(r.statusCode).toBe(200);
  }
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("null in the alerts' request bodies", () => {
  it("a maintenance window with channel null covers the whole meter, 0 stays channel 0", async () => {
    const admin = { ...(await loginAs(app, t.db, "admin@example.org", "admin")), ...SAME_ORIGIN };
    const plan = (channel: number | null) =>
      app.inject({
        method: "POST",
        url: `/api/alerts/maintenance/${device}`,
        headers: admin,
        payload: {
          channel,
          starts_at: "2025-11-01T01:00:00Z",
          ends_at: "2025-11-01T03:00:00Z",
          reason: null,
        },
      });
    const whole = await plan(null);
    expect(whole.statusCode).toBe(201);
    expect(whole.json().channel).toBeNull();
    const first = await plan(0);
    expect(first.statusCode).toBe(201);
    expect(first.json().channel).toBe(0);
  });

  it("a threshold set back to null is the learned one again", async () => {
    const admin = { ...(await loginAs(app, t.db, "admin2@example.org", "admin")), ...SAME_ORIGIN };
    const put = (threshold: number | null) =>
      app.inject({
        method: "PUT",
        url: `/api/alerts/rules/${device}`,
        headers: admin,
        payload: { channel: 1, rule: "voltage", enabled: true, threshold },
      });
    const voltage1 = (r: { json(): { rules: { rule: string; channel: number | null }[] } }) =>
      r.json().rules.find((x) => x.rule === "voltage" && x.channel === 1);
    const forced = await put(190);
    expect(forced.statusCode).toBe(200);
    expect(voltage1(forced)).toMatchObject({ threshold: 190, source: "override" });
    const back = await put(null);
    expect(back.statusCode).toBe(200);
    expect(voltage1(back)).toMatchObject({ threshold: 207, source: "default" });
  });
});
