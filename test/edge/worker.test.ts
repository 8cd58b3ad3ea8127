import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frameToMessage, simulateFleet } from "../../simulator/index.js";
import type { App } from "../../src/server/app.js";
import { captureFrames, DEVICE, toQueueMessage } from "../fixtures.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  FakeClock,
  type TestDatabase,
} from "../harness.js";
import {
  BOUND_TOKEN,
  connectMeter,
  eventually,
  FlakyProxy,
  METER_TOKEN,
  startWorker,
  storedReadings,
} from "./edge-harness.js";

// Meter → Worker (workerd, through Miniflare) → queue → consumer → the real service on a fresh database,
// compared with a second service that got the same frames posted directly.
const clock = new FakeClock(new Date("2025-10-09T12:00:00Z"));
let edge: TestDatabase;
let direct: TestDatabase;
let edgeApp: App;
let directApp: App;
let proxy: FlakyProxy;
let mf: Miniflare;

beforeAll(async () => {
  edge = await createTestDatabase();
  direct = await createTestDatabase();
  edgeApp = await createTestApp(edge.db, {
    clock,
    migrationCount: edge.migrationCount,
    publicDashboard: true,
  });
  directApp = await createTestApp(direct.db, { clock, migrationCount: direct.migrationCount });
  await edgeApp.listen({ port: 0, host: "127.0.0.1" });
  const address = edgeApp.server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  proxy = new FlakyProxy(`http://127.0.0.1:${address.port}/api/ingest/batch`);
  const ingestUrl = await proxy.start();
  mf = await startWorker({ ingestUrl, apiKey: BOOTSTRAP_KEY, deadLetters: true, ingestTimeoutMs: 5_000 });
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await proxy?.stop();
  await edgeApp?.close();
  await directApp?.close();
  await edge?.drop();
  await direct?.drop();
});

async function postDirect(messages: unknown[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 1000) {
    const response = await directApp.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
      payload: JSON.stringify({ messages: messages.slice(start, start + 1000) }),
    });
    expect(response.statusCode).toBe(200);
  }
}

async function rowsOf(db: TestDatabase, device: string) {
  return (await storedReadings(db.db)).filter((row) => row.device_id === device);
}

/** Sends frames over a meter's WebSocket, closes it, and waits until the edge database holds `rows` rows. */
async function sendOverSocket(frames: readonly unknown[], device: string, rows: number): Promise<void> {
  const meter = await connectMeter(mf, METER_TOKEN);
  expect(meter.status).toBe(101);
  for (const frame of frames) meter.socket?.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  meter.socket?.close(1000, "done");
  await eventually(async () => (await rowsOf(edge, device)).length >= rows, `${rows} rows of ${device}`);
}

function simulatedFrames(seed: number, hours: number, start: string) {
  const sim = simulateFleet({ seed, devices: 1, days: hours / 24, start });
  const frames = [...sim.frames()];
  return { device: sim.devices[0]?.id as string, frames };
}

const DESCRIPTIONS = {
  "503": "answering 503",
  "401": "refusing the key (a rotation in progress)",
  down: "down",
  "lose-answer": "losing its answers",
};

describe("meter → Worker → queue → consumer → service", () => {
  it("stores the real capture exactly as when its frames are posted directly, idle channels included", async () => {
    const frames = captureFrames();
    await postDirect(frames.map(toQueueMessage));
    const expected = await rowsOf(direct, DEVICE);
    const meter = await connectMeter(mf, METER_TOKEN);
    // the start-up RPCs the meter expects, before anything else
    await eventually(async () => meter.received.length >= 2, "bootstrap RPCs");
    expect(meter.received.map((text) => JSON.parse(text).method)).toEqual([
      "NotifyStatus",
      "Shelly.GetStatus",
    ]);
    for (const frame of frames) meter.socket?.send(JSON.stringify(frame));
    meter.socket?.send("not json at all");
    meter.socket?.close(1000, "done");
    await eventually(async () => (await rowsOf(edge, DEVICE)).length >= expected.length, "capture rows");
    const stored = await rowsOf(edge, DEVICE);
    expect(stored).toEqual(expected);
    // the minute frame of 22:59 of every channel, the 0 W ones too
    const minute = stored.filter((row) => row.ts === "2025-10-08T22:59:00.000Z");
    expect(minute.map((row) => [row.channel, row.apower_w])).toEqual([
      [0, 0],
      [1, 0],
      [2, 438],
      [3, 1.1],
    ]);
  });

  it("carries six simulated hours of a meter minute by minute, in fewer queue messages than frames", async () => {
    const { device, frames } = simulatedFrames(11, 6, "2025-10-09T00:00:00Z");
    await postDirect(frames.map(frameToMessage));
    const expected = await rowsOf(direct, device);
    const before = proxy.requests.reduce((n, r) => n + r.messages, 0);
    await sendOverSocket(frames, device, expected.length);
    expect(await rowsOf(edge, device)).toEqual(expected);
    const messages = proxy.requests.reduce((n, r) => n + r.messages, 0) - before;
    // the NotifyFullStatus of the connection's first minute, then 360 minute frames, all four channels
    expect(expected.length).toBe(4 * 361);
    expect(messages).toBeLessThan(frames.length);
    expect(messages).toBeGreaterThanOrEqual(360);
    // Idle minutes arrive, so the meter's last_seen is its last minute, pumps running or not: that is
    // what "hors ligne" rests on (docs/edge-pipeline.md).
    const listed = (await edgeApp.inject({ url: "/api/devices" })).json() as {
      devices: { device_id: string; last_seen: string }[];
    };
    expect(listed.devices.find((d) => d.device_id === device)?.last_seen).toBe("2025-10-09T06:00:00.000Z");
  });

  for (const mode of ["503", "401", "down", "lose-answer"] as const) {
    it(`loses nothing and stores nothing twice when the service is ${DESCRIPTIONS[mode]} for a while`, async () => {
      const { device, frames } = simulatedFrames(mode.length + 20, 1, "2025-10-09T06:00:00Z");
      await postDirect(frames.map(frameToMessage));
      const expected = await rowsOf(direct, device);
      const failedBefore = proxy.requests.filter((r) => r.mode === mode).length;
      proxy.mode = mode;
      const meter = await connectMeter(mf, METER_TOKEN);
      for (const frame of frames) meter.socket?.send(JSON.stringify(frame));
      meter.socket?.close(1000, "done");
      await eventually(
        async () => proxy.requests.filter((r) => r.mode === mode).length >= failedBefore + 2,
        "failed deliveries",
      );
      proxy.mode = "pass";
      await eventually(
        async () => (await rowsOf(edge, device)).length >= expected.length,
        `rows of ${device}`,
      );
      expect(await rowsOf(edge, device)).toEqual(expected);
      if (mode === "lose-answer") {
        // the retried batches found their rows already there
        expect(proxy.answers.some((results) => results.some((r) => r.status === "duplicate"))).toBe(true);
      }
    });
  }

  it("refuses a wrong or missing token before the upgrade, and /ws without an upgrade", async () => {
    expect((await connectMeter(mf, "wrong-token")).status).toBe(401);
    expect((await connectMeter(mf, null)).status).toBe(401);
    expect((await mf.dispatchFetch(`http://worker.test/ws?token=${METER_TOKEN}`)).status).toBe(426);
    const post = (token: string, body: unknown) =>
      mf.dispatchFetch(`http://worker.test/shelly?token=${token}`, {
        method: "POST",
        body: JSON.stringify(body),
      });
    const frame = captureFrames()[11];
    expect((await post("wrong-token", frame)).status).toBe(401);
    // a token bound to one meter speaks for no other
    expect((await post(BOUND_TOKEN, frame)).status).toBe(401);
    const bound = await post(BOUND_TOKEN, { ...frame, src: "shellypro4pm-bound" });
    expect(bound.status).toBe(202);
    expect(await bound.json()).toEqual({ accepted: 1 });
    const bad = await mf.dispatchFetch("http://worker.test/shelly", {
      method: "POST",
      headers: { authorization: `Bearer ${METER_TOKEN}` },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
  });

  it("acks a rejected message without blocking the rest of its batch", async () => {
    const device = "shellypro4pm-rejects";
    const good = (minute: number) => ({
      src: device,
      timestamp: 1759996800 + minute * 60,
      params: { "switch:0": { apower: 12.5, voltage: 230 } },
    });
    const rejected = { src: device, timestamp: 1759996800, params: { "switch:0": { apower: "douze" } } };
    const response = await mf.dispatchFetch(`http://worker.test/shelly?token=${METER_TOKEN}`, {
      method: "POST",
      body: JSON.stringify([good(0), rejected, good(1)]),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 3 });
    await eventually(async () => (await rowsOf(edge, device)).length >= 2, "the two valid rows");
    expect((await rowsOf(edge, device)).map((row) => row.apower_w)).toEqual([12.5, 12.5]);
    await eventually(
      async () => proxy.answers.some((results) => results.some((r) => r.status === "rejected")),
      "the rejection",
    );
  });
});
