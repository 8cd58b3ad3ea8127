import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import { messageFromMqtt, mqttTopicsFor } from "../domain/shelly/mqtt-message.js";
import type { Ingestor } from "../ingest/ingestor.js";

export type MqttState = "connected" | "connecting" | "off";

export interface MqttSettings {
  url: string;
  username: string | null;
  password: string | null;
  /** topic prefixes (default `+`: every meter under its default prefix, its device id) */
  topicPrefixes: string[];
  /** the broker keeps this client's subscriptions and unacknowledged messages across reconnections */
  clientId: string;
}

export interface MqttIngestionOptions {
  settings: MqttSettings;
  ingestor: Ingestor;
  clock: Clock;
  logger: Logger;
  /** a batch goes to the database at this many messages… (default 1000, the HTTP batch limit) */
  batchMax?: number;
  /** …or this long after its first message (default 1 s) */
  batchWaitMs?: number;
  /** first wait after a failed batch, doubled up to 30 s (default 1 s) */
  retryMs?: number;
}

interface Entry {
  message: Record<string, unknown>;
  /** QoS 1: the id whose PUBACK waits for the batch, and the connection it came on */
  ack: { messageId: number; connection: number } | null;
}

type SendPacket = (
  packet: { cmd: string; messageId?: number },
  callback?: (error?: Error) => void,
  ...rest: unknown[]
) => void;

// QoS 0 messages are not redelivered by the broker, so they are kept while the database is away, up to this.
const MAX_UNACKED_QOS0 = 20_000;
const MAX_RETRY_MS = 30_000;

/**
 * Subscribes to Shelly's native MQTT topics and feeds the ingestion path in batches. A QoS 1 message is
 * acknowledged (PUBACK) only after the batch holding it is stored; if the connection drops first, the
 * broker delivers it again and the ingestion path finds it a duplicate. mqtt.js reconnects by itself.
 */
export class MqttIngestion {
  private client: MqttClient | null = null;
  private current: MqttState = "off";
  private pending: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  private pendingQos0 = 0;
  private connection = 0;
  private stopped = false;
  /** message ids whose PUBACK must wait for the database, on the current connection */
  private readonly unconfirmed = new Set<number>();
  private readonly held = new Map<number, { cmd: string; messageId?: number }>();
  private sendPacket: SendPacket | null = null;
  readonly counters = { received: 0, stored: 0, rejected: 0, invalid: 0, failedBatches: 0, droppedQos0: 0 };

  constructor(private readonly options: MqttIngestionOptions) {}

  get state(): MqttState {
    return this.current;
  }

  start(): void {
    const { settings, logger } = this.options;
    const clientOptions: IClientOptions = {
      clientId: settings.clientId,
      protocolVersion: 5,
      clean: false,
      // A week without the service before the broker forgets the session (and what it queued for it).
      properties: { sessionExpiryInterval: 7 * 24 * 3600, receiveMaximum: this.batchMax },
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
      ...(settings.username ? { username: settings.username } : {}),
      ...(settings.password ? { password: settings.password } : {}),
    };
    this.current = "connecting";
    const client = mqtt.connect(settings.url, clientOptions);
    this.client = client;
    this.holdAcks(client);
    client.on("connect", (connack) => {
      this.connection++;
      // With a session present the broker kept the subscriptions; subscribing again is harmless.
      // "connected" once the broker confirmed them: from then on nothing published is missed.
      client.subscribe(mqttTopicsFor(settings.topicPrefixes), { qos: 1 }, (error) => {
        if (error) logger.error({ err: error }, "mqtt subscribe failed");
        else if (client.connected && !this.stopped) {
          this.current = "connected";
          logger.info({ sessionPresent: connack.sessionPresent }, "mqtt connected");
        }
      });
    });
    client.on("close", () => {
      // Acks for that connection can no longer be sent: the broker redelivers those messages.
      this.unconfirmed.clear();
      this.held.clear();
      if (!this.stopped) this.current = "connecting";
    });
    client.on("error", (error) => logger.warn({ err: error }, "mqtt error"));
    client.on("message", (topic, payload, packet) =>
      this.receive(topic, payload, packet.qos, packet.messageId),
    );
  }

  /** Stores what was received (one last try), then disconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    if (this.pending.length > 0) await this.flushOnce();
    const client = this.client;
    this.client = null;
    this.current = "off";
    if (client) await client.endAsync();
  }

  private get batchMax(): number {
    return this.options.batchMax ?? 1_000;
  }

  /**
   * mqtt.js sends a message's PUBACK as soon as its handlers return and reads the next message only after,
   * so holding the ack in a handler would take one message at a time. Its PUBACKs are caught on the way
   * out instead: the client reads on, and each ack leaves once its batch is stored.
   */
  private holdAcks(client: MqttClient): void {
    const target = client as unknown as { _sendPacket: SendPacket };
    const send = target._sendPacket.bind(client);
    this.sendPacket = send;
    target._sendPacket = (packet, callback, ...rest) => {
      if (
        packet.cmd === "puback" &&
        packet.messageId !== undefined &&
        this.unconfirmed.has(packet.messageId)
      ) {
        this.held.set(packet.messageId, packet);
        // The callback lets mqtt.js read the next packet; only the PUBACK itself waits.
        callback?.();
        return;
      }
      send(packet, callback, ...rest);
    };
  }

  private receive(topic: string, payload: Buffer, qos: number, messageId: number | undefined): void {
    this.counters.received++;
    const mapped = messageFromMqtt(
      topic,
      payload.toString("utf8"),
      this.options.clock.now().getTime() / 1000,
    );
    if (mapped.kind === "invalid") {
      this.counters.invalid++;
      this.options.logger.warn({ topic, detail: mapped.detail }, "mqtt message unreadable, acknowledged");
    }
    if (mapped.kind !== "message") return;
    const ack = qos > 0 && messageId !== undefined ? { messageId, connection: this.connection } : null;
    if (!ack && this.pendingQos0 >= MAX_UNACKED_QOS0) {
      this.counters.droppedQos0++;
      return;
    }
    if (ack) this.unconfirmed.add(ack.messageId);
    else this.pendingQos0++;
    this.pending.push({ message: mapped.message, ack });
    if (this.pending.length >= this.batchMax) this.schedule(0);
    else this.schedule(this.options.batchWaitMs ?? 1_000);
  }

  private schedule(ms: number): void {
    if (this.flushing || this.stopped) return;
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flushOnce().finally(() => {
        this.flushing = null;
        if (this.pending.length > 0) this.schedule(this.failures > 0 ? this.retryDelay() : 0);
      });
    }, ms);
  }

  private retryDelay(): number {
    return Math.min(MAX_RETRY_MS, (this.options.retryMs ?? 1_000) * 2 ** (this.failures - 1));
  }

  private async flushOnce(): Promise<void> {
    const batch = this.pending.slice(0, this.batchMax);
    if (batch.length === 0) return;
    try {
      const summary = await this.options.ingestor.ingest(batch.map((entry) => entry.message));
      this.failures = 0;
      this.pending.splice(0, batch.length);
      for (const entry of batch) if (entry.ack === null) this.pendingQos0--;
      for (const result of summary.results) {
        if (result.status === "rejected") {
          this.counters.rejected++;
          this.options.logger.warn(
            {
              code: result.rejection?.code,
              detail: result.rejection?.detail,
              src: batch[result.index]?.message.src,
            },
            "mqtt message rejected",
          );
        }
      }
      this.counters.stored += batch.length;
      for (const entry of batch) this.confirm(entry);
    } catch (error) {
      this.failures++;
      this.counters.failedBatches++;
      this.options.logger.warn(
        { err: error, messages: batch.length, retryInMs: this.retryDelay() },
        "mqtt batch not stored, kept unacknowledged",
      );
    }
  }

  private confirm(entry: Entry): void {
    const ack = entry.ack;
    if (!ack || ack.connection !== this.connection) return;
    this.unconfirmed.delete(ack.messageId);
    const held = this.held.get(ack.messageId);
    if (!held) return;
    this.held.delete(ack.messageId);
    this.sendPacket?.(held);
  }
}
