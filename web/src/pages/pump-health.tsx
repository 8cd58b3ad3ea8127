/**
 * « Santé des pompes » of one meter (issue 17): per lift pump, its measured flow per day (volumetric method)
 * against its baseline and the ±10 % band of pump_wear; per sump, the daily inflow as bars (rainy days stand
 * out); kWh/m³ per day; the split of runtime and starts between the pumps of a sump.
 */
import { useEffect, useMemo } from "preact/hooks";
import uPlot from "uplot";
import { firstStageHydraulicLoad } from "../../../src/domain/pump-health/hydraulic-load.js";
import { get, query } from "../api/client";
import type { PumpHealth } from "../api/types";
import type { Columns } from "../charts/series";
import { valueLabels } from "../charts/ticks";
import { UPlotChart } from "../charts/uplot-chart";
import { Notice, SelectField } from "../components/form";
import { Link } from "../components/link";
import { useDevices, useSites } from "../hooks/dashboard-data";
import { useLive } from "../hooks/use-live";
import { dateTimeOf, frenchNumber, isoDateIn } from "../i18n/format";
import { fr } from "../i18n/fr";
import { addDays } from "../state/filters";
import { useLiveTick } from "../state/live";
import { location, setQuery } from "../state/router";
import { site } from "../state/session";

const PERIODS = [
  { value: "30", label: "30 derniers jours" },
  { value: "90", label: "90 derniers jours" },
  { value: "365", label: "12 derniers mois" },
];
const COLORS = ["#0f766e", "#b45309", "#1d4ed8", "#7c3aed"];
/** pump_wear's default: the band the measured flow should stay in */
const BAND = 0.1;
const ENERGY_STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

const dayLabel = (date: string | undefined) => (date ? `${date.slice(8, 10)}/${date.slice(5, 7)}` : "");
const num = (v: number | null | undefined, d: number) =>
  v === null || v === undefined ? "-" : frenchNumber(v, d);

function dayAxis(dates: string[]): uPlot.Axis {
  return {
    splits: (u) => {
      const every = Math.max(
        1,
        Math.ceil(dates.length / Math.max(2, Math.floor(u.bbox.width / devicePixelRatio / 60))),
      );
      return dates.map((_, i) => i).filter((i) => i % every === 0);
    },
    values: (_u, splits) => splits.map((i) => dayLabel(dates[i])),
  };
}

/**
 * Tick labels with the decimals of the step: the shortest distinct labels (valueLabels) round a 0.05 step to
 * « 0,0 » and « 0,1 », which misreads the axis by half.
 */
function tickLabels(splits: number[]): string[] {
  const step = splits.length > 1 ? Math.abs((splits[1] as number) - (splits[0] as number)) : 1;
  const decimals = step > 0 ? Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)) : 0;
  return valueLabels(splits, frenchNumber, decimals);
}

const valueAxis = (label: string, scale: string): uPlot.Axis => ({
  scale,
  label,
  labelSize: 20,
  size: 56,
  values: (_u, s) => tickLabels(s),
});

/** Measured flow per day, the baseline and its ±10 % band. */
function FlowChart(props: { health: PumpHealth; name: string; color: string; view: string }) {
  const { health } = props;
  const dates = health.days.map((d) => d.date);
  const base = health.baseline_flow_m3h;
  const data: Columns = [
    dates.map((_, i) => i),
    health.days.map((d) => d.measured_flow_m3h),
    dates.map(() => base),
    dates.map(() => (base === null ? null : base * (1 + BAND))),
    dates.map(() => (base === null ? null : base * (1 - BAND))),
  ];
  const options = (width: number): uPlot.Options => ({
    width,
    height: 220,
    padding: [12, 8, 0, 4],
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, auto: false },
      q: {
        range: (_u, min, max) => {
          const lo = Math.min(min, base === null ? min : base * (1 - BAND));
          const hi = Math.max(max, base === null ? max : base * (1 + BAND));
          const pad = Math.max(0.5, (hi - lo) * 0.15);
          return [Math.max(0, lo - pad), hi + pad];
        },
      },
    },
    bands: base === null ? [] : [{ series: [3, 4], fill: "rgba(15, 118, 110, 0.10)" }],
    series: [
      { label: "Jour", value: (_u, v) => (v == null ? "-" : dayLabel(dates[Math.round(v)])) },
      {
        label: "Débit mesuré (m³/h)",
        scale: "q",
        stroke: props.color,
        width: 2,
        spanGaps: false,
        points: { show: true, size: 6, fill: props.color },
        value: (_u, v) => (v == null ? "-" : `${frenchNumber(v, 1)} m³/h`),
      },
      {
        label: "Référence",
        scale: "q",
        stroke: "#475569",
        width: 1.5,
        dash: [6, 4],
        points: { show: false },
        value: (_u, v) => (v == null ? "-" : `${frenchNumber(v, 1)} m³/h`),
      },
      {
        label: "+10 %",
        scale: "q",
        stroke: "rgba(71, 85, 105, 0.35)",
        width: 1,
        points: { show: false },
        value: (_u, v) => (v == null ? "-" : `${frenchNumber(v, 1)} m³/h`),
      },
      {
        label: "−10 %",
        scale: "q",
        stroke: "rgba(185, 28, 28, 0.6)",
        width: 1,
        points: { show: false },
        value: (_u, v) => (v == null ? "-" : `${frenchNumber(v, 1)} m³/h`),
      },
    ],
    axes: [dayAxis(dates), valueAxis("débit mesuré, m³/h", "q")],
  });
  return (
    <UPlotChart
      shape={`flow|${health.channel}|${dates.length}|${base}`}
      options={options}
      data={data}
      window={[-0.5, dates.length - 0.5]}
      view={props.view}
      height={220}
      label={`Débit mesuré par jour de ${props.name}${base === null ? "" : `, référence ${frenchNumber(base, 1)} m³/h`}`}
    />
  );
}

/** The sump's daily inflow as bars. */
function InflowChart(props: { health: PumpHealth; view: string; sump: string }) {
  const dates = props.health.days.map((d) => d.date);
  const data: Columns = [dates.map((_, i) => i), props.health.days.map((d) => d.inflow_m3)];
  const options = (width: number): uPlot.Options => ({
    width,
    height: 200,
    padding: [12, 8, 0, 4],
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, auto: false }, m3: { range: (_u, _a, max) => [0, max > 0 ? max * 1.1 : 1] } },
    series: [
      { label: "Jour", value: (_u, v) => (v == null ? "-" : dayLabel(dates[Math.round(v)])) },
      {
        label: "Arrivée d'eau (m³)",
        scale: "m3",
        fill: "rgba(29, 78, 216, 0.45)",
        stroke: "#1d4ed8",
        paths: uPlot.paths.bars?.({ size: [0.7, 40] }),
        points: { show: false },
        value: (_u, v) => (v == null ? "-" : `${frenchNumber(v, 1)} m³`),
      },
    ],
    axes: [dayAxis(dates), valueAxis("m³ par jour", "m3")],
  });
  const total = props.health.days.reduce((s, d) => s + (d.inflow_m3 ?? 0), 0);
  return (
    <UPlotChart
      shape={`inflow|${props.sump}|${dates.length}`}
      options={options}
      data={data}
      window={[-0.5, dates.length - 0.5]}
      view={props.view}
      height={200}
      label={`Arrivée d'eau par jour dans la bâche ${props.sump} : ${frenchNumber(total, 0)} m³ sur la période`}
    />
  );
}

/** kWh per m³ pumped, per day and pump. */
function EnergyChart(props: { pumps: { name: string; health: PumpHealth; color: string }[]; view: string }) {
  const first = props.pumps[0]?.health;
  if (!first) return null;
  const dates = first.days.map((d) => d.date);
  const data: Columns = [
    dates.map((_, i) => i),
    ...props.pumps.map((p) => p.health.days.map((d) => d.kwh_per_m3)),
  ];
  const options = (width: number): uPlot.Options => ({
    width,
    height: 180,
    padding: [12, 8, 0, 4],
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, auto: false }, e: { range: (_u, _a, max) => [0, max > 0 ? max * 1.2 : 1] } },
    series: [
      { label: "Jour", value: (_u, v) => (v == null ? "-" : dayLabel(dates[Math.round(v)])) },
      ...props.pumps.map((p) => ({
        label: p.name,
        scale: "e",
        stroke: p.color,
        width: 2,
        points: { show: dates.length <= 45, size: 5, fill: p.color },
        value: (_u: uPlot, v: number | null) => (v == null ? "-" : `${frenchNumber(v, 3)} kWh/m³`),
      })),
    ],
    // steps of 1, 2 or 5: a 0.025 step would be labelled 0,03 at two decimals
    axes: [dayAxis(dates), { ...valueAxis("kWh par m³", "e"), incrs: ENERGY_STEPS }],
  });
  return (
    <UPlotChart
      shape={`energy|${props.pumps.map((p) => p.health.channel).join(",")}|${dates.length}`}
      options={options}
      data={data}
      window={[-0.5, dates.length - 0.5]}
      view={props.view}
      height={180}
      label="Énergie par m³ relevé, par jour et par pompe"
    />
  );
}

interface Pump {
  channel: number;
  name: string;
  color: string;
  health: PumpHealth;
}

function periodTotals(h: PumpHealth) {
  let starts = 0;
  let runtime = 0;
  let energy = 0;
  let pumped = 0;
  for (const d of h.days) {
    starts += d.starts;
    runtime += d.runtime_min;
    energy += d.energy_kwh;
    pumped += d.pumped_m3 ?? 0;
  }
  return { starts, runtime, energy, pumped };
}

/** The first stage's hydraulic load from the sump's daily inflow, beside the site's nominal load. */
function StageLoad(props: { health: PumpHealth; stage: Stage | null }) {
  const t = fr.hydraulicLoad;
  const stage = props.stage;
  if (stage === null) return null;
  if (stage.surfaceM2 === null) return <p class="note">{t.noSurface}</p>;
  const load = firstStageHydraulicLoad(
    props.health.days.map((d) => d.inflow_m3),
    stage.surfaceM2,
    stage.populationEquivalent,
  );
  if (load.medianMPerDay === null || load.maxMPerDay === null) return <p class="note">{t.noInflow}</p>;
  return (
    <p class="note" data-testid="stage-load">
      {t.measured(num(stage.surfaceM2, 0), num(load.medianMPerDay, 3), num(load.maxMPerDay, 3))}{" "}
      {load.nominalMPerDay === null || stage.populationEquivalent === null
        ? t.noEh
        : t.nominal(num(load.nominalMPerDay, 3), num(stage.populationEquivalent, 0), load.daysAboveNominal)}
    </p>
  );
}

/** The site's first filter stage, when the meter is on a site: its surface (null: not entered) and EH. */
interface Stage {
  surfaceM2: number | null;
  populationEquivalent: number | null;
}

function SumpSection(props: { sump: string; pumps: Pump[]; view: string; stage: Stage | null }) {
  const { pumps } = props;
  const totals = pumps.map((p) => periodTotals(p.health));
  const allRuntime = totals.reduce((s, t) => s + t.runtime, 0);
  const allStarts = totals.reduce((s, t) => s + t.starts, 0);
  const share = (v: number, all: number) => (all > 0 ? `${frenchNumber((100 * v) / all, 0)} %` : "-");
  const first = pumps[0] as Pump;
  const measured = pumps.some((p) => p.health.days.some((d) => d.measured_flow_m3h !== null));
  return (
    <section class="card dash-section" aria-labelledby={`sump-${props.sump}`} data-testid="sump-section">
      <h2 id={`sump-${props.sump}`}>
        Bâche {props.sump} — {pumps.map((p) => p.name).join(", ")}
      </h2>
      {!measured && (
        <p class="note" data-testid="no-sump-volume">
          Aucun débit mesuré : renseignez le <strong>volume utile de la bâche</strong> (surface × distance
          entre les flotteurs) dans la configuration des canaux.
        </p>
      )}
      <div class="table-scroll">
        <table class="data-table" data-testid="duty-split">
          <caption>Répartition du travail entre les pompes de la bâche</caption>
          <thead>
            <tr>
              <th scope="col">Pompe</th>
              <th scope="col">Référence</th>
              <th scope="col">Écart (7 j)</th>
              <th scope="col">Démarrages</th>
              <th scope="col">Temps de marche</th>
              <th scope="col">Eau relevée</th>
              <th scope="col">kWh/m³</th>
            </tr>
          </thead>
          <tbody>
            {pumps.map((p, i) => {
              const t = totals[i] as ReturnType<typeof periodTotals>;
              const change = p.health.flow_change_percent;
              return (
                <tr key={p.channel}>
                  <th scope="row">
                    <span class="swatch" style={{ background: p.color }} aria-hidden="true" /> {p.name}
                  </th>
                  <td>
                    {p.health.baseline_flow_m3h === null
                      ? "en apprentissage"
                      : `${num(p.health.baseline_flow_m3h, 1)} m³/h`}
                  </td>
                  <td class={change !== null && change <= -10 ? "is-bad" : undefined}>
                    {change === null ? "-" : `${change > 0 ? "+" : ""}${num(change, 1)} %`}
                  </td>
                  <td>
                    {num(t.starts, 0)} ({share(t.starts, allStarts)})
                  </td>
                  <td>
                    {num(t.runtime / 60, 1)} h ({share(t.runtime, allRuntime)})
                  </td>
                  <td>{num(t.pumped, 0)} m³</td>
                  <td>{t.pumped > 0 ? num(t.energy / t.pumped, 3) : "-"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pumps.map((p) => (
        <div key={p.channel} class="health-chart">
          <h3>Débit mesuré par jour — {p.name}</h3>
          <FlowChart health={p.health} name={p.name} color={p.color} view={props.view} />
        </div>
      ))}
      <div class="health-chart">
        <h3>Arrivée d'eau par jour</h3>
        <InflowChart health={first.health} view={props.view} sump={props.sump} />
      </div>
      {props.stage && (
        <div class="health-chart">
          <h3>{fr.hydraulicLoad.title}</h3>
          <StageLoad health={first.health} stage={props.stage} />
        </div>
      )}
      <div class="health-chart">
        <h3>Énergie par m³ relevé</h3>
        <EnergyChart pumps={pumps} view={props.view} />
      </div>
    </section>
  );
}

export function PumpHealthPage() {
  const tz = site.value.time_zone;
  const q = location.value.query;
  const devices = useDevices();
  const sites = useSites();
  const list = devices.data?.devices ?? null;
  const deviceId = q.get("appareil") ?? list?.[0]?.device_id ?? "";
  const period = PERIODS.some((p) => p.value === q.get("periode")) ? (q.get("periode") as string) : "30";
  const device = list?.find((d) => d.device_id === deviceId) ?? null;
  const lifts = useMemo(() => (device?.channels ?? []).filter((c) => c.pump_type === "relevage"), [device]);
  const to = isoDateIn(Date.now(), tz);
  const from = addDays(to, 1 - Number(period));
  const view = `${deviceId}|${from}|${to}`;
  // Read again at each live tick: figures the service is still computing (a configuration change, a
  // backfill) complete themselves on screen, as the notice promises.
  useEffect(() => useLiveTick(), []);
  const health = useLive(
    deviceId && lifts.length > 0 ? `${view}|${lifts.map((c) => c.channel).join(",")}` : null,
    (signal) =>
      Promise.all(
        lifts.map((c) =>
          get<PumpHealth>(
            `/api/pump-health${query({ device_id: deviceId, channel: c.channel, from, to })}`,
            signal,
          ),
        ),
      ),
  );
  const sumps = useMemo(() => {
    const out = new Map<string, Pump[]>();
    (health.data ?? []).forEach((h, i) => {
      const c = lifts[i];
      if (!c || h.channel !== c.channel) return;
      const pumps = out.get(h.sump) ?? [];
      pumps.push({ channel: c.channel, name: c.name, color: COLORS[i % COLORS.length] as string, health: h });
      out.set(h.sump, pumps);
    });
    return [...out.entries()];
  }, [health.data, lifts]);

  // the first filter stage of the meter's site, which receives what its lift station pumps
  const siteOfMeter = sites.data?.sites.find((x) => x.device_ids.includes(deviceId)) ?? null;
  const stage: Stage | null =
    siteOfMeter === null
      ? null
      : {
          surfaceM2: siteOfMeter.filter_stage_surfaces_m2[0] ?? null,
          populationEquivalent: siteOfMeter.population_equivalent,
        };
  // the oldest pending change among the pumps read: their figures are provisional until it is taken in
  const pendingSince =
    (health.data ?? [])
      .flatMap((h) => (h.refreshing && h.pending_since ? [h.pending_since] : []))
      .sort()[0] ?? null;

  return (
    <section class="page pump-health" aria-labelledby="health-title">
      <h1 id="health-title">{fr.nav.pumpHealth}</h1>
      <p class="page__intro">
        Débit réellement relevé par chaque pompe, mesuré par la méthode volumétrique : le volume utile de la
        bâche et la durée de chaque remplissage et de chaque marche. Une pompe qui s'use perd du débit : ses
        marches s'allongent, elle sort de la bande de ±10 % autour de sa référence.
      </p>
      <form class="card dash-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filtres">
        <SelectField
          id="health-device"
          label="Appareil"
          value={deviceId}
          onValue={(v) => setQuery({ appareil: v || null }, { push: true })}
          options={(list ?? []).map((d) => ({ value: d.device_id, label: d.name }))}
        />
        <SelectField
          id="health-period"
          label="Période"
          value={period}
          onValue={(v) => setQuery({ periode: v === "30" ? null : v }, { push: true })}
          options={PERIODS}
        />
      </form>
      {(devices.error ?? health.error) && <Notice kind="error">{devices.error ?? health.error}</Notice>}
      {pendingSince && <Notice kind="info">{fr.refreshing.dashboard(dateTimeOf(pendingSince, tz))}</Notice>}
      {device && lifts.length === 0 && (
        <p class="note" data-testid="no-lift-pump">
          Aucun canal de cet appareil n'est une pompe de relevage : rien à mesurer.{" "}
          <Link href={`/?appareil=${encodeURIComponent(deviceId)}`}>Retour au tableau de bord</Link>
        </p>
      )}
      {health.loading && !health.data && <p class="boot">{fr.loading}</p>}
      {sumps.map(([sump, pumps]) => (
        <SumpSection key={sump} sump={sump} pumps={pumps} view={view} stage={stage} />
      ))}
    </section>
  );
}
