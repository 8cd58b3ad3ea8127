import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  concerns,
  DEFAULT_PREFS,
  DEFAULT_RETRY,
  dashboardLink,
  dayBounds,
  digestDay,
  retryDelayMs,
} from "./notifications.js";

const s = (iso: string) => Date.parse(iso) / 1000;

describe("notification rules", () => {
  it("retries after 30 s, 1, 2, 4 and 8 min, then gives up; a final error at once", () => {
    const waits = [1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(DEFAULT_RETRY, attempt, false));
    expect(waits).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, null]);
    expect(retryDelayMs(DEFAULT_RETRY, 1, true)).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), (max, attempt) => {
        const wait = retryDelayMs({ maxAttempts: max, firstDelayMs: 1000 }, attempt, false);
        return attempt >= max ? wait === null : wait === 1000 * 2 ** (attempt - 1);
      }),
    );
  });

  it("a user's sites and severities decide; the defaults take everything", () => {
    expect(concerns(DEFAULT_PREFS, { severity: "warning", deviceId: "a" })).toBe(true);
    const critical = { ...DEFAULT_PREFS, severities: ["critical"] as const, deviceIds: ["a"] };
    expect(concerns(critical, { severity: "critical", deviceId: "a" })).toBe(true);
    expect(concerns(critical, { severity: "warning", deviceId: "a" })).toBe(false);
    expect(concerns(critical, { severity: "critical", deviceId: "b" })).toBe(false);
  });

  it("links to the dashboard on the alert's local day", () => {
    // 23:30 UTC on 14 February is already the 15th in Paris.
    expect(
      dashboardLink(
        "https://pw.example.org/",
        { deviceId: "shelly-a", channel: 2, atS: s("2026-02-14T23:30:00Z") },
        "Europe/Paris",
      ),
    ).toBe(
      "https://pw.example.org/?appareil=shelly-a&canal=2&periode=24h&jusqua=2026-02-15&du=2026-02-15&au=2026-02-15",
    );
    expect(
      dashboardLink("http://h", { deviceId: "x y", channel: null, atS: s("2026-02-14T23:30:00Z") }, "UTC"),
    ).toBe("http://h/?appareil=x+y&periode=24h&jusqua=2026-02-14&du=2026-02-14&au=2026-02-14");
  });

  it("the digest due after local midnight is yesterday's, with its local bounds (23 h on a spring-forward day)", () => {
    expect(digestDay(s("2026-03-29T22:00:00Z"), "Europe/Paris")).toEqual({
      day: "2026-03-29",
      startS: s("2026-03-28T23:00:00Z"),
      endS: s("2026-03-29T22:00:00Z"),
    });
    expect(digestDay(s("2026-03-29T21:59:59Z"), "Europe/Paris").day).toBe("2026-03-28");
    expect(dayBounds("2026-10-25", "Europe/Paris")).toEqual({
      startS: s("2026-10-24T22:00:00Z"),
      endS: s("2026-10-25T23:00:00Z"),
    });
  });
});
