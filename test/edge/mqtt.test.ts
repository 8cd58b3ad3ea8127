import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { createIngestor, type Ingestor } from "../../src/ingest/ingestor.js";
import { createLogger } from "../../src/logger.js";
import { MqttIngestion } from "../../src/mqtt/mqtt-ingestion.js";
import { type RunningService, startService } from "../../src/service.js";
import { captureFrames, DEVICE, toQueueMessage } from "../fixtures.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  FakeClock,
  type TestDatabase,
} from "../harness.js";
import { eventually, storedReadings } from "./edge-harness.js";

// A real Mosquitto: .ci/run starts one and sets MQTT_TEST_URL; locally, e.g. MQTT_TEST_URL=mqtt://127.0.0.1:1883.
const brokerUrl = process.env.MQTT_TEST_URL;
if (!brokerUrl) {
  console.warn("MQTT tests skipped: set MQTT_TEST_URL=mqtt://host:port of a Mosquitto broker (.ci/run does)");
}
// Topics and client ids of this run only: the broker may be shared.
const run = randomBytes(4).toString("hex");

async function publish(messages: { topic: string; payload: string }[]): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl as string, {
    clientId: `pw-test-pub-${run}-${randomBytes(3).toString("hex")}`,
  });
  for (const m of messages) await client.publishAsync(m.topic, m.payload, { qos: 1 });
  await client.endAsync();
}

describe.skipIf(!brokerUrl)("MQTT ingestion against Mosquitto", { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("the service subscribes to a meter's events/rpc and status topics and stores them as the HTTP path would", async () => {
    const database: TestDatabase = await createTestDatabase({ migrate: false });
    const env: Record<string, string> = {
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      MQTT_URL: brokerUrl as string,
      MQTT_TOPIC_PREFIXES: `pw-${run}/+`,
      MQTT_CLIENT_ID: `pw-test-service-${run}`,
    };
    if (database.url) {
      await database.db.close();
      env.DATABASE_URL = database.url;
      cleanups.push(() => database.drop());
    } else {
      await database.drop();
      const dir = await mkdtemp(join(tmpdir(), "pumpwatch-mqtt-"));
      env.DATA_DIR = dir;
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
    }
    const service: RunningService = await startService(parseConfig(env), createLogger("silent"));
    cleanups.push(async () => {
      await service.stop();
    });
    await eventually(
      async () => (await (await fetch(`${service.url}/api/ready`)).json()).mqtt === "connected",
      "mqtt connected",
    );
    expect(await (await fetch(`${service.url}/api/ready`)).json()).toEqual({
      status: "ready",
      mqtt: "connected",
    });

    // The same frames posted directly to a second service give the expected rows.
    const direct = await createTestDatabase();
    cleanups.push(() => direct.drop());
    const directApp = await createTestApp(direct.db, {
      clock: new FakeClock(new Date()),
      migrationCount: direct.migrationCount,
    });
    cleanups.push(() => directApp.close());
    const frames = captureFrames();
    const posted = await directApp.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
      payload: JSON.stringify({ messages: frames.map(toQueueMessage) }),
    });
    expect(posted.statusCode).toBe(200);
    const expected = await storedReadings(direct.db);

    await publish(
      frames.map((frame) => ({ topic: `pw-${run}/${DEVICE}/events/rpc`, payload: JSON.stringify(frame) })),
    );
    await eventually(
      async () => (await storedReadings(service.db)).length >= expected.length,
      "capture rows",
    );
    expect(await storedReadings(service.db)).toEqual(expected);

    // A switch status topic: the meter is the prefix, the minute that of aenergy.minute_ts.
    const meter = `pw-${run}/shellypro4pm-status`;
    const status = {
      id: 1,
      output: true,
      apower: 512.5,
      voltage: 229.9,
      current: 2.7,
      aenergy: { total: 1200.5, by_minute: [8400, 8390, 8410], minute_ts: 1759964340 },
      temperature: { tC: 41.2 },
    };
    await publish([{ topic: `${meter}/status/switch:1`, payload: JSON.stringify(status) }]);
    await eventually(
      async () => (await storedReadings(service.db)).some((row) => row.device_id === meter),
      "status row",
    );
    const row = (await storedReadings(service.db)).find((r) => r.device_id === meter);
    expect(row).toMatchObject({ channel: 1, ts: "2025-10-08T22:59:00.000Z", apower_w: 512.5, output: true });
  });

  it("acknowledges a message only once its batch is stored: one not stored comes back after a restart", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const ingestor = createIngestor({ db: database.db, clock: new FakeClock(new Date()) });
    const clientId = `pw-test-ack-${run}`;
    const prefix = `pw-ack-${run}`;
    const logger = createLogger("silent");
    const settings = {
      url: brokerUrl as string,
      username: null,
      password: null,
      topicPrefixes: [`${prefix}/+`],
      clientId,
    };
    const down: Ingestor = {
      ingest: async () => {
        throw Object.assign(new Error("database unreachable"), { code: "57P01" });
      },
    };
    const first = new MqttIngestion({
      settings,
      ingestor: down,
      clock: new FakeClock(new Date()),
      logger,
      batchWaitMs: 50,
    });
    first.start();
    await eventually(async () => first.state === "connected", "first connected");
    const frame = captureFrames()[12];
    await publish([{ topic: `${prefix}/${DEVICE}/events/rpc`, payload: JSON.stringify(frame) }]);
    await eventually(async () => first.counters.failedBatches >= 2, "failed batches");
    await first.stop();
    expect(await storedReadings(database.db)).toEqual([]);

    const second = new MqttIngestion({
      settings,
      ingestor,
      clock: new FakeClock(new Date()),
      logger,
      batchWaitMs: 50,
    });
    cleanups.push(() => second.stop());
    second.start();
    await eventually(async () => (await storedReadings(database.db)).length === 1, "redelivered row");
    expect((await storedReadings(database.db))[0]).toMatchObject({
      device_id: DEVICE,
      channel: 3,
      apower_w: 1.1,
    });
  });

  it("batches up to 1 000 messages, reconnects by itself and loses nothing published meanwhile", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const real = createIngestor({ db: database.db, clock: new FakeClock(new Date()) });
    const sizes: number[] = [];
    const counting: Ingestor = {
      ingest: (messages) => {
        sizes.push(messages.length);
        return real.ingest(messages);
      },
    };
    // The subscriber reaches the broker through a relay the test can cut.
    const relay = new Relay(brokerUrl as string);
    const relayUrl = await relay.start();
    cleanups.push(() => relay.stop());
    const prefix = `pw-batch-${run}`;
    const subscriber = new MqttIngestion({
      settings: {
        url: relayUrl,
        username: null,
        password: null,
        topicPrefixes: [`${prefix}/+`],
        clientId: `pw-test-batch-${run}`,
      },
      ingestor: counting,
      clock: new FakeClock(new Date()),
      logger: createLogger("silent"),
    });
    cleanups.push(() => subscriber.stop());
    subscriber.start();
    await eventually(async () => subscriber.state === "connected", "connected");

    const device = (i: number) => `shellypro4pm-batch${i % 5}`;
    const message = (i: number) => ({
      topic: `${prefix}/${device(i)}/status/switch:${i % 4}`,
      payload: JSON.stringify({
        apower: 100 + i,
        aenergy: { total: i, by_minute: [1, 2, 3], minute_ts: 1759900000 - 60 * Math.floor(i / 20) },
      }),
    });
    const total = 2_500;
    await publish(Array.from({ length: total }, (_, i) => message(i)));
    await eventually(async () => sizes.reduce((a, b) => a + b, 0) >= total, "all messages ingested");
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
    expect(sizes.length).toBeLessThan(total / 10);

    relay.cut();
    await eventually(async () => subscriber.state === "connecting", "noticed the cut");
    const late = {
      topic: `${prefix}/shellypro4pm-late/status/switch:0`,
      payload: JSON.stringify({ apower: 7, aenergy: { total: 1, by_minute: [1], minute_ts: 1759900000 } }),
    };
    await publish([late]);
    await eventually(async () => subscriber.state === "connected", "reconnected");
    await eventually(
      async () =>
        (await storedReadings(database.db)).some((row) => row.device_id === `${prefix}/shellypro4pm-late`),
      "message published while disconnected",
    );
    const rows = await storedReadings(database.db);
    // the meter is the topic's prefix
    expect(rows.filter((row) => row.device_id.startsWith(`${prefix}/shellypro4pm-batch`))).toHaveLength(
      total,
    );
  });
});

/** A TCP relay to the broker whose connections the test can cut. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const url = new URL(this.target);
    this.server = createServer((client) => {
      const upstream = tcpConnect(Number(url.port || 1883), url.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    return `mqtt://127.0.0.1:${address.port}`;
  }

  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
