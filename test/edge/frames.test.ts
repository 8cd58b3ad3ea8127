import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simulateFleet } from "../../simulator/index.js";
import { MEASURED_FIELDS, mergeInto, type RankedReading } from "../../src/domain/ranked-reading.js";
import { parseMessage } from "../../src/domain/shelly/parse-message.js";
import { MeterStream, type QueueMessage } from "../../worker/src/frames.js";
import { captureFrames, toQueueMessage } from "../fixtures.js";

const NOW_S = 2_000_000_000;

/** The rows the service's own rules make of these messages: parse each, merge per (device, channel, minute). */
function rowsOf(messages: readonly unknown[]): Map<string, Record<string, unknown>> {
  const rows = new Map<string, RankedReading>();
  for (const message of messages) {
    const parsed = parseMessage(message, NOW_S);
    if (parsed.kind !== "readings") continue;
    for (const reading of parsed.readings) {
      const key = `${reading.deviceId}/${reading.channel}/${reading.minute}`;
      const row = rows.get(key);
      if (row) mergeInto(row, reading);
      else rows.set(key, { ...reading, ranks: { ...reading.ranks } });
    }
  }
  const values = new Map<string, Record<string, unknown>>();
  for (const [key, row] of rows) {
    values.set(key, Object.fromEntries(MEASURED_FIELDS.map((f) => [f, row[f]])));
  }
  return values;
}

/** Runs frames through one connection's stream; timers fire only at close (the worst case for merging). */
function throughStream(frames: readonly unknown[], options: { timers?: boolean } = {}) {
  const messages: QueueMessage[] = [];
  const pending: (() => void)[] = [];
  const stream = new MeterStream({
    emit: (m) => messages.push(m),
    schedule: (_ms, flush) => {
      let live = true;
      if (options.timers) pending.push(() => live && flush());
      return () => {
        live = false;
      };
    },
  });
  for (const frame of frames) {
    stream.push(frame, NOW_S);
    // A timer that fires between two frames: the bucket goes out early, which must change nothing stored.
    if (options.timers) for (const fire of pending.splice(0)) fire();
  }
  stream.close();
  return { messages, counters: stream.counters };
}

describe("the Worker's meter stream", () => {
  it("gives the capture's rows exactly as posting each frame directly", () => {
    const frames = captureFrames();
    const direct = rowsOf(frames.map(toQueueMessage));
    const { messages } = throughStream(frames);
    expect(rowsOf(messages)).toEqual(direct);
    // every channel's per-minute frame arrives, the three idle ones included
    const minute = Math.floor(1759964340 / 60);
    for (const channel of [0, 1, 2, 3]) {
      expect(rowsOf(messages).get(`shellypro4pm-a0dd6c9ef474/${channel}/${minute}`)?.apowerW).not.toBeNull();
    }
  });

  it("merges the four per-minute frames of one meter-minute into one message", () => {
    const frames = captureFrames().slice(10, 14);
    const { messages } = throughStream(frames);
    expect(messages).toHaveLength(1);
    expect(Object.keys(messages[0]?.params ?? {}).sort()).toEqual([
      "switch:0",
      "switch:1",
      "switch:2",
      "switch:3",
      "ts",
    ]);
  });

  it("stores what direct posting stores, for any simulated meter day, reboots and timer flushes included", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom(0, 3),
        fc.boolean(),
        (seed, reboots, timers) => {
          const sim = simulateFleet({ seed, devices: 1, days: 0.25, start: "2025-10-08T00:00:00Z", reboots });
          const frames = [...sim.frames()];
          const { messages } = throughStream(frames, { timers });
          expect(rowsOf(messages)).toEqual(
            rowsOf(frames.map((f) => ({ ...f, timestamp: Math.floor(f.params.ts as number) }))),
          );
        },
      ),
      { numRuns: 12 },
    );
  });

  it("stores what direct posting stores, for any sequence of per-minute frames and deltas", () => {
    const value = fc.oneof(fc.constant(null), fc.double({ min: 0, max: 500, noNaN: true }));
    const delta = fc.record(
      {
        apower: value,
        current: value,
        voltage: value,
        pf: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true })),
        output: fc.boolean(),
        temperature: fc.record({ tC: fc.double({ min: 20, max: 60, noNaN: true }) }),
        source: fc.constant("SHC"),
      },
      { requiredKeys: [] },
    );
    const complete = fc.record({
      apower: value,
      current: value,
      voltage: value,
      freq: fc.constant(50),
      aenergy: fc.record({
        total: fc.double({ min: 0, max: 1e4, noNaN: true }),
        by_minute: fc.constant([1, 2, 3]),
      }),
    });
    const frame = fc.record({
      // At least two hundredths of a second apart: the service ranks frames by the hundredth into the minute,
      // floored from a float, so frames 0.01 s apart can tie and be decided by value; merged into one
      // message their order would decide instead (see worker/README.md).
      stepS: fc.double({ min: 0.02, max: 45, noNaN: true }),
      method: fc.constantFrom("NotifyStatus", "NotifyFullStatus"),
      switches: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.oneof(delta, complete)), {
        minLength: 1,
        maxLength: 3,
      }),
    });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 60 }), fc.boolean(), (specs, timers) => {
        let ts = 1759964280;
        const frames = specs.map((spec) => {
          ts = Math.round((ts + spec.stepS) * 100) / 100;
          const params: Record<string, unknown> = { ts };
          for (const [channel, status] of spec.switches) params[`switch:${channel}`] = status;
          return { src: "shellypro4pm-prop", method: spec.method, params };
        });
        const { messages } = throughStream(frames, { timers });
        expect(rowsOf(messages)).toEqual(
          rowsOf(frames.map((f) => ({ ...f, timestamp: Math.floor(f.params.ts as number) }))),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("sends one message per idle meter-minute and one more per transition", () => {
    const sim = simulateFleet({ seed: 7, devices: 1, days: 1, start: "2025-10-08T00:00:00Z" });
    const frames = [...sim.frames()];
    const { messages, counters } = throughStream(frames);
    const cycles = sim.truth.length;
    // per day: 1 440 minute messages; per cycle the start (`output` then the power rising, two frames)
    // and the stop (one frame); the NotifyFullStatus on connecting
    expect(messages.length).toBeLessThanOrEqual(1440 + 3 * cycles + 2);
    expect(counters.transitions).toBeGreaterThanOrEqual(2 * cycles);
  });

  it("ignores what is not a notification with a switch", () => {
    const { messages, counters } = throughStream([
      "not json",
      { id: 1, src: "m", error: { code: 404 } },
      { src: "m", method: "NotifyStatus", params: { ts: 1759964300, ws: { connected: true } } },
      { method: "NotifyStatus", params: { ts: 1759964300, "switch:0": { apower: 3 } } },
    ]);
    expect(messages).toEqual([]);
    expect(counters.ignored).toBe(4);
  });
});
