import { describe, expect, it } from "vitest";
import { simulateFleet, type WetWellTruth } from "../../simulator/index.js";
import { call, chromiumPath, SKIP_REASON, screenshots } from "./browser";
import { ingestAll, useBrowserSuite } from "./suite";

// « Santé des pompes »: the simulator's wet well (two pumps of one sump; PR2 wears from 20 to 15 m³/h over the
// 21 days; day 17 is rainy), configured with the sump's volume, then the page of the meter.

const chromium = chromiumPath();
if (!chromium) console.warn(SKIP_REASON);
const DAY_MS = 86_400_000;
const NOT_FRENCH = /\b(NaN|Invalid Date|undefined|null|pump_wear|inflow_high|relevage)\b/;

describe.skipIf(!chromium)("the pump health page", () => {
  let deviceId = "";
  let truth: WetWellTruth;
  const suite = useBrowserSuite({
    timeout: 400_000,
    async fill(server) {
      const end = Math.floor((Date.now() - 3_600_000) / 86_400_000) * DAY_MS + 12 * 3_600_000;
      const sim = simulateFleet({
        seed: 17,
        devices: 1,
        days: 21,
        start: new Date(end - 21 * DAY_MS),
        liftPattern: "wetwell",
        wetWell: {
          volumeM3: 2.4,
          meanInflowM3h: 2,
          flowM3h: [20, 20],
          wear: { channel: 1, toM3h: 15 },
          rainyDays: [17],
        },
      });
      deviceId = sim.devices[0]?.id ?? "";
      truth = sim.plan.devices[0]?.wetWell as WetWellTruth;
      await ingestAll(server, sim.batches(1000));
    },
  });

  it("shows each pump's measured flow against its baseline, the daily inflow and the duty split", async () => {
    const { page: p, problems } = await suite.page();
    expect(
      (await call(p, "PUT", `/api/admin/devices/${deviceId}`, { name: "Station des Roseaux" })).status,
    ).toBe(200);
    const from = new Date(Date.now() - 30 * DAY_MS).toISOString().slice(0, 10);
    for (const [ch, name] of [
      [0, "PR1"],
      [1, "PR2"],
    ] as const) {
      const r = await call(p, "POST", `/api/admin/channels/${deviceId}/${ch}/versions`, {
        effective_from: from,
        name,
        pump_type: "relevage",
        flow_rate_m3h: 20,
        sump: "1",
        sump_volume_m3: truth.volumeM3,
      });
      expect(r.status).toBe(201);
    }
    // The new sump volume has the meter's cycles computed again: the page reads again at each tick (here every
    // second) until its figures are complete, as its notice says.
    await p.addInitScript(() => localStorage.setItem("pumpwatch.refresh_ms", "1000"));
    // from the dashboard of the meter
    await p.goto(`/?appareil=${encodeURIComponent(deviceId)}`);
    await p.getByRole("link", { name: "Santé des pompes de Station des Roseaux" }).click();
    await p.waitForURL((u) => u.pathname === "/sante");
    await p.getByRole("heading", { name: "Santé des pompes", level: 1 }).waitFor();
    const split = p.getByTestId("duty-split");
    await split.waitFor({ timeout: 120_000 });
    await expect
      .poll(() => p.getByText("Calcul des cycles en cours").count(), { timeout: 180_000, interval: 500 })
      .toBe(0);
    const rows = split.locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    // PR1 keeps its 20 m³/h: its reference is within 3 % of the truth
    const pr1 = (await rows.nth(0).locator("td").first().textContent()) ?? "";
    const reference = Number(/(\d+,\d) m³\/h/.exec(pr1)?.[1]?.replace(",", "."));
    expect(reference).toBeGreaterThan(20 * 0.97);
    expect(reference).toBeLessThan(20 * 1.03);
    // PR2 has worn: its last week is well below its reference, shown in red
    const pr2Change = rows.nth(1).locator("td.is-bad");
    expect(await pr2Change.count()).toBe(1);
    // the charts: one flow chart per pump, the inflow bars, kWh/m³
    expect(await p.locator(".pump-health .uplot").count()).toBe(4);
    expect(await p.getByText("Arrivée d'eau par jour").isVisible()).toBe(true);
    const body = (await p.locator("main").textContent()) ?? "";
    expect(body).not.toMatch(NOT_FRENCH);
    await screenshots(p, "sante-des-pompes");
    expect(problems).toEqual([]);
  }, 240_000);

  // Runs after the test above, which configured the sump (PR1, PR2, its volume).
  it("puts « Usure de pompe » and « Arrivée d'eau forte » on the rules screen, learned from the well and editable", async () => {
    const { page: p, problems } = await suite.page();
    await p.goto(`/alertes/regles/${encodeURIComponent(deviceId)}`);
    const rowOf = (pump: string, rule: string) =>
      p
        .getByTestId("rules-card")
        .filter({ has: p.getByRole("heading", { name: new RegExp(`^${pump}\\b`) }) })
        .locator(`[data-testid="rule-row"][data-rule="${rule}"]`);
    await expect.poll(() => rowOf("PR2", "pump_wear").count(), { timeout: 120_000 }).toBe(1);
    expect(await rowOf("PR1", "pump_wear").count()).toBe(1);
    // the sump's inflow is judged once, on its first pump
    expect(await rowOf("PR1", "inflow_high").count()).toBe(1);
    expect(await rowOf("PR2", "inflow_high").count()).toBe(0);

    // The learned thresholds against the simulator's truth, not against our own formulas: pump_wear is 0.9 × the
    // pump's reference flow (the median of its first 14 days' median real flow), inflow_high 1.5 × the 20th
    // percentile of the daily inflow.
    const dailyMedians = (channel: number) => {
      const perDay = new Map<string, number[]>();
      for (const r of truth.runs.filter((x) => x.channel === channel)) {
        const day = new Date(r.start * 1000).toISOString().slice(0, 10);
        (perDay.get(day) ?? perDay.set(day, []).get(day) ?? []).push(r.flowM3h);
      }
      return [...perDay.values()].map(median);
    };
    const reference = (channel: number) => median(dailyMedians(channel).slice(0, 14));
    const inflows = truth.days.map((d) => d.inflowM3).sort((a, b) => a - b);
    const p20 = inflows[Math.ceil(0.2 * inflows.length) - 1] as number;
    const rules = (await call(p, "GET", `/api/alerts/rules/${deviceId}`)).json.rules as {
      rule: string;
      channel: number;
      learned_threshold: number | null;
      source: string;
    }[];
    const learned = (rule: string, channel: number) =>
      rules.find((r) => r.rule === rule && r.channel === channel)?.learned_threshold ?? Number.NaN;
    expect(Math.abs(learned("pump_wear", 1) / (0.9 * reference(1)) - 1)).toBeLessThan(0.03);
    expect(Math.abs(learned("pump_wear", 0) / (0.9 * reference(0)) - 1)).toBeLessThan(0.03);
    expect(Math.abs(learned("inflow_high", 0) / (1.5 * p20) - 1)).toBeLessThan(0.1);

    // shown in French with their unit, learned
    const wear = rowOf("PR2", "pump_wear");
    // one decimal, none when it rounds to a whole number
    const french = (v: number) =>
      Number.isInteger(Math.round(v * 10) / 10) ? v.toFixed(0) : v.toFixed(1).replace(".", ",");
    const shown = (v: number, unit: string) => `${french(v)} ${unit}`;
    expect((await wear.textContent()) ?? "").toContain("Usure de pompe");
    expect((await wear.textContent()) ?? "").toContain(shown(learned("pump_wear", 1), "m³/h"));
    expect((await wear.textContent()) ?? "").toMatch(/appris/);
    const inflow = rowOf("PR1", "inflow_high");
    expect((await inflow.textContent()) ?? "").toContain("Arrivée d'eau forte");
    expect((await inflow.textContent()) ?? "").toMatch(/\d+(,\d)? m³.*appris/);
    expect((await p.locator("main").textContent()) ?? "").not.toMatch(NOT_FRENCH);

    // editable like the others: an operator's 15 m³/h replaces the learned value, which stays beside it
    await wear.getByRole("button", { name: "Modifier Usure de pompe (PR2)" }).click();
    const threshold = p.getByLabel("Seuil (m³/h)");
    expect(await threshold.inputValue()).toBe(french(learned("pump_wear", 1)));
    await threshold.fill("15");
    await p.getByRole("button", { name: "Enregistrer" }).click();
    await expect.poll(() => p.getByText("Usure de pompe (PR2) : enregistré.").isVisible()).toBe(true);
    expect((await wear.textContent()) ?? "").toMatch(/Usure de pompe.*15 m³\/h.*forcé/);
    const after = (await call(p, "GET", `/api/alerts/rules/${deviceId}`)).json.rules as {
      rule: string;
      channel: number;
      threshold: number;
      source: string;
    }[];
    expect(after.find((r) => r.rule === "pump_wear" && r.channel === 1)).toMatchObject({
      threshold: 15,
      source: "override",
    });
    await screenshots(p, "alertes-regles-sante");
    expect(problems).toEqual([]);
  });

  // Runs after the first test, which configured the sump.
  it("puts the first filter stage's hydraulic load beside the site's nominal load", async () => {
    const { page: p, problems } = await suite.page();
    // 60 EH, a first stage of 48 m²: nominal 60 × 0.15 m³/d / 48 m² = 0.1875 m/d (« 0,188 m/j »)
    const site = await call(p, "POST", "/api/admin/sites", {
      name: "Station des Roseaux",
      time_zone: "UTC",
      population_equivalent: 60,
      filter_stage_surfaces_m2: [48, 30],
    });
    expect(site.status).toBe(201);
    const placed = await call(p, "PUT", `/api/admin/devices/${deviceId}/site`, { site_id: site.json.id });
    expect(placed.status).toBe(200);
    await p.goto(`/sante?appareil=${encodeURIComponent(deviceId)}`);
    const line = p.getByTestId("stage-load");
    await line.waitFor({ timeout: 120_000 });
    const text = (await line.textContent()) ?? "";
    expect(text).toContain("48 m² du 1er étage");
    expect(text).toContain("Charge nominale du site : 0,188 m/j (60 EH × 150 L/j sur la même surface)");
    // the measured median against the simulator's truth: its days' inflow over 48 m² (the measured days are
    // within 5 % of the truth on 9 days in 10; the median is within that)
    const measured = Number(/médiane (\d+,\d+) m\/j/.exec(text)?.[1]?.replace(",", "."));
    const truthMedian = median(truth.days.map((d) => d.inflowM3)) / 48;
    expect(Math.abs(measured / truthMedian - 1)).toBeLessThan(0.05);
    // about 48 m³ a day on 48 m² is about 1 m/d, far above the nominal 0.19 m/d: every measured day is above
    expect(text).toMatch(/\d+ jours au-dessus\./);
    expect(text).not.toMatch(NOT_FRENCH);
    await screenshots(p, "sante-des-pompes-charge");
    expect(problems).toEqual([]);
  });
});

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
