import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frenchNumber } from "../i18n/format";
import { COUNT_INCREMENTS, timeTicks, valueLabels, zoneOffsetS } from "./ticks";

const at = (iso: string) => Date.parse(iso) / 1000;

describe("time axis ticks", () => {
  it("24 h ending 20:43: about 12 whole-hour labels over the whole window, date on the first and at midnight (bugs 21, 24–25)", () => {
    const end = at("2026-02-19T20:43:00Z");
    const t = timeTicks(end - 86_400, end, 14, "UTC");
    expect(t.step).toBe(7200);
    expect(t.labels).toEqual([
      "18/02 22h00",
      "19/02 00h00",
      "02h00",
      "04h00",
      "06h00",
      "08h00",
      "10h00",
      "12h00",
      "14h00",
      "16h00",
      "18h00",
      "20h00",
    ]);
  });

  it("follows the site's zone: Paris in winter is UTC+1", () => {
    const end = at("2026-02-19T12:00:00Z");
    const t = timeTicks(end - 6 * 3600, end, 6, "Europe/Paris");
    expect(t.labels[0]).toBe("19/02 07h00");
    expect(zoneOffsetS(end, "Europe/Paris")).toBe(3600);
    expect(zoneOffsetS(end, "Asia/Kolkata")).toBe(19_800);
  });

  it("30 days: day labels only", () => {
    const end = at("2026-02-19T00:00:00Z");
    const t = timeTicks(end - 30 * 86_400, end, 15, "UTC");
    expect(t.step).toBe(2 * 86_400);
    expect(t.labels.every((l) => /^\d{2}\/\d{2}$/.test(l))).toBe(true);
  });

  it("any window, zone and width: ticks inside the window, on whole local hours, never more than asked", () => {
    const zones = ["UTC", "Africa/Dakar", "Europe/Paris", "Asia/Kolkata", "America/St_Johns"];
    fc.assert(
      fc.property(
        fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }),
        fc.integer({ min: 3600, max: 31 * 86_400 }),
        fc.integer({ min: 2, max: 20 }),
        fc.constantFrom(...zones),
        (start, span, max, zone) => {
          const t = timeTicks(start, start + span, max, zone);
          // up to the widest step (7 days), which caps the count on long windows
          if (t.step < 7 * 86_400) expect(t.splits.length).toBeLessThanOrEqual(Math.max(2, max) + 1);
          for (const s of t.splits) {
            expect(s).toBeGreaterThanOrEqual(start);
            expect(s).toBeLessThanOrEqual(start + span);
            expect((s + zoneOffsetS(s, zone)) % 3600).toBe(0);
          }
          expect(t.labels.every((l) => l.length > 0)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("an empty chart's value axis, 0 to 1 in fifths, reads 0 … 1 with decimals, not « 0 0 0 1 1 1 » (issue 21)", () => {
    const splits = [0, 0.2, 0.4, 0.6, 0.8, 1];
    expect(splits.map((v) => frenchNumber(v, 0))).toEqual(["0", "0", "0", "1", "1", "1"]);
    expect(valueLabels(splits, frenchNumber)).toEqual(["0,0", "0,2", "0,4", "0,6", "0,8", "1,0"]);
    expect(valueLabels([0, 50, 100, 150], frenchNumber)).toEqual(["0", "50", "100", "150"]);
    expect(valueLabels([0, 2.5, 5], frenchNumber, 1)).toEqual(["0,0", "2,5", "5,0"]);
  });

  it("value axis labels never repeat, whatever the range and step uPlot picks", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 5 }),
        fc.constantFrom(1, 2, 2.5, 5),
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: -5, max: 5 }),
        (exponent, mantissa, count, first) => {
          const step = mantissa * 10 ** exponent;
          const splits = Array.from({ length: count }, (_, i) => (first + i) * step);
          const labels = valueLabels(splits, frenchNumber);
          expect(new Set(labels).size).toBe(labels.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a count axis steps by whole numbers", () => {
    expect(COUNT_INCREMENTS.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
  });
});
