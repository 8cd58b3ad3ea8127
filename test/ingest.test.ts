import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../src/admin/api-keys.js";
import { revokeApiKey } from "../src/db/queries/api-keys.js";
import type { App } from "../src/server/app.js";
import { captureFrames, DEVICE, toQueueMessage } from "./fixtures.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  FakeClock,
  LogCapture,
  type TestDatabase,
} from "./harness.js";

let t: TestDatabase;
let app: App;
const logs = new LogCapture();
const clock = new FakeClock(new Date("2025-10-08T23:00:00Z"));

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, {
    clock,
    migrationCount: t.migrationCount,
    logs,
    bodyLimitBytes: 1024 * 1024,
  });
});
afterAll(async () => {
  await app.close();
  await t.drop();
});
beforeEach(async () => {
  await t.db.query("TRUNCATE readings, devices CASCADE");
});

interface Row {
  device_id: string;
  channel: number;
  ts: Date;
  apower_w: number | null;
  voltage_v: number | null;
  current_a: number | null;
  power_factor: number | null;
  frequency_hz: number | null;
  energy_total_wh: number | null;
  energy_last_minute_wh: number | null;
  temperature_c: number | null;
  output: boolean | null;
}

async function rows(): Promise<Row[]> {
  const result = await t.db.query<Row>(
    `SELECT device_id, channel, ts, apower_w, voltage_v, current_a, power_factor, frequency_hz, energy_total_wh,
            energy_last_minute_wh, temperature_c, output
     FROM readings ORDER BY device_id, ts, channel`,
  );
  return result.rows;
}

function post(body: unknown, headers: Record<string, string> = { "x-api-key": BOOTSTRAP_KEY }) {
  return app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "content-type": "application/json", ...headers },
    payload: typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

const frames = captureFrames();
const A = new Date(29332738 * 60_000); // 2025-10-08T22:58:00Z, the minute of NotifyFullStatus
const B = new Date(29332739 * 60_000); // 2025-10-08T22:59:00Z, the minute of the per-minute frames

// Read off the capture by hand: the complete frames of each minute win over the deltas of that minute.
const EXPECTED: Omit<Row, "device_id">[] = [
  {
    channel: 0,
    ts: A,
    apower_w: 0,
    voltage_v: 228.4,
    current_a: 0,
    power_factor: 0,
    frequency_hz: 50,
    energy_total_wh: 14,
    energy_last_minute_wh: 0,
    temperature_c: 51.4,
    output: false,
  },
  {
    channel: 1,
    ts: A,
    apower_w: 0,
    voltage_v: 228.3,
    current_a: 0,
    power_factor: 0,
    frequency_hz: 50,
    energy_total_wh: 369.368,
    energy_last_minute_wh: 0,
    temperature_c: 51.4,
    output: true,
  },
  {
    channel: 2,
    ts: A,
    apower_w: 428.3,
    voltage_v: 228.5,
    current_a: 2.457,
    power_factor: 0.8,
    frequency_hz: 50,
    energy_total_wh: 2828.474,
    energy_last_minute_wh: 7.161568,
    temperature_c: 51.4,
    output: true,
  },
  {
    channel: 3,
    ts: A,
    apower_w: 1.1,
    voltage_v: 228.4,
    current_a: 0.059,
    power_factor: 0.09,
    frequency_hz: 50,
    energy_total_wh: 628.81,
    energy_last_minute_wh: 0.018627,
    temperature_c: 51.4,
    output: true,
  },
  {
    channel: 0,
    ts: B,
    apower_w: 0,
    voltage_v: 228.2,
    current_a: 0,
    power_factor: 0,
    frequency_hz: 50,
    energy_total_wh: 14,
    energy_last_minute_wh: 0,
    temperature_c: null,
    output: null,
  },
  {
    channel: 1,
    ts: B,
    apower_w: 0,
    voltage_v: 228.1,
    current_a: 0,
    power_factor: 0,
    frequency_hz: 50,
    energy_total_wh: 369.368,
    energy_last_minute_wh: 0,
    temperature_c: null,
    output: null,
  },
  {
    channel: 2,
    ts: B,
    apower_w: 438,
    voltage_v: 228.2,
    current_a: 2.513,
    power_factor: 0.8,
    frequency_hz: 50,
    energy_total_wh: 2833.608,
    energy_last_minute_wh: 7.035312,
    temperature_c: null,
    output: null,
  },
  {
    channel: 3,
    ts: B,
    apower_w: 1.1,
    voltage_v: 228.2,
    current_a: 0.059,
    power_factor: 0.1,
    frequency_hz: 50,
    energy_total_wh: 628.823,
    energy_last_minute_wh: 0.018401,
    temperature_c: null,
    output: null,
  },
];

function expectCaptureRows(actual: Row[], device = DEVICE) {
  expect(actual).toHaveLength(EXPECTED.length);
  actual.forEach((row, i) => {
    const expected = EXPECTED[i];
    if (!expected) throw new Error("missing expectation");
    const { energy_last_minute_wh, ...exact } = expected;
    expect(row).toMatchObject({ ...exact, device_id: device });
    if (energy_last_minute_wh === null) expect(row.energy_last_minute_wh).toBeNull();
    else expect(row.energy_last_minute_wh).toBeCloseTo(energy_last_minute_wh, 9);
  });
}

describe("the real capture", () => {
  it("gives the expected readings as queue messages, registers the device, and counts per reading", async () => {
    const response = await post({ messages: frames.map(toQueueMessage) });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expectCaptureRows(await rows());
    // 8 readings make the 8 rows; the 7 deltas lose to complete frames of their minute.
    expect(body).toMatchObject({ inserted: 8, duplicates: 7, errors: 0, total_messages: 17, devices: 1 });
    expect(body.results.map((r: { status: string }) => r.status)).toEqual([
      "stored",
      "ignored",
      "ignored",
      "ignored",
      "ignored",
      "duplicate",
      "duplicate",
      "ignored",
      "duplicate",
      "duplicate",
      "stored",
      "stored",
      "stored",
      "stored",
      "duplicate",
      "duplicate",
      "duplicate",
    ]);
    const devices = await t.db.query<{ device_id: string; model: string; first_seen: Date; last_seen: Date }>(
      "SELECT device_id, model, first_seen, last_seen FROM devices",
    );
    expect(devices.rows).toEqual([
      { device_id: DEVICE, model: "Shelly Pro 4PM", first_seen: A, last_seen: B },
    ]);
  });

  it("gives the same readings from raw Shelly frames (timestamp taken from params.ts)", async () => {
    const response = await post({ messages: frames });
    expect(response.statusCode).toBe(200);
    expectCaptureRows(await rows());
  });

  it("gives the same rows whatever the order, repetition and batching of the frames (property)", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: frames.length - 1 }), { minLength: 0, maxLength: 20 }),
        fc.infiniteStream(fc.integer({ min: 1, max: 6 })),
        fc.func(fc.integer()),
        async (extra, batchSizes, order) => {
          const device = `${DEVICE}-p${run++}`;
          const messages = [...frames.keys(), ...extra]
            .map((i, position) => ({ i, key: order(i * 1000 + position) }))
            .sort((a, b) => a.key - b.key)
            .map(({ i }) => ({ ...toQueueMessage(frames[i] as never), src: device }));
          const sizes = batchSizes[Symbol.iterator]();
          for (let start = 0; start < messages.length; ) {
            const size = sizes.next().value as number;
            const response = await post({ messages: messages.slice(start, start + size) });
            expect(response.statusCode).toBe(200);
            start += size;
          }
          expectCaptureRows(
            (await rows()).filter((r) => r.device_id === device),
            device,
          );
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe("the predecessor's acceptance list", () => {
  const one = {
    src: DEVICE,
    timestamp: 1759964340,
    params: { "switch:2": { apower: 438, voltage: 228.2, current: 2.513 } },
  };

  it("no key → 401; wrong key → 401", async () => {
    for (const headers of [{}, { "x-api-key": "wrong" }, { authorization: "Bearer wrong" }] as Record<
      string,
      string
    >[]) {
      const response = await post({ messages: [one] }, headers);
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe("unauthorized");
    }
    expect(await rows()).toHaveLength(0);
  });

  it("one message → inserted; the same message again → 0 inserted and 1 duplicate", async () => {
    const first = (await post({ messages: [one] })).json();
    expect(first).toMatchObject({
      inserted: 1,
      duplicates: 0,
      results: [{ index: 0, status: "stored", readings: 1 }],
    });
    const again = (await post({ messages: [one] })).json();
    expect(again).toMatchObject({
      inserted: 0,
      duplicates: 1,
      results: [{ index: 0, status: "duplicate", readings: 1 }],
    });
    expect(await rows()).toHaveLength(1);
  });

  it("a batch of 100 → right counters", async () => {
    const messages = Array.from({ length: 100 }, (_, i) => ({
      src: DEVICE,
      timestamp: 1759900000 + i * 60,
      params: { "switch:1": { apower: 1200 + i, voltage: 230 } },
    }));
    const body = (await post({ messages })).json();
    expect(body).toMatchObject({ inserted: 100, duplicates: 0, errors: 0, total_messages: 100, devices: 1 });
    const overlap = [
      ...messages.slice(50),
      ...messages.slice(0, 10).map((m) => ({ ...m, timestamp: m.timestamp + 100 * 60 })),
    ];
    const second = (await post({ messages: overlap })).json();
    expect(second).toMatchObject({ inserted: 10, duplicates: 50, total_messages: 60 });
    expect(await rows()).toHaveLength(110);
  });

  it("accepts Authorization: Bearer and keys created in the database; a revoked key → 401", async () => {
    expect((await post({ messages: [one] }, { authorization: `Bearer ${BOOTSTRAP_KEY}` })).statusCode).toBe(
      200,
    );
    const created = await createApiKey(t.db, "file Cloudflare", null);
    expect((await post({ messages: [one] }, { "x-api-key": created.key })).statusCode).toBe(200);
    const used = await t.db.query<{ last_used_at: Date | null }>(
      "SELECT last_used_at FROM api_keys WHERE id = $1",
      [created.id],
    );
    expect(used.rows[0]?.last_used_at).toEqual(clock.now());
    await revokeApiKey(t.db, created.id, clock.now());
    const revoked = await post({ messages: [one] }, { "x-api-key": created.key });
    const unknown = await post({ messages: [one] }, { "x-api-key": `${created.key.slice(0, -1)}x` });
    expect(revoked.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(revoked.json().error.message).toBe(unknown.json().error.message);
  });
});

describe("bad input: a clear error, and nothing stored changes", () => {
  const stored = {
    src: DEVICE,
    timestamp: 1759964340,
    params: { "switch:2": { apower: 438, voltage: 228.2 } },
  };
  beforeEach(async () => {
    expect((await post({ messages: [stored] })).statusCode).toBe(200);
  });
  async function expectUnchanged() {
    const all = await rows();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ apower_w: 438, voltage_v: 228.2 });
  }
  function expectCleanError(body: string, code: string) {
    const parsed = JSON.parse(body);
    expect(parsed.error.code).toBe(code);
    expect(typeof parsed.error.message).toBe("string");
    expect(parsed.error.request_id).toBeTruthy();
    expect(body).not.toMatch(/SELECT|INSERT|node_modules|\/work\/|at .*\.ts|stack/i);
  }

  it("body not JSON → 400; not declared as JSON → 415", async () => {
    const broken = await post("{not json");
    expect(broken.statusCode).toBe(400);
    expectCleanError(broken.body, "invalid_json");
    const text = await app.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "content-type": "text/plain", "x-api-key": BOOTSTRAP_KEY },
      payload: JSON.stringify({ messages: [stored] }),
    });
    expect(text.statusCode).toBe(415);
    expectCleanError(text.body, "unsupported_media_type");
    await expectUnchanged();
  });

  it.each([
    ["messages missing", {}],
    ["messages empty", { messages: [] }],
    ["messages not an array", { messages: "x" }],
    ["not an object", [1, 2]],
    ["1001 messages", { messages: Array.from({ length: 1001 }, () => stored) }],
  ])("%s → 422", async (_name, body) => {
    const response = await post(body);
    expect(response.statusCode).toBe(422);
    expectCleanError(response.body, "invalid_batch");
    await expectUnchanged();
  });

  it("exactly 1000 messages is accepted", async () => {
    const response = await post({ messages: Array.from({ length: 1000 }, () => stored) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ inserted: 0, duplicates: 1000 });
  });

  it("body over the limit → 413, compressed or not", async () => {
    const big = { messages: [{ ...stored, padding: "x".repeat(1100 * 1024) }] };
    const plain = await post(big);
    expect(plain.statusCode).toBe(413);
    expectCleanError(plain.body, "payload_too_large");
    const bomb = await post(gzipSync(JSON.stringify(big)), {
      "x-api-key": BOOTSTRAP_KEY,
      "content-encoding": "gzip",
    });
    expect(bomb.statusCode).toBe(413);
    await expectUnchanged();
  });

  it("gzip bodies are read; other encodings → 415", async () => {
    const next = { ...stored, timestamp: stored.timestamp + 60 };
    const zipped = await post(gzipSync(JSON.stringify({ messages: [next] })), {
      "x-api-key": BOOTSTRAP_KEY,
      "content-encoding": "gzip",
    });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.json()).toMatchObject({ inserted: 1 });
    const br = await post(JSON.stringify({ messages: [next] }), {
      "x-api-key": BOOTSTRAP_KEY,
      "content-encoding": "br",
    });
    expect(br.statusCode).toBe(415);
    const corrupt = await post(Buffer.from("not gzip at all"), {
      "x-api-key": BOOTSTRAP_KEY,
      "content-encoding": "gzip",
    });
    expect(corrupt.statusCode).toBe(400);
    expectCleanError(corrupt.body, "invalid_json");
  });

  it("a rejected message never blocks its neighbours; each gets a code", async () => {
    const next = (minutes: number, status: unknown) => ({
      src: DEVICE,
      timestamp: 1759964340 + minutes * 60,
      params: { "switch:1": status },
    });
    const response = await post({
      messages: [
        next(1, { apower: 1200 }),
        { ...next(2, { apower: 1 }), timestamp: 1_900_000_000 },
        next(3, { apower: 1200, pf: 3 }),
        { src: "", timestamp: 1759964340, params: { "switch:1": { apower: 5 } } },
        { src: DEVICE, timestamp: 1759964340, params: { "switch:9": { apower: 5 } } },
        { src: DEVICE, timestamp: 1759964340.5, params: { "switch:1": { apower: 5 } } },
        next(4, { voltage: -3 }),
        next(5, { apower: "lots" }),
        { src: DEVICE, timestamp: 1759964340, params: { wifi: { rssi: -60 } } },
        next(6, { apower: 1210 }),
      ],
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(
      body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status),
    ).toEqual([
      "stored",
      "timestamp_in_future",
      "invalid_field",
      "invalid_src",
      "invalid_channel",
      "invalid_timestamp",
      "invalid_field",
      "invalid_field",
      "ignored",
      "stored",
    ]);
    expect(body).toMatchObject({ inserted: 2, errors: 7 });
    for (const r of body.results.filter((x: { status: string }) => x.status === "rejected")) {
      expect(r.error.message).toMatch(/[a-zé]/);
    }
    expect(await rows()).toHaveLength(3);
  });

  it("echoes each message's queue id", async () => {
    const body = (
      await post({
        messages: [
          { ...stored, id: "q-1" },
          { id: "q-2", src: "" },
        ],
      })
    ).json();
    expect(body.results).toMatchObject([
      { index: 0, id: "q-1", status: "duplicate" },
      { index: 1, id: "q-2", status: "rejected" },
    ]);
  });
});

describe("concurrency", () => {
  it("the same batch posted 10 times at once stores each reading once, with no 5xx", async () => {
    const messages = Array.from({ length: 200 }, (_, i) => ({
      src: `${DEVICE}-${i % 3}`,
      timestamp: 1759900000 + Math.floor(i / 3) * 60,
      params: {
        [`switch:${i % 4}`]: {
          apower: 500 + i,
          voltage: 229,
          aenergy: { total: i, by_minute: [1, 2, 3], minute_ts: 0 },
        },
      },
    }));
    const responses = await Promise.all(Array.from({ length: 10 }, () => post({ messages })));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const inserted = responses.reduce((sum, r) => sum + r.json().inserted, 0);
    expect(inserted).toBe(200);
    expect(await rows()).toHaveLength(200);
  });
});

describe("logs", () => {
  it("never contain the API key, whichever header carried it", async () => {
    logs.lines.length = 0;
    await post({ messages: [{ src: DEVICE, timestamp: 1759964340, params: { "switch:0": { apower: 1 } } }] });
    await post({ messages: [] }, { authorization: `Bearer ${BOOTSTRAP_KEY}` });
    await post(
      { messages: [] },
      { "x-api-key": `${BOOTSTRAP_KEY}-wrong`, cookie: "pw_session=secret-session-id" },
    );
    expect(logs.lines.length).toBeGreaterThan(3);
    expect(logs.text).not.toContain(BOOTSTRAP_KEY);
    expect(logs.text).not.toContain("secret-session-id");
  });
});

describe("queue stats", () => {
  it("counts the readings received in the last 24 h", async () => {
    await post({ messages: frames.map(toQueueMessage) });
    const response = await app.inject({ url: "/api/stats/queue", headers: { "x-api-key": BOOTSTRAP_KEY } });
    expect(response.json()).toEqual({
      period: "24h",
      total_logs: 8,
      from_queue: 8,
      devices: 1,
      last_insert: clock.now().toISOString(),
    });
    expect((await app.inject({ url: "/api/stats/queue" })).statusCode).toBe(401);
  });
});
