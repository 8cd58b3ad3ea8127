import { describe, expect, it } from "vitest";
import { readView } from "./filters";

const NOW = Date.parse("2026-02-14T23:30:00Z");

describe("dashboard view from the URL", () => {
  it("defaults to the last 30 days ending today in the site's zone, never empty (bug 10)", () => {
    const v = readView(new URLSearchParams(""), NOW, "Africa/Dakar");
    expect(v).toMatchObject({ from: "2026-01-15", to: "2026-02-14", device: "", channel: "", period: null });
    // Paris is already on the 15th at 23:30 UTC
    expect(readView(new URLSearchParams(""), NOW, "Europe/Paris").to).toBe("2026-02-15");
  });

  it("never ends in the future, never starts after its end, ignores garbage (bug 34)", () => {
    const v = readView(new URLSearchParams("du=2026-03-01&au=2030-01-01&jusqua=2030-01-01"), NOW, "UTC");
    expect(v.to).toBe("2026-02-14");
    expect(v.from).toBe("2026-02-14");
    expect(v.until).toBe("");
    const g = readView(new URLSearchParams("du=hier&au=2026-13-45&canal=7&tri=drop&periode=1y"), NOW, "UTC");
    expect(g).toMatchObject({ from: "2026-01-15", to: "2026-02-14", channel: "", sort: null, period: null });
  });

  it("reads back every part of a bookmarked view", () => {
    const q =
      "appareil=shelly-1&canal=2&du=2026-02-01&au=2026-02-10&periode=7d&jusqua=2026-02-10&mesure=courant&tri=duration_min&ordre=asc&bruit=1";
    expect(readView(new URLSearchParams(q), NOW, "UTC")).toEqual({
      today: "2026-02-14",
      device: "shelly-1",
      channel: "2",
      from: "2026-02-01",
      to: "2026-02-10",
      period: "7d",
      until: "2026-02-10",
      metric: "current",
      sort: "duration_min",
      order: "asc",
      noise: true,
    });
  });
});
