import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "./calendar-date.js";
import { localCalendar } from "./local-calendar.js";
import { placedCalendar } from "./placed-calendar.js";

const ZONES = ["Europe/Paris", "Africa/Dakar", "UTC", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"];
const FROM_S = Date.UTC(2024, 0, 1) / 1000;
const TO_S = Date.UTC(2026, 11, 31) / 1000;
const instant = fc.integer({ min: FROM_S, max: TO_S });
const spansArb = fc
  .array(fc.record({ fromS: instant, timeZone: fc.constantFrom(...ZONES) }), { minLength: 1, maxLength: 4 })
  .map((spans) => spans.sort((a, b) => a.fromS - b.fromS));

describe("the days of a meter that moved between zones", () => {
  it("puts every instant in the one day whose start and end hold it, and days follow each other", () => {
    fc.assert(
      fc.property(spansArb, instant, (spans, t) => {
        const calendar = placedCalendar(spans);
        const date = calendar.dateOf(t);
        const start = calendar.dayStart(date);
        const next = calendar.dayStart(addDays(date, 1));
        expect(start).toBeLessThanOrEqual(t);
        expect(next).toBeGreaterThan(t);
        // a day lasts between the shortest DST day and a move across the widest zones (Kiritimati is UTC+14)
        expect(next - start).toBeGreaterThanOrEqual(86_400 - 26 * 3600);
        expect(next - start).toBeLessThanOrEqual(86_400 + 26 * 3600);
      }),
      { numRuns: 300 },
    );
  });

  it("reads each part of the past in the zone of its own site, away from the moves", () => {
    fc.assert(
      fc.property(spansArb, instant, (spans, t) => {
        const calendar = placedCalendar(spans);
        const i = spans.findLastIndex((s) => s.fromS <= t);
        const zone = (spans[Math.max(i, 0)] as (typeof spans)[number]).timeZone;
        // two days from any move, the zone in force there says the date alone
        if (spans.some((s) => Math.abs(s.fromS - t) < 2 * 86_400)) return;
        expect(calendar.dateOf(t)).toBe(localCalendar(zone).dateOf(t));
      }),
      { numRuns: 300 },
    );
  });

  it("is the zone's own calendar when the meter never changed zone", () => {
    const calendar = placedCalendar([
      { fromS: FROM_S, timeZone: "Europe/Paris" },
      { fromS: TO_S - 86_400, timeZone: "Europe/Paris" },
    ]);
    expect(calendar).toBe(localCalendar("Europe/Paris"));
  });
});
