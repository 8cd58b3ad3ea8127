import { describe, expect, it } from "vitest";
import { addDays, formatDayNumber, parseCalendarDate } from "./calendar-date.js";
import { ConfigVersionError } from "./errors.js";
import { isValidTimeZone, localDateOf, localDayStartUnix } from "./local-date.js";

const unix = (iso: string): number => Date.parse(iso) / 1000;

describe("calendar dates", () => {
  it("round-trips day numbers and knows leap years", () => {
    expect(parseCalendarDate("1970-01-01")).toBe(0);
    expect(parseCalendarDate("2026-02-14")).toBe(Date.parse("2026-02-14T00:00:00Z") / 86_400_000);
    expect(formatDayNumber(parseCalendarDate("2000-02-29") ?? 0)).toBe("2000-02-29");
    expect(parseCalendarDate("1900-02-29")).toBeNull();
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
  });
});

describe("localDateOf", () => {
  it("is the UTC date in UTC and in Africa/Dakar (UTC+0, the predecessor's site)", () => {
    expect(localDateOf(unix("2026-02-14T23:59:59Z"), "UTC")).toBe("2026-02-14");
    expect(localDateOf(unix("2026-02-15T00:00:00Z"), "Africa/Dakar")).toBe("2026-02-15");
  });

  it("follows the zone's offset, daylight saving included", () => {
    expect(localDateOf(unix("2026-01-14T23:30:00Z"), "Europe/Paris")).toBe("2026-01-15");
    expect(localDateOf(unix("2026-07-14T21:59:00Z"), "Europe/Paris")).toBe("2026-07-14");
    expect(localDateOf(unix("2026-07-14T22:00:00Z"), "Europe/Paris")).toBe("2026-07-15");
    expect(localDateOf(unix("2026-07-15T03:00:00Z"), "America/New_York")).toBe("2026-07-14");
  });

  it("rejects an unknown zone with a coded error", () => {
    expect(() => localDateOf(0, "Mars/Olympus")).toThrow(ConfigVersionError);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
    expect(isValidTimeZone("Africa/Dakar")).toBe(true);
  });
});

describe("localDayStartUnix", () => {
  it("is midnight UTC in UTC", () => {
    expect(localDayStartUnix("2026-02-14", "UTC")).toBe(unix("2026-02-14T00:00:00Z"));
  });

  it("is local midnight around daylight-saving changes", () => {
    expect(localDayStartUnix("2026-03-29", "Europe/Paris")).toBe(unix("2026-03-28T23:00:00Z"));
    expect(localDayStartUnix("2026-03-30", "Europe/Paris")).toBe(unix("2026-03-29T22:00:00Z"));
    expect(localDayStartUnix("2026-10-25", "Europe/Paris")).toBe(unix("2026-10-24T22:00:00Z"));
  });

  it("starts at the first existing instant when midnight is skipped (Santiago, DST at 00:00)", () => {
    const start = localDayStartUnix("2026-09-06", "America/Santiago");
    expect(localDateOf(start, "America/Santiago")).toBe("2026-09-06");
    expect(localDateOf(start - 1, "America/Santiago")).toBe("2026-09-05");
  });
});
