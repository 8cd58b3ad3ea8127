import { describe, expect, it } from "vitest";
import { messageFromMqtt, mqttTopicsFor } from "./mqtt-message.js";

const DEVICE = "shellypro4pm-a0dd6c9ef474";

describe("Shelly MQTT topics → ingestion messages", () => {
  it("subscribes to the RPC events and the status topics of each prefix", () => {
    expect(mqttTopicsFor(["+", "site-a/pumps"])).toEqual([
      "+/events/rpc",
      "+/status/+",
      "site-a/pumps/events/rpc",
      "site-a/pumps/status/+",
    ]);
  });

  it("takes an events/rpc notification as the WebSocket frame it is", () => {
    const frame = {
      src: DEVICE,
      dst: `${DEVICE}/events`,
      method: "NotifyStatus",
      params: { ts: 1759964340.01, "switch:1": { apower: 0 } },
    };
    expect(messageFromMqtt(`${DEVICE}/events/rpc`, JSON.stringify(frame), 1759964399)).toEqual({
      kind: "message",
      message: { src: DEVICE, timestamp: 1759964340, params: frame.params },
    });
  });

  it("skips RPC replies, other status topics and other topics; flags unreadable payloads", () => {
    expect(messageFromMqtt(`${DEVICE}/events/rpc`, '{"id":1,"result":{}}', 0)).toEqual({ kind: "skip" });
    expect(messageFromMqtt(`${DEVICE}/status/sys`, "{}", 0)).toEqual({ kind: "skip" });
    expect(messageFromMqtt(`${DEVICE}/online`, "true", 0)).toEqual({ kind: "skip" });
    expect(messageFromMqtt(`${DEVICE}/status/switch:2`, "{oops", 0).kind).toBe("invalid");
    expect(messageFromMqtt(`${DEVICE}/status/switch:2`, "[1]", 0).kind).toBe("invalid");
  });

  it("puts a switch status on the meter of its prefix, at the minute of aenergy.minute_ts", () => {
    const status = {
      id: 2,
      apower: 438,
      aenergy: { total: 2833.6, by_minute: [7035.3], minute_ts: 1759964340 },
    };
    // received within that minute: the reception time orders it
    expect(messageFromMqtt(`${DEVICE}/status/switch:2`, JSON.stringify(status), 1759964352.5)).toEqual({
      kind: "message",
      message: { src: DEVICE, timestamp: 1759964352, params: { ts: 1759964352.5, "switch:2": status } },
    });
    // delivered an hour late by the broker: still the minute of minute_ts
    const late = messageFromMqtt(`${DEVICE}/status/switch:2`, JSON.stringify(status), 1759967952);
    expect(late).toMatchObject({ message: { timestamp: 1759964340 } });
    // no aenergy: the reception time
    const bare = messageFromMqtt("site/a/status/switch:0", '{"apower":3}', 1759964352);
    expect(bare).toMatchObject({ message: { src: "site/a", timestamp: 1759964352 } });
  });
});
