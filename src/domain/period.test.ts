import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDayNumber } from "./config-versions/calendar-date.js";
import { parsePeriod } from "./period.js";

const NOW = Date.parse("2026-02-14T15:00:00Z") / 1000;
const iso = (s: number) => new Date(s * 1000).toISOString();

describe("parsePeriod", () => {
  it("reads dates in the site's zone, `to` including its whole day", () => {
    const r = parsePeriod("2026-01-15", "2026-02-14", "UTC", NOW);
    if (!r.ok) throw new Error(r.error);
    expect(iso(r.period.fromS)).toBe("2026-01-15T00:00:00.000Z");
    expect(iso(r.period.toS)).toBe("2026-02-15T00:00:00.000Z");
    expect(r.period).toMatchObject({ fromDate: "2026-01-15", toDate: "2026-02-14" });
    const paris = parsePeriod("2026-07-01", "2026-07-01", "Europe/Paris", NOW);
    if (!paris.ok) throw new Error(paris.error);
    expect(iso(paris.period.fromS)).toBe("2026-06-30T22:00:00.000Z");
    expect(iso(paris.period.toS)).toBe("2026-07-01T22:00:00.000Z");
  });

  it("reads instants with a zone", () => {
    const r = parsePeriod("2026-02-14T09:40:00Z", "2026-02-14T12:00:00+01:00", "UTC", NOW);
    if (!r.ok) throw new Error(r.error);
    expect(iso(r.period.fromS)).toBe("2026-02-14T09:40:00.000Z");
    expect(iso(r.period.toS)).toBe("2026-02-14T11:00:00.000Z");
  });

  it("defaults to the 30 days before today plus today", () => {
    const r = parsePeriod(undefined, undefined, "UTC", NOW);
    if (!r.ok) throw new Error(r.error);
    expect(r.period).toMatchObject({ fromDate: "2026-01-15", toDate: "2026-02-14" });
  });

  it("accepts the first and last days of the range in every zone", () => {
    for (const zone of ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"]) {
      expect(parsePeriod("2000-01-01", "2000-01-02", zone, NOW).ok).toBe(true);
      expect(parsePeriod("2100-12-30", "2100-12-31", zone, NOW).ok).toBe(true);
    }
  });

  it.each([
    ["2026-02-30", undefined, "invalid_from"],
    ["0206-02-19", undefined, "from_out_of_range"],
    ["1999-12-31", undefined, "from_out_of_range"],
    [undefined, "2101-01-01", "to_out_of_range"],
    ["2026-02-01", "9999-12-31", "to_out_of_range"],
    ["2026-02-14T10:00:00Z", "2101-01-01T00:00:01Z", "to_out_of_range"],
    ["2030-01-01", "1999-01-01", "end_before_start"],
    ["2026-02-14T10:00:00Z", "2026-02-14T09:00:00Z", "end_before_start"],
    ["2026-02-14T10:00:00Z", "2026-02-13", "end_before_start"],
    ["2026-02-14T10:00:00Z", "2026-02-14T10:00:00Z", "empty_period"],
    ["yesterday", undefined, "invalid_from"],
    ["2026-02-14T09:40", undefined, "invalid_from"],
    [undefined, "2026-13-01", "invalid_to"],
    ["2026-02-14", "2026-02-13", "end_before_start"],
    ["2000-01-01", "2026-01-01", "period_too_long"],
  ])("from=%s to=%s → %s (a 400, never a 500)", (from, to, error) => {
    expect(parsePeriod(from, to, "UTC", NOW)).toEqual({ ok: false, error });
  });

  it("blames the order, not the format, of two real dates given the wrong way round, whatever their years", () => {
    // day numbers of 0001-01-01 … 9999-12-31
    const day = fc.integer({ min: -719_162, max: 2_932_896 }).map(formatDayNumber);
    const zone = fc.constantFrom(
      "UTC",
      "Africa/Dakar",
      "Europe/Paris",
      "Pacific/Kiritimati",
      "America/Los_Angeles",
    );
    fc.assert(
      fc.property(day, day, zone, (a, b, timeZone) => {
        const [early, late] = a < b ? [a, b] : [b, a];
        const swapped = parsePeriod(late, early, timeZone, NOW);
        if (early === late) expect(swapped.ok || swapped.error !== "end_before_start").toBe(true);
        else expect(swapped).toEqual({ ok: false, error: "end_before_start" });
        const inOrder = parsePeriod(early, late, timeZone, NOW);
        if (!inOrder.ok) {
          expect(["from_out_of_range", "to_out_of_range", "period_too_long"]).toContain(inOrder.error);
        }
      }),
    );
  });
});
