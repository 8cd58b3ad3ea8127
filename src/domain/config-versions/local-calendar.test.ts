import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, formatDayNumber } from "./calendar-date.js";
import { ConfigVersionError } from "./errors.js";
import { localCalendar, localDayOf, localDays } from "./local-calendar.js";
import { localDateOf, localDayStartUnix, utcOffsetSeconds } from "./local-date.js";

const DAY = 86_400;
const unix = (iso: string): number => Date.parse(iso) / 1000;

// Whole-hour zones with and without DST, :30 and :45 offsets (one with a 30-minute DST shift, one with DST
// at midnight so that midnight is skipped), and the far ends of the offsets.
const ZONES = [
  "Europe/Paris",
  "Africa/Dakar",
  "UTC",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Pacific/Chatham",
  "Australia/Lord_Howe",
  "America/Santiago",
  "America/St_Johns",
  "Pacific/Kiritimati",
  "Pacific/Pago_Pago",
] as const;

const FIRST_DAY = Math.floor(unix("2018-01-01T00:00:00Z") / DAY);
const LAST_DAY = Math.floor(unix("2032-01-01T00:00:00Z") / DAY);

// The UTC days where each zone's offset changes: where the fast path must hand over to the exact one.
// Found with one offset per day; they only steer the generator, the oracle is localDateOf itself.
const transitions = new Map<string, number[]>(
  ZONES.map((zone) => {
    const days: number[] = [];
    let previous = utcOffsetSeconds(FIRST_DAY * DAY, zone);
    for (let day = FIRST_DAY + 1; day <= LAST_DAY; day++) {
      const offset = utcOffsetSeconds(day * DAY, zone);
      if (offset !== previous) days.push(day - 1);
      previous = offset;
    }
    return [zone, days.length > 0 ? days : [FIRST_DAY + 100]];
  }),
);

/** An instant anywhere in 2018–2031, or within two days of one of the zone's offset changes. */
const instantIn = (zone: string) =>
  fc.oneof(
    fc.integer({ min: FIRST_DAY * DAY, max: LAST_DAY * DAY }),
    fc
      .tuple(
        fc.constantFrom(...(transitions.get(zone) as number[])),
        fc.integer({ min: -DAY, max: 2 * DAY - 1 }),
      )
      .map(([day, second]) => day * DAY + second),
    // whole minutes, like cycle starts
    fc.integer({ min: FIRST_DAY * 1440, max: LAST_DAY * 1440 }).map((minute) => minute * 60),
  );

const zoneAndInstants = fc
  .constantFrom(...ZONES)
  .chain((zone) => fc.tuple(fc.constant(zone), fc.array(instantIn(zone), { minLength: 1, maxLength: 20 })));

describe("localCalendar", () => {
  it("dateOf gives localDateOf's date for any instant and zone, DST days included", () => {
    fc.assert(
      fc.property(zoneAndInstants, ([zone, instants]) => {
        const calendar = localCalendar(zone);
        for (const t of instants) expect(calendar.dateOf(t)).toBe(localDateOf(t, zone));
      }),
      { numRuns: 400 },
    );
  });

  it("dayStart gives localDayStartUnix's instant for any date and zone", () => {
    fc.assert(
      fc.property(zoneAndInstants, ([zone, instants]) => {
        const calendar = localCalendar(zone);
        for (const t of instants) {
          const date = formatDayNumber(Math.floor(t / DAY));
          expect(calendar.dayStart(date)).toBe(localDayStartUnix(date, zone));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("dateOf and dayStart agree with the exact functions every quarter hour around each offset change", () => {
    for (const zone of ZONES) {
      const calendar = localCalendar(zone);
      for (const day of transitions.get(zone) as number[]) {
        for (let t = (day - 1) * DAY; t < (day + 2) * DAY; t += 900) {
          expect(calendar.dateOf(t)).toBe(localDateOf(t, zone));
          expect(calendar.dateOf(t - 1)).toBe(localDateOf(t - 1, zone));
        }
        for (const d of [day - 1, day, day + 1, day + 2]) {
          expect(calendar.dayStart(formatDayNumber(d))).toBe(localDayStartUnix(formatDayNumber(d), zone));
        }
      }
    }
  });

  it("knows the DST days of Paris, and Santiago's skipped midnight", () => {
    const paris = localCalendar("Europe/Paris");
    expect(paris.dateOf(unix("2026-03-28T22:59:59Z"))).toBe("2026-03-28");
    expect(paris.dateOf(unix("2026-03-28T23:00:00Z"))).toBe("2026-03-29");
    expect(paris.dateOf(unix("2026-10-24T21:59:59Z"))).toBe("2026-10-24");
    expect(paris.dateOf(unix("2026-10-24T22:00:00Z"))).toBe("2026-10-25");
    expect(paris.dayStart("2026-03-30")).toBe(unix("2026-03-29T22:00:00Z"));
    // Chile moves from 00:00 to 01:00 on 2026-09-06: the day starts at 04:00 UTC (01:00 −03).
    expect(localCalendar("America/Santiago").dayStart("2026-09-06")).toBe(unix("2026-09-06T04:00:00Z"));
  });

  it("refuses an unknown zone when made, like localDateOf", () => {
    expect(() => localCalendar("Mars/Olympus")).toThrow(ConfigVersionError);
  });
});

describe("localDays", () => {
  const range = fc
    .constantFrom(...ZONES)
    .chain((zone) =>
      fc.tuple(
        fc.constant(zone),
        fc.integer({ min: FIRST_DAY, max: LAST_DAY - 60 }),
        fc.integer({ min: 0, max: 45 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 20 }),
      ),
    );

  it("cuts a period into the days localDayStartUnix starts, and finds the day localDateOf names", () => {
    fc.assert(
      fc.property(range, ([zone, fromDay, length, positions]) => {
        const fromDate = formatDayNumber(fromDay);
        const toDate = addDays(fromDate, length);
        const days = localDays(localCalendar(zone), fromDate, toDate);
        expect(days.dates).toEqual(Array.from({ length: length + 1 }, (_, i) => addDays(fromDate, i)));
        expect(days.starts).toEqual(
          Array.from({ length: length + 2 }, (_, i) => localDayStartUnix(addDays(fromDate, i), zone)),
        );
        const start = days.starts[0] as number;
        const end = days.starts[length + 1] as number;
        expect(localDayOf(days, start - 1)).toBeNull();
        expect(localDayOf(days, end)).toBeNull();
        for (const p of positions) {
          const t = start + Math.floor(p * (end - start));
          expect(localDayOf(days, t)).toBe(localDateOf(t, zone));
        }
      }),
      { numRuns: 150 },
    );
  });
});
