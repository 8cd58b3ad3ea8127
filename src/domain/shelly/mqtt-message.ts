/**
 * A message from a Shelly's native MQTT topics → the queue message the ingestion path reads, or null when
 * the topic carries nothing to store. Pure: `receivedS` is the time of reception in unix seconds.
 *
 * - `<prefix>/events/rpc`: a JSON-RPC frame, as on the WebSocket (`NotifyStatus`, `NotifyFullStatus`).
 * - `<prefix>/status/switch:N`: one switch's whole status object. The meter is the prefix (by default the
 *   device id); the minute is that of `aenergy.minute_ts`, the last minute boundary the meter saw, so a
 *   message the broker delivers late (after an outage) still lands on its own minute.
 */
export type MqttMapping =
  | { kind: "message"; message: Record<string, unknown> }
  | { kind: "skip" }
  | { kind: "invalid"; detail: string };

const RPC_TOPIC = /^(.+)\/events\/rpc$/;
const SWITCH_TOPIC = /^(.+)\/status\/switch:(\d+)$/;
const NOTIFICATIONS = new Set(["NotifyStatus", "NotifyFullStatus"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function mqttTopicsFor(prefixes: readonly string[]): string[] {
  return prefixes.flatMap((prefix) => [`${prefix}/events/rpc`, `${prefix}/status/+`]);
}

export function messageFromMqtt(topic: string, payload: string, receivedS: number): MqttMapping {
  const rpc = RPC_TOPIC.exec(topic);
  const switchTopic = rpc ? null : SWITCH_TOPIC.exec(topic);
  if (!rpc && !switchTopic) return { kind: "skip" };
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return { kind: "invalid", detail: `${topic}: JSON invalide` };
  }
  if (!isObject(body)) return { kind: "invalid", detail: `${topic}: objet attendu` };

  if (rpc) {
    if (typeof body.method !== "string" || !NOTIFICATIONS.has(body.method)) return { kind: "skip" };
    const params = body.params;
    const src = typeof body.src === "string" && body.src.trim() !== "" ? body.src : (rpc[1] as string);
    const ts = isObject(params) && typeof params.ts === "number" ? params.ts : receivedS;
    return { kind: "message", message: { src, timestamp: Math.floor(ts), params: params ?? null } };
  }

  const [, prefix, channel] = switchTopic as RegExpExecArray;
  const aenergy = body.aenergy;
  const minuteTs = isObject(aenergy) && typeof aenergy.minute_ts === "number" ? aenergy.minute_ts : null;
  // Within the minute of minute_ts, the reception time orders this status among the minute's others;
  // delivered later than that minute, the status keeps its minute and sorts first in it.
  const ts =
    minuteTs === null || Math.floor(receivedS / 60) === Math.floor(minuteTs / 60) ? receivedS : minuteTs;
  return {
    kind: "message",
    message: { src: prefix, timestamp: Math.floor(ts), params: { ts, [`switch:${channel}`]: body } },
  };
}
