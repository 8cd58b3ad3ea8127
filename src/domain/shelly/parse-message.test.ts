import { describe, expect, it } from "vitest";
import { captureFrames, DEVICE, toQueueMessage } from "../../../test/fixtures.js";
import { sharedRank } from "../ranked-reading.js";
import { parseMessage } from "./parse-message.js";

const NOW_S = 1759964400; // 2025-10-08T23:00:00Z, just after the capture
const frames = captureFrames();
const line = (n: number) => {
  const frame = frames[n - 1];
  if (!frame) throw new Error(`the capture has no line ${n}`);
  return frame;
};

describe("parseMessage on the real capture", () => {
  it("gives every reading one rank shared by its present fields (the batch statement sends one rank per row)", () => {
    for (const frame of frames) {
      const parsed = parseMessage(toQueueMessage(frame), NOW_S);
      if (parsed.kind !== "readings") continue;
      for (const reading of parsed.readings) {
        expect(sharedRank(reading)).not.toBeNull();
        for (const [field, rank] of Object.entries(reading.ranks)) {
          expect(rank === null).toBe(reading[field as keyof typeof reading.ranks] === null);
        }
      }
    }
  });

  it("reads the four switches of NotifyFullStatus with every field in its unit", () => {
    const parsed = parseMessage(toQueueMessage(line(1)), NOW_S);
    expect(parsed.kind).toBe("readings");
    if (parsed.kind !== "readings") return;
    expect(parsed.deviceId).toBe(DEVICE);
    expect(parsed.model).toBe("Shelly Pro 4PM");
    expect(parsed.readings).toHaveLength(4);
    const ch2 = parsed.readings.find((r) => r.channel === 2);
    expect(ch2).toMatchObject({
      deviceId: DEVICE,
      minute: 29332738, // floor(1759964297.75 / 60)
      apowerW: 428.3,
      voltageV: 228.5,
      currentA: 2.457,
      powerFactor: 0.8,
      frequencyHz: 50,
      energyTotalWh: 2828.474,
      temperatureC: 51.4,
      output: true,
    });
    // by_minute[0] = 7161.568 mWh for the minute that ended at minute_ts 1759964280 = this row's minute start
    expect(ch2?.energyLastMinuteWh).toBeCloseTo(7.161568, 9);
    const ch0 = parsed.readings.find((r) => r.channel === 0);
    expect(ch0).toMatchObject({ apowerW: 0, output: false, energyTotalWh: 14, energyLastMinuteWh: 0 });
  });

  it("reads a per-minute frame: complete, energy of the minute that just ended, no temperature", () => {
    const parsed = parseMessage(toQueueMessage(line(12)), NOW_S);
    if (parsed.kind !== "readings") throw new Error(parsed.kind);
    expect(parsed.readings).toHaveLength(1);
    const [r] = parsed.readings;
    expect(r).toMatchObject({
      channel: 2,
      minute: 29332739,
      apowerW: 438,
      voltageV: 228.2,
      currentA: 2.513,
      powerFactor: 0.8,
      frequencyHz: 50,
      energyTotalWh: 2833.608,
      temperatureC: null,
      output: null,
    });
    expect(r?.energyLastMinuteWh).toBeCloseTo(7.035312, 9);
    expect(r?.ranks.apowerW).toBeGreaterThanOrEqual(6000);
  });

  it("reads a partial delta as a low-ranked reading with only its fields", () => {
    const parsed = parseMessage(toQueueMessage(line(9)), NOW_S);
    if (parsed.kind !== "readings") throw new Error(parsed.kind);
    const [r] = parsed.readings;
    expect(r).toMatchObject({
      channel: 2,
      apowerW: 433.8,
      currentA: 2.631,
      voltageV: null,
      energyTotalWh: null,
    });
    expect(r?.ranks.apowerW).toBeLessThan(6000);
    expect(r?.ranks.voltageV).toBeNull();
  });

  it("ignores the RPC error reply, the GetStatus result, frames without switches and a switch with no electrical field", () => {
    for (const n of [2, 3, 4, 5, 8]) {
      expect(parseMessage(line(n), NOW_S).kind, `line ${n}`).toBe("ignored");
    }
  });

  it("takes floor(params.ts) when a raw frame has no timestamp", () => {
    const parsed = parseMessage(line(12), NOW_S);
    if (parsed.kind !== "readings") throw new Error(parsed.kind);
    expect(parsed.readings[0]?.minute).toBe(29332739);
  });
});

describe("parseMessage rejections", () => {
  const valid = {
    src: DEVICE,
    timestamp: 1759964340,
    params: { "switch:2": { apower: 438, voltage: 228.2 } },
  };
  const withSwitch = (status: unknown) => ({ ...valid, params: { "switch:2": status } });
  const cases: [string, unknown, string][] = [
    ["not an object", "hello", "invalid_message"],
    ["an array", [valid], "invalid_message"],
    ["empty src", { ...valid, src: "  " }, "invalid_src"],
    ["src missing", { ...valid, src: undefined }, "invalid_src"],
    ["src with a space", { ...valid, src: "shelly pro" }, "invalid_src"],
    ["params not an object", { ...valid, params: "x" }, "invalid_params"],
    ["non-integer timestamp", { ...valid, timestamp: 1759964340.5 }, "invalid_timestamp"],
    ["string timestamp", { ...valid, timestamp: "1759964340" }, "invalid_timestamp"],
    ["no timestamp and no ts", { src: DEVICE, params: { "switch:2": { apower: 1 } } }, "invalid_timestamp"],
    ["timestamp 6 minutes ahead", { ...valid, timestamp: NOW_S + 360 }, "timestamp_in_future"],
    ["timestamp before 2020", { ...valid, timestamp: 1577836799 }, "timestamp_too_old"],
    ["switch:4", { ...valid, params: { "switch:4": { apower: 1 } } }, "invalid_channel"],
    ["switch:-1", { ...valid, params: { "switch:-1": { apower: 1 } } }, "invalid_channel"],
    ["switch:01", { ...valid, params: { "switch:01": { apower: 1 } } }, "invalid_channel"],
    ["apower as a string", withSwitch({ apower: "438" }), "invalid_field"],
    ["apower NaN as text", withSwitch({ apower: "NaN" }), "invalid_field"],
    ["infinite voltage", withSwitch({ voltage: Number.POSITIVE_INFINITY }), "invalid_field"],
    ["negative voltage", withSwitch({ voltage: -230 }), "invalid_field"],
    ["negative current", withSwitch({ current: -1 }), "invalid_field"],
    ["power factor 1.5", withSwitch({ apower: 1, pf: 1.5 }), "invalid_field"],
    ["power factor -1.2", withSwitch({ apower: 1, pf: -1.2 }), "invalid_field"],
    ["aenergy not an object", withSwitch({ aenergy: 5 }), "invalid_field"],
    ["by_minute not an array", withSwitch({ aenergy: { total: 1, by_minute: 3 } }), "invalid_field"],
    ["negative energy counter", withSwitch({ aenergy: { total: -1 } }), "invalid_field"],
    ["output not a boolean", withSwitch({ apower: 1, output: "on" }), "invalid_field"],
    ["switch not an object", withSwitch(42), "invalid_field"],
  ];
  it.each(cases)("%s → rejected %s", (_name, message, code) => {
    const parsed = parseMessage(message, NOW_S);
    expect(parsed).toMatchObject({ kind: "rejected", code });
  });

  it("accepts a timestamp 5 minutes ahead (clock drift) and exactly 2020-01-01", () => {
    expect(parseMessage({ ...valid, timestamp: NOW_S + 300 }, NOW_S).kind).toBe("readings");
    expect(parseMessage({ ...valid, timestamp: 1577836800 }, NOW_S).kind).toBe("readings");
  });

  it("ignores unknown keys anywhere and treats null as absent", () => {
    const parsed = parseMessage(
      {
        ...valid,
        extra: { deep: [1, 2] },
        params: {
          ts: 1759964340.2,
          wifi: { rssi: -61 },
          "switch:2": { apower: 438, aprtpower: 440, voltage: null, mystery: "x" },
        },
      },
      NOW_S,
    );
    if (parsed.kind !== "readings") throw new Error(parsed.kind);
    expect(parsed.readings[0]).toMatchObject({ apowerW: 438, voltageV: null });
  });

  it("drops by_minute when minute_ts is not this minute's boundary (it would describe another minute)", () => {
    const parsed = parseMessage(
      withSwitch({ apower: 10, aenergy: { total: 5, by_minute: [100, 0, 0], minute_ts: 1759964280 } }),
      NOW_S,
    );
    if (parsed.kind !== "readings") throw new Error(parsed.kind);
    expect(parsed.readings[0]).toMatchObject({ energyTotalWh: 5, energyLastMinuteWh: null });
  });
});
