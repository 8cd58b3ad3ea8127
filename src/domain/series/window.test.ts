import { describe, expect, it } from "vitest";
import { seriesWindow } from "./window.js";

const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (s: number) => new Date(s * 1000).toISOString();

describe("seriesWindow", () => {
  it("bug 21: at 20:43 UTC with no end date, the 24 h window is [yesterday 20:43, today 20:43]", () => {
    const w = seriesWindow("24h", { kind: "now", nowS: at("2026-02-19T20:43:00Z") }, "UTC");
    expect(iso(w.startS)).toBe("2026-02-18T20:43:00.000Z");
    expect(iso(w.endS)).toBe("2026-02-19T20:43:00.000Z");
  });

  it("bug 22: end date 2026-02-18 with 24 h covers that whole day", () => {
    const w = seriesWindow("24h", { kind: "day", date: "2026-02-18" }, "UTC");
    expect(iso(w.startS)).toBe("2026-02-18T00:00:00.000Z");
    expect(iso(w.endS)).toBe("2026-02-19T00:00:00.000Z");
    expect(w.bucketStartsS).toHaveLength(288);
  });

  it("bug 26: buckets fall on :00/:05 for 24 h, whole hours for 7 d, 00/06/12/18 h for 30 d", () => {
    const now = { kind: "now" as const, nowS: at("2026-02-19T20:43:17Z") };
    const day = seriesWindow("24h", now, "UTC");
    expect(day.bucketSeconds).toBe(300);
    expect(iso(day.bucketStartsS[0] ?? 0)).toBe("2026-02-18T20:40:00.000Z");
    expect(day.bucketStartsS.every((t) => t % 300 === 0)).toBe(true);
    expect(day.bucketStartsS).toHaveLength(289);
    const week = seriesWindow("7d", now, "UTC");
    expect(week.bucketStartsS.every((t) => t % 3600 === 0)).toBe(true);
    const month = seriesWindow("30d", now, "UTC");
    expect(month.bucketStartsS.map((t) => new Date(t * 1000).getUTCHours())).toSatisfy((hours: number[]) =>
      hours.every((h) => [0, 6, 12, 18].includes(h)),
    );
  });

  it("aligns 6 h buckets on local midnight, and a date ends at local midnight, in Europe/Paris", () => {
    const w = seriesWindow("30d", { kind: "day", date: "2026-07-10" }, "Europe/Paris");
    expect(iso(w.endS)).toBe("2026-07-10T22:00:00.000Z");
    expect(w.bucketStartsS.every((t) => (t - w.originS) % (6 * 3600) === 0)).toBe(true);
    expect(new Date(((w.bucketStartsS[0] ?? 0) + 2 * 3600) * 1000).getUTCHours() % 6).toBe(0);
  });
});
