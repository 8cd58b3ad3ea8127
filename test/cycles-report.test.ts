import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { channelKey, cyclesExport, cyclesReport } from "../src/analytics/cycles-report.js";
import { upsertCycles } from "../src/db/queries/replace-cycles.js";
import type { ChannelRef } from "../src/db/queries/stored-cycle.js";
import { addDays, type ConfigVersion, localDateOf, versionAt } from "../src/domain/config-versions/index.js";
import type { DetectedCycle } from "../src/domain/cycles/index.js";
import { FP_2026, FRANCE_GRID_FACTOR, ipcc2019Vf, summarizeCycles } from "../src/domain/impact/index.js";
import { parsePeriod } from "../src/domain/period.js";
import { createTestDatabase, type TestDatabase } from "./harness.js";
import { expectSameSummary, scalesOf, versionHistory } from "./summary-agreement.js";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

const ZONE = "Europe/Paris";
const CHANNELS: ChannelRef[] = [
  { deviceId: "shellypro4pm-aaaaaaaaaaaa", channel: 0 },
  { deviceId: "shellypro4pm-aaaaaaaaaaaa", channel: 2 },
  { deviceId: "shellypro4pm-bbbbbbbbbbbb", channel: 0 },
];
// Two weeks around each of Paris's clock changes of 2026 (29 March, 25 October): days of 23 and 25 hours.
const WINDOWS = [
  { from: "2026-03-22", days: 14 },
  { from: "2026-10-18", days: 14 },
];
const minuteOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 60_000;

const historyArb = (from: string, days: number) =>
  fc
    .uniqueArray(
      fc.tuple(
        fc.integer({ min: -2, max: days }).map((i) => addDays(from, i)),
        fc.record({
          pumpType: fc.constantFrom("relevage" as const, "relevage" as const, "sortie" as const),
          flowRateM3h: fc.oneof(fc.constant(null), fc.integer({ min: 5, max: 30 })),
          dbo5MgL: fc.constantFrom(30, 570),
          mesMgL: fc.constantFrom(0, 650),
        }),
      ),
      { selector: ([d]) => d, minLength: 1, maxLength: 8 },
    )
    .map(versionHistory);

/** Stored cycles of one channel, some of them just outside the period, at most one ongoing. */
const channelCyclesArb = (firstMinute: number, lastMinute: number) =>
  fc
    .uniqueArray(
      fc.record({
        // cycles start on whole minutes; many start in the hours around local midnight
        startMinute: fc.oneof(
          fc.integer({ min: firstMinute - 1440, max: lastMinute + 1440 }),
          fc
            .tuple(fc.integer({ min: -1, max: 15 }), fc.integer({ min: 20 * 60, max: 25 * 60 }))
            .map(([day, minute]) => firstMinute + day * 1440 + minute),
        ),
        state: fc.constantFrom("closed", "closed", "closed", "noise", "ongoing"),
        durationMin: fc.integer({ min: 0, max: 60 }),
        runtimeMin: fc.double({ min: 0, max: 90, noNaN: true }),
        avgPowerW: fc.oneof(fc.constantFrom(0, 420, 1200), fc.double({ min: -5, max: 3000, noNaN: true })),
        avgCurrentA: fc.oneof(fc.constantFrom(null, 0, 5.2), fc.double({ min: 0, max: 20, noNaN: true })),
        energyWh: fc.double({ min: 0, max: 2000, noNaN: true }),
      }),
      { selector: (c) => c.startMinute, maxLength: 40 },
    )
    .map((cycles) => {
      let ongoingSeen = false;
      return cycles.map(({ state, ...c }): DetectedCycle => {
        const ongoing = state === "ongoing" && !ongoingSeen;
        ongoingSeen ||= ongoing;
        const end = c.startMinute + c.durationMin;
        return {
          ...c,
          ongoing,
          noise: state === "noise",
          endMinute: ongoing ? null : end,
          // an ongoing cycle active until the end of time: never stale, so the report's refresh leaves it
          lastActiveMinute: ongoing ? lastMinute + 100_000 : end,
          samples: c.durationMin + 1,
          medianVoltageV: 230,
        };
      });
    });

const caseArb = fc.constantFrom(...WINDOWS).chain(({ from, days }) => {
  const first = minuteOf(from);
  const last = first + days * 1440;
  return fc.record({
    from: fc.constant(from),
    to: fc.integer({ min: 0, max: days - 1 }).map((i) => addDays(from, i)),
    nowMinute: fc.integer({ min: first, max: last + 2 * 1440 }),
    histories: fc.array(historyArb(from, days), { minLength: CHANNELS.length, maxLength: CHANNELS.length }),
    cycles: fc.array(channelCyclesArb(first, last), {
      minLength: CHANNELS.length,
      maxLength: CHANNELS.length,
    }),
    includeNoise: fc.boolean(),
    limit: fc.integer({ min: 0, max: 60 }),
    factorSet: fc.constantFrom(FP_2026, ipcc2019Vf({ reference: "aerobic" })),
  });
});

describe("cyclesReport on a real database", () => {
  it("sums in SQL what summarizeCycles gives cycle by cycle, and lists the page of every cycle", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await t.db.query("TRUNCATE cycles");
        for (const [i, ref] of CHANNELS.entries())
          await upsertCycles(t.db, ref, c.cycles[i] ?? [], new Date());
        const versions = new Map(CHANNELS.map((ref, i) => [channelKey(ref), c.histories[i] ?? []]));
        const config = { versionsOf: async () => versions };
        const nowS = c.nowMinute * 60;
        const parsed = parsePeriod(c.from, c.to, ZONE, nowS);
        if (!parsed.ok) throw new Error(parsed.error);
        const period = parsed.period;
        const query = {
          channels: CHANNELS,
          period,
          includeNoise: c.includeNoise,
          nowS,
          timeZone: ZONE,
          factorSet: c.factorSet,
        };

        // The reference: every stored cycle of the period, its date from Intl, the summary cycle by cycle.
        const all = CHANNELS.flatMap((ref, i) =>
          (c.cycles[i] ?? [])
            .filter((cycle) => cycle.startMinute * 60 >= period.fromS && cycle.startMinute * 60 < period.toS)
            .map((cycle) => {
              const startDate = localDateOf(cycle.startMinute * 60, ZONE);
              return {
                ref,
                cycle,
                startDate,
                version: versionAt(versions.get(channelKey(ref)) ?? [], startDate),
              };
            }),
        );
        const listed = all
          .filter((i) => c.includeNoise || !i.cycle.noise)
          .sort(
            (a, b) =>
              b.cycle.startMinute - a.cycle.startMinute ||
              (a.ref.deviceId < b.ref.deviceId ? 1 : a.ref.deviceId > b.ref.deviceId ? -1 : 0) ||
              b.ref.channel - a.ref.channel,
          );
        // cycles stored without their readings: no day of the period was monitored (per day: 0, issue 21);
        // test/read-api.test.ts has the monitored days of real readings
        const range = {
          fromDate: period.fromDate,
          toDate: period.toDate,
          today: localDateOf(nowS, ZONE),
          monitoredDates: [],
        };
        const options = { factorSet: c.factorSet, gridFactor: FRANCE_GRID_FACTOR };

        const report = await cyclesReport(t.db, config, {
          ...query,
          limit: c.limit,
          gridFactor: FRANCE_GRID_FACTOR,
        });
        expectSameSummary(report.summary, summarizeCycles(all, range, options), scalesOf(all, c.factorSet));
        expect(report.total).toBe(listed.length);
        const shape = (
          deviceId: string,
          channel: number,
          startMinute: number,
          version: ConfigVersion | null,
        ) => ({
          deviceId,
          channel,
          startMinute,
          version,
        });
        const expectedPage = listed
          .slice(0, c.limit)
          .map((i) => shape(i.ref.deviceId, i.ref.channel, i.cycle.startMinute, i.version));
        expect(
          report.cycles.map((r) => shape(r.cycle.deviceId, r.cycle.channel, r.cycle.startMinute, r.version)),
        ).toEqual(expectedPage);

        // The export: the same order and versions, every cycle, whatever the page size.
        const exported = [];
        for await (const page of await cyclesExport(t.db, config, {
          ...query,
          pageSize: 1 + (c.limit % 7),
        })) {
          exported.push(
            ...page.map((r) => shape(r.cycle.deviceId, r.cycle.channel, r.cycle.startMinute, r.version)),
          );
        }
        expect(exported).toEqual(
          listed.map((i) => shape(i.ref.deviceId, i.ref.channel, i.cycle.startMinute, i.version)),
        );
      }),
      { numRuns: 40 },
    );
  });
});
