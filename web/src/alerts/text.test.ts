import { describe, expect, it } from "vitest";
import {
  backtestSentence,
  countOf,
  dashboardLink,
  figure,
  isoToSiteTime,
  parseThreshold,
  siteTimeToIso,
  whenOf,
} from "./text";

describe("the backtest preview sentence", () => {
  it("says what the candidate raises against the current value, in French", () => {
    expect(backtestSentence(3, 11)).toBe("Avec cette valeur : 3 alertes le mois dernier au lieu de 11.");
    expect(backtestSentence(1, 4)).toBe("Avec cette valeur : 1 alerte le mois dernier au lieu de 4.");
    expect(backtestSentence(0, 2)).toBe("Avec cette valeur : aucune alerte le mois dernier au lieu de 2.");
    expect(backtestSentence(5, 0)).toBe("Avec cette valeur : 5 alertes le mois dernier au lieu de aucune.");
    expect(backtestSentence(2, 2)).toBe(
      "Avec cette valeur : 2 alertes le mois dernier, autant qu'avec le seuil actuel.",
    );
  });

  it("counts the alerts of one rule on one channel only (null: the meter)", () => {
    const alerts = [
      { rule: "voltage", channel: 0 },
      { rule: "voltage", channel: 1 },
      { rule: "voltage", channel: 0 },
      { rule: "cycle_too_long", channel: 0 },
      { rule: "meter_offline", channel: null },
    ];
    expect(countOf(alerts, "voltage", 0)).toBe(2);
    expect(countOf(alerts, "voltage", 3)).toBe(0);
    expect(countOf(alerts, "meter_offline", null)).toBe(1);
    expect(countOf(alerts, "meter_offline", 0)).toBe(0);
  });
});

describe("figures and thresholds", () => {
  it("writes a value with the rule's unit and a decimal comma", () => {
    expect(figure(182.44, "voltage")).toBe("182,4 V");
    expect(figure(15, "meter_offline")).toBe("15 min");
    expect(figure(1234, "dry_run")).toBe("1 234 W");
    expect(figure(null, "voltage")).toBe("-");
    // a robust z-score has no unit: never the API's "z"
    expect(figure(3.5, "overload")).toBe("3,5 × l'écart habituel");
    expect(figure(Number.NaN, "voltage")).toBe("-");
  });

  it("reads a typed threshold with a comma or a point, refuses anything else", () => {
    expect(parseThreshold("3,5")).toBe(3.5);
    expect(parseThreshold(" 12 ")).toBe(12);
    expect(parseThreshold("1 200")).toBe(1200);
    for (const bad of ["", "0", "-3", "abc", "3,5,1", "1e3"]) expect(parseThreshold(bad)).toBeNull();
  });
});

describe("times on the site's clock", () => {
  it("turns a datetime-local value of the site into an instant and back, across DST", () => {
    expect(siteTimeToIso("2026-02-14T09:40", "Africa/Dakar")).toBe("2026-02-14T09:40:00.000Z");
    expect(siteTimeToIso("2026-02-14T09:40", "Europe/Paris")).toBe("2026-02-14T08:40:00.000Z");
    expect(siteTimeToIso("2026-07-14T09:40", "Europe/Paris")).toBe("2026-07-14T07:40:00.000Z");
    expect(siteTimeToIso("14/02/2026 09:40", "UTC")).toBeNull();
    expect(isoToSiteTime(Date.parse("2026-07-14T07:40:00Z"), "Europe/Paris")).toBe("2026-07-14T09:40");
  });

  it("writes when an alert started in French, in the site's zone", () => {
    expect(whenOf("2026-02-14T23:30:00Z", "Europe/Paris")).toBe("15/02/2026 à 00h30");
  });
});

describe("the dashboard at an alert's time", () => {
  const now = Date.parse("2026-02-20T12:00:00Z");
  it("opens the device, channel and days of a past alert, the chart on the day it started", () => {
    const link = dashboardLink(
      {
        device_id: "shelly-1",
        channel: 2,
        started_at: "2026-02-14T22:00:00Z",
        ended_at: "2026-02-15T03:00:00Z",
      },
      now,
      "UTC",
    );
    expect(new URLSearchParams(link.slice(2))).toEqual(
      new URLSearchParams(
        "appareil=shelly-1&canal=2&du=2026-02-14&au=2026-02-15&periode=24h&jusqua=2026-02-14",
      ),
    );
  });

  it("leaves the end and the chart at now for an alert of today still open, no channel for the meter", () => {
    const link = dashboardLink(
      { device_id: "m", channel: null, started_at: "2026-02-20T10:00:00Z", ended_at: null },
      now,
      "UTC",
    );
    expect(link).toBe("/?appareil=m&du=2026-02-20&periode=24h");
  });
});
