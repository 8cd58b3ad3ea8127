import { Value } from "typebox/value";
import { describe, expect, it } from "vitest";
import { IngestMessage } from "../src/contracts/ingest.js";
import { type SimMessage, type SimulateOptions, simulateFleet, type TruthCycle } from "./index.js";

const START = "2025-10-08T00:00:00Z";
const BASE: SimulateOptions = { seed: 42, devices: 2, days: 1, start: START };

const cache = new Map<string, SimMessage[]>();
function messagesOf(options: SimulateOptions): SimMessage[] {
  const key = JSON.stringify(options);
  let list = cache.get(key);
  if (!list) {
    list = [...simulateFleet(options).messages()];
    cache.set(key, list);
  }
  return list;
}

type Sw = Record<string, unknown> & {
  aenergy?: { by_minute: number[]; minute_ts: number; total: number };
  apower?: number;
  current?: number;
  pf?: number;
  voltage?: number;
  freq?: number;
  output?: boolean;
};

/** The switch objects of a message: [channel, object]. */
function switches(m: SimMessage): [number, Sw][] {
  return Object.entries(m.params)
    .filter(([k]) => k.startsWith("switch:"))
    .map(([k, v]) => [Number(k.slice(7)), v as Sw]);
}

interface MinuteFrame {
  ts: number;
  sw: Sw & { aenergy: { by_minute: number[]; minute_ts: number; total: number } };
}

/** Per-minute frames (NotifyStatus with aenergy) by `${src}/${channel}`, in time order. */
function minuteFrames(messages: SimMessage[]): Map<string, MinuteFrame[]> {
  const out = new Map<string, MinuteFrame[]>();
  for (const m of messages) {
    if ("sys" in m.params) continue; // NotifyFullStatus
    for (const [ch, sw] of switches(m)) {
      if (!sw.aenergy) continue;
      const key = `${m.src}/${ch}`;
      const list = out.get(key) ?? [];
      list.push({ ts: m.params.ts, sw: sw as MinuteFrame["sw"] });
      out.set(key, list);
    }
  }
  return out;
}

// Key sets of the real capture (test/fixtures/shelly-pro4pm/ws-capture-2025-10-08.jsonl).
const MINUTE_KEYS = ["aenergy", "apower", "aprtpower", "current", "freq", "pf", "ret_aenergy", "voltage"];
const FULL_SWITCH_KEYS = [
  "aenergy",
  "apower",
  "current",
  "freq",
  "id",
  "output",
  "pf",
  "ret_aenergy",
  "source",
  "temperature",
  "voltage",
];
const FULL_KEYS = [
  "ble",
  "bthome",
  "cloud",
  "eth",
  "input:0",
  "input:1",
  "input:2",
  "input:3",
  "knx",
  "mqtt",
  "switch:0",
  "switch:1",
  "switch:2",
  "switch:3",
  "sys",
  "ts",
  "ui",
  "wifi",
  "ws",
];
const DELTA_SHAPES = new Set([
  "apower,current",
  "current",
  "output,source",
  "apower,current,output,pf,source",
  "ws",
  "cloud",
]);

const sorted = (o: object): string => Object.keys(o).sort().join(",");

function cycleAt(truth: TruthCycle[], src: string, ch: number, t: number): TruthCycle | undefined {
  return truth.find((c) => c.device_id === src && c.channel === ch && c.start_ts <= t && t < c.end_ts);
}

describe("determinism", () => {
  it("same seed and options give identical messages and truth", () => {
    const opts = { ...BASE, days: 0.25, duplicates: 0.05, reorder: 7, loss: 0.02, reboots: 2 };
    const a = simulateFleet(opts);
    const b = simulateFleet(opts);
    expect(JSON.stringify([...a.messages()])).toBe(JSON.stringify([...b.messages()]));
    expect(a.truth).toEqual(b.truth);
    expect(a.devices).toEqual(b.devices);
  });

  it("a different seed gives different devices and messages", () => {
    const a = simulateFleet({ ...BASE, days: 0.1 });
    const b = simulateFleet({ ...BASE, days: 0.1, seed: 43 });
    expect(a.devices.map((d) => d.id)).not.toEqual(b.devices.map((d) => d.id));
    expect(JSON.stringify([...a.messages()])).not.toBe(JSON.stringify([...b.messages()]));
  });

  it("device ids look like Shelly ids and are unique", () => {
    const sim = simulateFleet({ ...BASE, devices: 50, days: 0.01 });
    const ids = sim.devices.map((d) => d.id);
    for (const id of ids) expect(id).toMatch(/^shellypro4pm-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(50);
  });

  it("a device's frames do not depend on the fleet size", () => {
    const one = messagesOf({ ...BASE, devices: 1, days: 0.1 });
    const two = messagesOf({ ...BASE, devices: 2, days: 0.1 });
    const src = one[0]?.src;
    expect(JSON.stringify(two.filter((m) => m.src === src))).toBe(JSON.stringify(one));
  });
});

describe("frames", () => {
  const messages = messagesOf(BASE);
  const sim = simulateFleet(BASE);

  it("are queue messages {src, timestamp = floor(ts), params} accepted by the ingest contract", () => {
    const bad = messages.filter(
      (m) =>
        Object.keys(m).join(",") !== "src,timestamp,params" ||
        m.timestamp !== Math.floor(m.params.ts) ||
        Math.round(m.params.ts * 100) / 100 !== m.params.ts ||
        m.params.ts < sim.startS ||
        m.params.ts > sim.endS + 0.06,
    );
    expect(bad).toEqual([]);
    for (const m of messages.filter((_, i) => i % 50 === 0)) expect(Value.Check(IngestMessage, m)).toBe(true);
  });

  it("are raw device frames {src, dst, method, params} before being mapped to messages", () => {
    const frames = [...simulateFleet({ ...BASE, days: 0.02 }).frames()];
    expect(frames.length).toBeGreaterThan(20);
    const bad = frames.filter(
      (f) =>
        Object.keys(f).join(",") !== "src,dst,method,params" ||
        f.dst !== "ws" ||
        f.method !== ("sys" in f.params ? "NotifyFullStatus" : "NotifyStatus"),
    );
    expect(bad).toEqual([]);
  });

  it("are in time order, and are shaped like the capture", () => {
    let previous = 0;
    let full = 0;
    const bad: unknown[] = [];
    for (const m of messages) {
      if (m.params.ts < previous) bad.push(["order", m]);
      previous = m.params.ts;
      if ("sys" in m.params) {
        full++;
        if (sorted(m.params) !== FULL_KEYS.join(",")) bad.push(m);
        for (const [, sw] of switches(m)) if (sorted(sw) !== FULL_SWITCH_KEYS.join(",")) bad.push(m);
        continue;
      }
      const sws = switches(m);
      if (sws.length === 0) {
        if (!DELTA_SHAPES.has(sorted(m.params).replace(/,?ts,?/, ""))) bad.push(m);
        continue;
      }
      const [, sw] = sws[0] as [number, Sw];
      const ok =
        sws.length === 1 &&
        (sw.aenergy ? sorted(sw) === MINUTE_KEYS.join(",") : DELTA_SHAPES.has(sorted(sw)));
      if (!ok) bad.push(m);
    }
    expect(bad).toEqual([]);
    expect(full).toBe(2); // one connection per device, no reboots
  });

  it("send one per-minute frame per channel at every boundary, with minute_ts = floor(ts/60)*60", () => {
    const byChannel = minuteFrames(messages);
    expect(byChannel.size).toBe(8);
    for (const frames of byChannel.values()) {
      expect(frames).toHaveLength(1440); // boundaries in (start, end]
      const bad = frames.filter(
        ({ ts, sw: { aenergy } }) =>
          !Number.isInteger(aenergy.minute_ts) ||
          aenergy.minute_ts !== Math.floor(ts / 60) * 60 ||
          ts - aenergy.minute_ts > 0.05 + 1e-6 ||
          aenergy.by_minute.length !== 3,
      );
      expect(bad).toEqual([]);
    }
  });

  it("by_minute and total agree with the power of the previous minute", () => {
    let checkedOn = 0;
    const bad: unknown[] = [];
    for (const [key, frames] of minuteFrames(messages)) {
      const [src, chText] = key.split("/") as [string, string];
      const ch = Number(chText);
      for (let i = 1; i < frames.length; i++) {
        const prev = (frames[i - 1] as MinuteFrame).sw;
        const cur = (frames[i] as MinuteFrame).sw;
        const b = cur.aenergy.minute_ts;
        const e0 = cur.aenergy.by_minute[0] as number;
        const shifted = cur.aenergy.by_minute.slice(1).join() === prev.aenergy.by_minute.slice(0, 2).join();
        const totalOk = Math.abs(cur.aenergy.total - prev.aenergy.total - e0 / 1000) < 0.002;
        if (!shifted || !totalOk) bad.push([key, b, "by_minute shift or total"]);
        const expected = ((prev.apower as number) * 1000) / 60;
        if (ch === 3) {
          if (Math.abs(e0 - expected) >= (0.45 * 1000) / 60) bad.push([key, b, "idle", e0, expected]);
          continue;
        }
        const atStart = cycleAt(sim.truth, src, ch, b - 60);
        const atEnd = cycleAt(sim.truth, src, ch, b - 1);
        if (atStart && atStart === atEnd) {
          checkedOn++;
          if (Math.abs(e0 - expected) / expected >= 0.05) bad.push([key, b, "on", e0, expected]);
        } else if (!atStart && !atEnd) {
          if (e0 !== 0 || prev.apower !== 0) bad.push([key, b, "off", e0, prev.apower]);
        } else if (!(e0 > 0)) {
          bad.push([key, b, "partial", e0]);
        }
      }
    }
    expect(bad).toEqual([]);
    expect(checkedOn).toBeGreaterThan(50);
  });

  it("electrical values stay in the stated ranges", () => {
    const inRange = (sw: Sw): boolean => {
      const v = sw.voltage as number;
      const p = sw.apower as number;
      const pf = sw.pf as number;
      const i = sw.current as number;
      if (v < 228 || v > 232 || Math.abs((sw.freq as number) - 50) > 0.05 + 1e-9) return false;
      if (p === 0) return i === 0 && pf === 0;
      if (p < 5) return p >= 0.8 && p <= 1.3 && Math.abs(pf - 0.1) <= 0.011 && Math.abs(i - 0.06) <= 0.005;
      return p >= 392 && p <= 1326 && Math.abs(pf - 0.8) <= 0.03 + 1e-9 && Math.abs(i - p / (v * pf)) < 0.001;
    };
    const all = [...minuteFrames(messages).values()].flat();
    expect(all.filter((f) => !inRange(f.sw))).toEqual([]);
    expect(all.filter((f) => (f.sw.apower as number) > 5).length).toBeGreaterThan(100);
  });
});

describe("ground truth", () => {
  it("has 5–25 lift and 3–8 outlet cycles per day, 2–10 and 5–30 min long, ≥ 6 min apart", () => {
    const sim = simulateFleet({ ...BASE, devices: 5, days: 7 });
    for (const device of sim.devices) {
      for (const ch of [0, 1, 2]) {
        const role = ch === 2 ? "outlet" : "lift";
        const nominal = device.channels[ch]?.nominal_power_w as number;
        expect(nominal).toBeGreaterThanOrEqual(role === "lift" ? 400 : 400);
        expect(nominal).toBeLessThanOrEqual(role === "lift" ? 1300 : 600);
        const cycles = sim.truth.filter((c) => c.device_id === device.id && c.channel === ch);
        for (let day = 0; day < 7; day++) {
          const from = sim.startS + day * 86_400;
          const n = cycles.filter((c) => c.start_ts >= from && c.end_ts <= from + 86_400).length;
          if (role === "lift") expect(n).toBeGreaterThanOrEqual(5);
          else expect(n).toBeGreaterThanOrEqual(3);
          expect(n).toBeLessThanOrEqual(role === "lift" ? 25 : 8);
        }
        cycles.forEach((c, i) => {
          expect(c.role).toBe(role);
          expect(c.duration_s).toBe(c.end_ts - c.start_ts);
          expect(c.duration_s).toBeGreaterThanOrEqual(role === "lift" ? 120 : 300);
          expect(c.duration_s).toBeLessThanOrEqual(role === "lift" ? 600 : 1800);
          expect(new Date(c.start).getTime()).toBe(c.start_ts * 1000);
          expect(c.nominal_power_w).toBe(nominal);
          expect(c.energy_wh / ((nominal * c.duration_s) / 3600)).toBeCloseTo(1, 1);
          const next = cycles[i + 1];
          if (next) expect(next.start_ts - c.end_ts).toBeGreaterThanOrEqual(360);
        });
      }
    }
    // starts and ends are not aligned on minutes
    expect(sim.truth.filter((c) => c.start_ts % 60 !== 0).length).toBeGreaterThan(sim.truth.length * 0.9);
  });

  it("matches the frames: nominal power exactly inside the cycles, output deltas at start and end", () => {
    const messages = messagesOf(BASE);
    const sim = simulateFleet(BASE);
    for (const [key, frames] of minuteFrames(messages)) {
      const [src, chText] = key.split("/") as [string, string];
      const ch = Number(chText);
      if (ch === 3) continue;
      for (const { sw } of frames) {
        const cycle = cycleAt(sim.truth, src, ch, sw.aenergy.minute_ts);
        if (cycle) {
          expect(Math.abs((sw.apower as number) / cycle.nominal_power_w - 1)).toBeLessThanOrEqual(0.021);
        } else {
          expect(sw.apower).toBe(0);
        }
      }
    }
    const starts: string[] = [];
    const stops: string[] = [];
    for (const m of messages) {
      for (const [ch, sw] of switches(m)) {
        if (sw.output === true && sw.source === "SHC") starts.push(`${m.src}/${ch}/${m.timestamp}`);
        if (sw.output === false && sw.source === "SHC") stops.push(`${m.src}/${ch}/${m.timestamp}`);
      }
    }
    expect(starts.sort()).toEqual(sim.truth.map((c) => `${c.device_id}/${c.channel}/${c.start_ts}`).sort());
    expect(stops.sort()).toEqual(sim.truth.map((c) => `${c.device_id}/${c.channel}/${c.end_ts}`).sort());
  });

  it("cycle energy equals the by_minute energy the frames report over the cycle", () => {
    const messages = messagesOf(BASE);
    const sim = simulateFleet(BASE);
    const frames = minuteFrames(messages);
    for (const c of sim.truth) {
      const list = frames.get(`${c.device_id}/${c.channel}`) ?? [];
      const mwh = list
        .filter((f) => f.sw.aenergy.minute_ts > c.start_ts && f.sw.aenergy.minute_ts - 60 < c.end_ts)
        .reduce((s, f) => s + (f.sw.aenergy.by_minute[0] as number), 0);
      expect(mwh / 1000).toBeCloseTo(c.energy_wh, 1);
    }
  });
});

describe("reboots", () => {
  const opts: SimulateOptions = { ...BASE, reboots: 3 };
  const messages = messagesOf(opts);
  const sim = simulateFleet(opts);

  it("send a NotifyFullStatus after each reboot, with the counters back near 0", () => {
    expect(sim.reboots.length).toBeGreaterThanOrEqual(4);
    const full = messages.filter((m) => "sys" in m.params);
    expect(full).toHaveLength(2 + sim.reboots.length);
    for (const r of sim.reboots) {
      const f = full.find((m) => m.src === r.device_id && m.timestamp === r.connected_at_ts);
      expect(f).toBeDefined();
      for (const [, sw] of switches(f as SimMessage)) expect(sw.aenergy?.total).toBeLessThan(0.05);
      // the device is silent while it reboots
      const silent = messages.filter(
        (m) => m.src === r.device_id && m.timestamp >= r.at_ts && m.timestamp < r.connected_at_ts,
      );
      expect(silent).toEqual([]);
    }
  });

  it("keep aenergy.total monotonic except across a reboot", () => {
    const last = new Map<string, number>();
    let resets = 0;
    for (const m of messages) {
      const rebooted = "sys" in m.params;
      for (const [ch, sw] of switches(m)) {
        const key = `${m.src}/${ch}`;
        const total = sw.aenergy?.total;
        if (total === undefined) continue;
        const before = last.get(key);
        if (before !== undefined && total < before) {
          expect(rebooted).toBe(true);
          resets++;
        }
        last.set(key, total);
      }
    }
    expect(resets).toBeGreaterThanOrEqual(sim.reboots.length); // at least the idle channel
  });

  it("do not hide any cycle", () => {
    for (const r of sim.reboots) {
      const clash = sim.truth.some(
        (c) => c.device_id === r.device_id && c.start_ts < r.connected_at_ts + 60 && c.end_ts > r.at_ts - 60,
      );
      expect(clash).toBe(false);
    }
  });
});

describe("perturbations", () => {
  const base = messagesOf(BASE);
  const lines = (list: SimMessage[]): string[] => list.map((m) => JSON.stringify(m));

  it("duplicates repeat some messages and add nothing else", () => {
    const dup = messagesOf({ ...BASE, duplicates: 0.1 });
    expect(dup.length).toBeGreaterThan(base.length * 1.05);
    expect(dup.length).toBeLessThan(base.length * 1.15);
    const uniq = lines(dup).filter((l, i, all) => i === 0 || l !== all[i - 1]);
    expect(uniq).toEqual(lines(base));
  });

  it("loss removes whole device-minutes and leaves the others untouched", () => {
    const lossy = messagesOf({ ...BASE, loss: 0.05 });
    const group = (list: SimMessage[]): Map<string, string[]> => {
      const g = new Map<string, string[]>();
      for (const m of list) {
        const key = `${m.src}/${Math.floor(m.params.ts / 60)}`;
        g.set(key, [...(g.get(key) ?? []), JSON.stringify(m)]);
      }
      return g;
    };
    const all = group(base);
    const kept = group(lossy);
    expect(kept.size).toBeLessThan(all.size * 0.97);
    expect(kept.size).toBeGreaterThan(all.size * 0.9);
    // kept device-minutes are identical to the lossless run (the counters keep counting while lost)
    for (const [key, list] of kept) expect(list).toEqual(all.get(key));
  });

  it("reorder keeps the multiset and moves messages by less than the window", () => {
    const k = 25;
    const shuffled = messagesOf({ ...BASE, reorder: k });
    expect(lines(shuffled)).not.toEqual(lines(base));
    expect([...lines(shuffled)].sort()).toEqual([...lines(base)].sort());
    const position = new Map(lines(base).map((l, i) => [l, i]));
    const moves = lines(shuffled).map((l, i) => Math.abs((position.get(l) as number) - i));
    expect(Math.max(...moves)).toBeLessThan(k);
    expect(Math.max(...moves)).toBeGreaterThan(1);
  });

  it("batches cover the messages in order", () => {
    const sim = simulateFleet({ ...BASE, days: 0.05 });
    const batches = [...sim.batches(100)];
    expect(batches.slice(0, -1).every((b) => b.length === 100)).toBe(true);
    expect(lines(batches.flat())).toEqual(lines([...sim.messages()]));
  });
});
