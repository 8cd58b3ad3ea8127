import { describe, expect, it } from "vitest";
import {
  type AlertFilters,
  alertFiltersQuery,
  alertsApiParams,
  alertsOfDevice,
  readAlertFilters,
} from "./filters";

const toUrl = (f: AlertFilters) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(alertFiltersQuery(f))) if (v !== null) q.set(k, v);
  return q;
};

describe("the alerts page's filters in the URL", () => {
  it("defaults to every alert, newest 50, when the URL says nothing", () => {
    expect(readAlertFilters(new URLSearchParams(""))).toEqual({
      state: "all",
      device: "",
      channel: "",
      rule: "",
      from: "",
      to: "",
      limit: 50,
    });
    expect(toUrl(readAlertFilters(new URLSearchParams(""))).toString()).toBe("");
  });

  it("reads back every filter it wrote (round trip)", () => {
    const f: AlertFilters = {
      state: "acknowledged",
      device: "shellypro4pm-a",
      channel: "3",
      rule: "dry_run",
      from: "2026-02-01",
      to: "2026-02-10",
      limit: 150,
    };
    const q = toUrl(f);
    expect(q.get("etat")).toBe("acquittees");
    expect(q.get("regle")).toBe("dry_run");
    expect(readAlertFilters(q)).toEqual(f);
    for (const state of ["all", "open", "acknowledged", "resolved"] as const)
      expect(readAlertFilters(toUrl({ ...f, state })).state).toBe(state);
  });

  it("ignores garbage and keeps the period in order", () => {
    const f = readAlertFilters(
      new URLSearchParams("etat=perdue&canal=9&regle=drop&du=2026-03-01&au=2026-02-01&nombre=-5"),
    );
    expect(f).toMatchObject({ state: "all", channel: "", rule: "", from: "2026-02-01", to: "2026-02-01" });
    expect(f.limit).toBe(50);
    expect(readAlertFilters(new URLSearchParams("nombre=99999")).limit).toBe(1000);
    expect(readAlertFilters(new URLSearchParams("du=hier")).from).toBe("");
  });

  it("asks the API what the filters say, nothing for the empty ones", () => {
    expect(
      alertsApiParams(
        readAlertFilters(new URLSearchParams("etat=ouvertes&appareil=x&canal=0&du=2026-02-01")),
      ),
    ).toEqual({
      state: "open",
      device_id: "x",
      channel: "0",
      rule: null,
      from: "2026-02-01",
      to: null,
      limit: 50,
    });
  });

  it("links the dashboard's banner to the device's open alerts", () => {
    const link = alertsOfDevice("shelly a", "open");
    expect(link).toBe("/alertes?etat=ouvertes&appareil=shelly+a");
    expect(readAlertFilters(new URLSearchParams(link.split("?")[1]))).toMatchObject({
      state: "open",
      device: "shelly a",
    });
  });
});
