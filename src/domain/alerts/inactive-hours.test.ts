/**
 * Pompe inactive's "same hours of the day": compared in the site's time zone, across clock changes, and
 * from every start of the pump.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localDayStartUnix, utcOffsetSeconds } from "../config-versions/local-date.js";
import { type AlertCycle, learnChannel, thresholdOf, timeOfDayIn, utcTimeOfDay } from "./index.js";

const PARIS = "Europe/Paris";
const DAY_MS = 86_400_000;

/** The unix minute of a local wall-clock time (minutes after local midnight) on a local date. */
function localMinute(date: string, minutesAfterMidnight: number, timeZone: string): number {
  const start = localDayStartUnix(date, timeZone);
  const guess = Math.floor(start / 60) + minutesAfterMidnight;
  // On the day of a change the wall clock has moved by the change since midnight (times kept off 01–04 h).
  return guess - (utcOffsetSeconds(guess * 60, timeZone) - utcOffsetSeconds(start, timeZone)) / 60;
}

const dateAt = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A station that pumps every `period` minutes from 06:00 to 22:00 local and rests at night, for the
 * 16 days before `lastDate` and on `lastDate` until `lastTime`.
 */
function schedule(lastDate: string, lastTime: number, period: number, timeZone: string): AlertCycle[] {
  const out: AlertCycle[] = [];
  const last = Date.parse(`${lastDate}T00:00:00Z`);
  for (let d = 16; d >= 0; d--) {
    const date = dateAt(last - d * DAY_MS);
    for (let m = 360; m < 1320; m += period) {
      if (d === 0 && m > lastTime) break;
      const s = localMinute(date, m, timeZone);
      out.push({ startMinute: s, lastActiveMinute: s + 3, noise: false, avgPowerW: 800, avgCurrentA: 4 });
    }
  }
  return out;
}

describe("Pompe inactive's hours of the day", () => {
  it("are the site's: around a clock change, a start by day learns 3 × the day's gap, never the night", () => {
    fc.assert(
      fc.property(
        // days around the autumn (2025-10-26) and spring (2026-03-29) changes in Paris
        fc.constantFrom("2025-10-26", "2026-03-29"),
        fc.integer({ min: -6, max: 12 }),
        fc.integer({ min: 20, max: 60 }),
        fc.integer({ min: 0, max: 2 }),
        (change, shift, period, k) => {
          const lastDate = dateAt(Date.parse(`${change}T00:00:00Z`) + shift * DAY_MS);
          // A start of the day whose ± 2 h window stays clear of the last start before the night, by
          // less than the hour a clock change moves it: one of the latest such starts.
          const nightStart = 360 + period * Math.floor((1319 - 360) / period);
          const latest = 360 + period * Math.floor((nightStart - 121 - 360) / period);
          const lastTime = latest - period * (k % 3);
          const cycles = schedule(lastDate, lastTime, period, PARIS);
          const lastStart = (cycles.at(-1) as AlertCycle).startMinute;
          const t = lastStart + 30;
          const learned = learnChannel(cycles, t, cycles[0]?.startMinute ?? null, timeOfDayIn(PARIS));
          // Every gap after a start within ± 2 h of lastTime local is `period`: p95 = period.
          expect(thresholdOf("pump_inactive", learned, undefined, lastStart).value).toBe(
            Math.max(120, 3 * period),
          );
        },
      ),
      {
        numRuns: 40,
        examples: [
          ["2026-03-29", 0, 20, 0],
          ["2025-10-26", 1, 20, 0],
        ],
      },
    );
  });

  it("would mix the night into the evening if they were UTC hours (the bug this fixes)", () => {
    // 19:00 local on 2025-11-01 (winter, 18:00 UTC), learned over October, summer time until the 26th:
    // 19:00 UTC was 21:00 local, right before the night's rest, in the summer days.
    const cycles = schedule("2025-11-01", 1140, 30, PARIS);
    const lastStart = (cycles.at(-1) as AlertCycle).startMinute;
    const first = cycles[0]?.startMinute ?? null;
    const local = learnChannel(cycles, lastStart + 30, first, timeOfDayIn(PARIS));
    const utc = learnChannel(cycles, lastStart + 30, first, utcTimeOfDay);
    expect(thresholdOf("pump_inactive", local, undefined, lastStart).value).toBe(120);
    expect(thresholdOf("pump_inactive", utc, undefined, lastStart).value as number).toBeGreaterThan(8 * 60);
  });

  it("count short runs flagged as noise as starts: they do not join the gaps around them", () => {
    const first = 29_000_160;
    const cycles: AlertCycle[] = [];
    for (let s = first; s < first + 10 * 1440; s += 40) {
      // every other run is a 1-minute one, which cycle detection flags as noise
      const noise = (s - first) % 80 === 40;
      cycles.push({
        startMinute: s,
        lastActiveMinute: s + (noise ? 1 : 5),
        noise,
        avgPowerW: 800,
        avgCurrentA: 4,
      });
    }
    const lastStart = (cycles.at(-1) as AlertCycle).startMinute;
    const learned = learnChannel(cycles, lastStart + 10, first);
    // gaps of 40 min: 3 × 40 = 120; leaving the noise out would make them 80 → 240
    expect(thresholdOf("pump_inactive", learned, undefined, lastStart).value).toBe(120);
  });
});
