import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changedRuns } from "../../test/changed-runs.js";
import { detectCycles } from "../domain/cycles/detect.js";
import type { CycleSample, CycleSettings, DetectedCycle } from "../domain/cycles/types.js";
import { type RunEdges, runEdges } from "../domain/pump-health/edges.js";
import { type RefreshStore, rangeWindow, refreshChannelStep } from "./refresh-cycles.js";

// The refresh algorithm against an in-memory store that behaves like the SQL one: many more runs than the
// database test can afford, with tiny step budgets so that the "cut at a quiet minute" path is exercised.

const REF = { deviceId: "shellypro4pm-test", channel: 1 };

class MemoryStore implements RefreshStore {
  data = new Map<number, CycleSample>();
  cycles: DetectedCycle[] = [];
  edges = new Map<number, RunEdges>();
  queue: { id: number; fromMinute: number; toMinute: number }[] = [];
  private nextId = 1;

  write(samples: readonly CycleSample[]): void {
    for (const s of samples) this.data.set(s.minute, s);
    const keys = samples.map((s) => ({ device_id: REF.deviceId, channel: REF.channel, minute: s.minute }));
    for (const run of changedRuns(keys, 3)) {
      this.queue.push({ id: this.nextId++, fromMinute: run.fromMinute, toMinute: run.toMinute });
    }
  }

  sorted(): CycleSample[] {
    return [...this.data.values()].sort((a, b) => a.minute - b.minute);
  }

  async queued() {
    return [...this.queue].sort((a, b) => a.fromMinute - b.fromMinute || a.id - b.id).map((q) => ({ ...q }));
  }
  async ongoing() {
    return this.cycles.find((c) => c.ongoing) ?? null;
  }
  async cyclesMeeting(_ref: unknown, from: number, to: number) {
    return this.cycles.filter((c) => c.startMinute <= to && c.lastActiveMinute >= from);
  }
  async readings(_ref: unknown, from: number, to: number) {
    return this.sorted().filter((s) => s.minute >= from && s.minute <= to);
  }
  async replace(
    _ref: unknown,
    from: number,
    lastStart: number,
    cycles: readonly DetectedCycle[],
    edges: readonly RunEdges[],
  ) {
    for (const m of [...this.edges.keys()]) if (m >= from && m <= lastStart) this.edges.delete(m);
    cycles.forEach((c, i) => {
      this.edges.set(c.startMinute, edges[i] as RunEdges);
    });
    for (const c of cycles) {
      expect(c.startMinute).toBeGreaterThanOrEqual(from);
      expect(c.startMinute).toBeLessThanOrEqual(lastStart);
    }
    const before = this.cycles.length;
    this.cycles = this.cycles.filter((c) => c.startMinute < from || c.startMinute > lastStart);
    const deleted = before - this.cycles.length;
    this.cycles = [...this.cycles, ...cycles].sort((a, b) => a.startMinute - b.startMinute);
    return { written: cycles.length, deleted };
  }
  async dequeue(ids: readonly number[]) {
    this.queue = this.queue.filter((q) => !ids.includes(q.id));
  }
  async trim(ids: readonly number[], fromMinute: number) {
    for (const q of this.queue)
      if (ids.includes(q.id) && q.fromMinute < fromMinute) q.fromMinute = fromMinute;
  }
  async reshape(id: number, fromMinute: number, toMinute: number) {
    const q = this.queue.find((x) => x.id === id);
    if (q === undefined) throw new Error(`no queue entry ${id}`);
    q.fromMinute = fromMinute;
    q.toMinute = toMinute;
  }
  /** unix hour → active minutes counted when it was last rewritten */
  hours = new Map<number, number>();
  threshold = 10;
  async rewriteHours(_ref: unknown, hours: readonly number[]) {
    for (const h of hours) this.hours.set(h, this.activeIn(h));
  }
  activeIn(hour: number): number {
    return this.sorted().filter(
      (s) => Math.floor(s.minute / 60) === hour && s.apowerW !== null && s.apowerW > this.threshold,
    ).length;
  }
}

const store = (): MemoryStore => new MemoryStore();

const powerArb: fc.Arbitrary<number | null> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.constantFrom(0, 5), weight: 3 },
  { arbitrary: fc.constantFrom(430, 1200), weight: 6 },
);

const fieldsArb = fc.record({
  apowerW: powerArb,
  currentA: fc.option(fc.constantFrom(2.4, 5.1), { nil: null }),
  voltageV: fc.option(fc.constantFrom(0, 228, 231), { nil: null }),
  energyTotalWh: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
  energyLastMinuteWh: fc.option(fc.constantFrom(0, 3.5, 7, 20), { nil: null }),
});

const HORIZON = 240;

// A series of bursts (pump-like), then a few overwrites of random minutes (late or corrected readings).
const writesArb = fc
  .tuple(
    fc.array(
      fc.record({
        silence: fc.integer({ min: 0, max: 20 }),
        length: fc.integer({ min: 1, max: 20 }),
        fields: fieldsArb,
      }),
      { maxLength: 10 },
    ),
    fc.array(fc.record({ minute: fc.integer({ min: 0, max: HORIZON }), fields: fieldsArb }), {
      maxLength: 12,
    }),
  )
  .map(([bursts, overwrites]) => {
    const samples: CycleSample[] = [];
    let minute = 0;
    for (const burst of bursts) {
      minute += burst.silence;
      for (let i = 0; i < burst.length; i++) samples.push({ ...burst.fields, minute: minute++ });
    }
    return [...samples, ...overwrites.map((o) => ({ ...o.fields, minute: o.minute }))];
  });

const settingsArb: fc.Arbitrary<CycleSettings> = fc.record({
  activityThresholdW: fc.constantFrom(10, 100),
  stopGapMin: fc.constantFrom(1, 2, 2.5, 4, 6),
  minCycleMin: fc.constantFrom(0, 2, 3),
});

describe("refreshChannelStep (in memory)", () => {
  it("stored cycles equal a full detection, whatever the order of writes, refreshes and step budget", async () => {
    await fc.assert(
      fc.asyncProperty(
        writesArb,
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }),
        settingsArb,
        fc.constantFrom(8, 20, 60, 10_000),
        fc.constantFrom(0, 5, 30, 1440),
        fc.integer({ min: 0, max: 8 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 1000 })),
        async (writes, batchCount, stepsBetween, settings, maxWindowMin, coalesceGapMin, lag, randoms) => {
          const s = store();
          s.threshold = settings.activityThresholdW;
          // shuffle the writes into batches; a later write of a minute replaces the earlier one
          const order = writes.map((w, i) => ({ w, k: randoms.next().value + i / 1e6 }));
          order.sort((x, y) => x.k - y.k);
          const size = Math.ceil(order.length / batchCount) || 1;
          let now = 0;
          for (let i = 0; i < order.length; i += size) {
            const batch = new Map<number, CycleSample>();
            for (const { w } of order.slice(i, i + size)) batch.set(w.minute, w);
            s.write([...batch.values()]);
            now = Math.max(now, ...batch.keys());
            // a few steps only: the refresher may be interrupted at any point
            for (let k = 0; k < (stepsBetween[i / size] ?? 1); k++) {
              await refreshChannelStep(s, REF, {
                settings,
                nowMinute: now + lag,
                maxWindowMin,
                coalesceGapMin,
              });
            }
          }
          now += lag + (randoms.next().value % 10);
          for (let k = 0; k < 10_000; k++) {
            const outcome = await refreshChannelStep(s, REF, {
              settings,
              nowMinute: now,
              maxWindowMin,
              coalesceGapMin,
            });
            if (outcome.remaining.length === 0) break;
          }
          expect(s.queue).toEqual([]);
          expect(s.cycles).toEqual(detectCycles(s.sorted(), settings, now));
          // the run edges stored with each cycle are those of a detection over all the readings
          expect(s.cycles.map((c) => s.edges.get(c.startMinute))).toEqual(
            s.cycles.map((c) => runEdges(s.sorted(), c)),
          );
          // every hour holding a reading was rewritten after its last change
          const withReadings = new Set(s.sorted().map((x) => Math.floor(x.minute / 60)));
          for (const h of withReadings) expect([h, s.hours.get(h)]).toEqual([h, s.activeIn(h)]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("rangeWindow", () => {
  it("is the domain window of one minute when the range is one minute", () => {
    const previous = detectCycles(
      [10, 11, 12, 20, 21].map((minute) => ({
        minute,
        apowerW: 400,
        currentA: null,
        voltageV: null,
        energyTotalWh: null,
        energyLastMinuteWh: null,
      })),
      {},
      1000,
    );
    expect(rangeWindow(previous, 14, 14, {})).toEqual({ fromMinute: 10, lastStartMinute: 18, toMinute: 22 });
    expect(rangeWindow(previous, 14, 17, {})).toEqual({ fromMinute: 10, lastStartMinute: 21, toMinute: 25 });
  });
});
