import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { get, query } from "../api/client";
import type { Device, Journal, JournalLine } from "../api/types";
import {
  type ChannelLine,
  type Columns,
  cyclesToColumns,
  fallback,
  type Metric,
  type Period,
  pngName,
  seriesToColumns,
} from "../charts/series";
import { timeTicks, valueLabels } from "../charts/ticks";
import { UPlotChart } from "../charts/uplot-chart";
import { Notice } from "../components/form";
import { useChart } from "../hooks/dashboard-data";
import { calendarDate, frenchDate, frenchDecimal, frenchNumber, frenchTime } from "../i18n/format";
import type { DashboardView } from "../state/filters";
import { site } from "../state/session";

export const COLORS = ["#2d8659", "#3498db", "#f39c12", "#e74c3c"];
const PERIODS: [Period, string][] = [
  ["24h", "24h"],
  ["7d", "7 jours"],
  ["30d", "30 jours"],
];
const UNIT = { power: "W", current: "A" } as const;
const AXIS = { power: "Puissance (W)", current: "Intensité (A)" } as const;
const HEIGHT = 360;

/** The window's days as the picker set them: the end is exclusive, so a day ending at midnight is that day. */
export function rangeDates(startS: number, endS: number, timeZone: string): string {
  const a = frenchDate(startS, timeZone);
  const b = frenchDate(endS - 1, timeZone);
  return a === b ? a : `${a} — ${b}`;
}

/**
 * "Activité électrique" of one device: power or current per channel, stepped, no fill, the pump drawn off
 * when it is off, cycles shaded; 24 h from the API's 5-minute buckets, 7 and 30 days from the cycles.
 */
export function ChartPanel(props: {
  device: Device;
  view: DashboardView;
  timeZone: string;
  /** false while the KPIs of a new view load: they come first on a slow link */
  enabled: boolean;
  setView: (changes: Record<string, string | null>) => void;
}) {
  const { device, view, timeZone } = props;
  // the automatic first choice, reset with the device (bug 32); a click writes the period into the URL
  const [auto, setAuto] = useState<{
    device: string;
    period: Period;
    message: "empty-24h" | "empty-7d" | null;
  }>({ device: device.device_id, period: "24h", message: null });
  const automatic = view.period === null;
  const current =
    auto.device === device.device_id
      ? auto
      : { device: device.device_id, period: "24h" as Period, message: null };
  const period: Period = view.period ?? current.period;
  const chart = useChart(device.device_id, view.channel, period, view.until, props.enabled);
  const chartRef = useRef<uPlot | null>(null);
  // the journal's written entries of the window, as markers on the chart and listed under it
  const tz = site.value.time_zone;
  const [journal, setJournal] = useState<JournalLine[]>([]);
  const windowKey = chart.data
    ? `${device.device_id}|${chart.data.series.start}|${chart.data.series.end}`
    : "";
  useEffect(() => {
    if (!chart.data) return;
    let gone = false;
    get<Journal>(
      `/api/journal${query({ device_id: device.device_id, from: chart.data.series.start, to: chart.data.series.end })}`,
    )
      .then((j) => !gone && setJournal(j.entries.filter((e) => !e.automatic)))
      .catch(() => !gone && setJournal([]));
    return () => {
      gone = true;
    };
  }, [windowKey]);
  const journalMarks = useMemo(() => journal.map((e) => Date.parse(e.at) / 1000), [journal]);
  const channels: ChannelLine[] = device.channels
    .filter((c) => view.channel === "" || String(c.channel) === view.channel)
    .map((c) => ({ channel: c.channel, name: c.name }));

  const built = useMemo(() => {
    const d = chart.data;
    if (!d) return null;
    const startS = Date.parse(d.series.start) / 1000;
    const endS = Date.parse(d.series.end) / 1000;
    const nowS = Math.min(endS, Date.now() / 1000);
    const columns: Columns =
      period === "24h"
        ? seriesToColumns(d.series, view.metric, channels)
        : cyclesToColumns(d.cycles, view.metric, channels, startS, endS, nowS);
    const spans = d.cycles
      .filter((c) => !c.noise)
      .map((c) => [Date.parse(c.start) / 1000, c.end ? Date.parse(c.end) / 1000 + 60 : nowS] as const);
    const withData =
      d.cycles.some((c) => !c.noise) || columns.slice(1).some((ys) => ys.some((y) => (y ?? 0) > 0));
    return { startS, endS, columns, spans, withData };
  }, [chart.data, view.metric, view.channel, period]);

  // the automatic widening happens once per device, on the automatic choice only
  useEffect(() => {
    if (!built || !automatic || chart.data?.period !== current.period || chart.data.until !== view.until)
      return;
    const f = fallback(current.period, true, built.withData);
    if (f.next) setAuto({ device: device.device_id, period: f.next, message: f.message });
    else if (f.message && current.message !== f.message)
      setAuto({ device: device.device_id, period: current.period, message: f.message });
  }, [built, automatic]);

  const spansRef = useRef<readonly (readonly [number, number])[]>([]);
  spansRef.current = built?.spans ?? [];
  const unit = UNIT[view.metric];
  const shape = `${view.metric}|${channels.map((c) => `${c.channel}:${c.name}`).join(",")}`;

  const options = (width: number): uPlot.Options => ({
    width,
    height: HEIGHT,
    padding: [12, 12, 0, 4],
    cursor: { drag: { x: true, y: false } },
    scales: {
      x: { time: false, auto: false },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    legend: { live: true },
    series: [
      {
        label: "Heure",
        value: (_u, v) => (v == null ? "-" : `${frenchDate(v, timeZone)} ${frenchTime(v, timeZone)}`),
      },
      ...channels.map((c, i) => ({
        label: `${c.name} (${unit})`,
        stroke: COLORS[i % COLORS.length] as string,
        width: 2.5,
        paths: uPlot.paths.stepped?.({ align: 1 }),
        points: { show: false },
        value: (_u: uPlot, v: number | null) => (v == null ? "-" : `${frenchDecimal(v, 1)} ${unit}`),
      })),
    ],
    axes: [
      {
        splits: (u, _i, min, max) =>
          timeTicks(min, max, Math.floor(u.bbox.width / devicePixelRatio / 80), timeZone).splits,
        values: (u, splits) => {
          const t = timeTicks(
            u.scales.x?.min ?? 0,
            u.scales.x?.max ?? 0,
            Math.floor(u.bbox.width / devicePixelRatio / 80),
            timeZone,
          );
          return splits.map((s) => t.labels[t.splits.indexOf(s)] ?? "");
        },
        size: 40,
      },
      {
        label: AXIS[view.metric],
        labelSize: 20,
        size: 60,
        values: (_u, splits) =>
          valueLabels(splits, frenchNumber, view.metric === "current" && Math.max(...splits) < 10 ? 1 : 0),
      },
    ],
    hooks: {
      drawClear: [
        (u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = "rgba(45, 134, 89, 0.13)";
          for (const [a, b] of spansRef.current) {
            const x0 = u.valToPos(a, "x", true);
            const x1 = u.valToPos(b, "x", true);
            const left = Math.max(u.bbox.left, x0);
            const right = Math.min(u.bbox.left + u.bbox.width, x1);
            if (right > left) ctx.fillRect(left, u.bbox.top, Math.max(1, right - left), u.bbox.height);
          }
          ctx.restore();
        },
      ],
    },
  });

  const rangeText = built
    ? `${frenchDate(built.startS, timeZone)} ${frenchTime(built.startS, timeZone)} — ${frenchDate(built.endS, timeZone)} ${frenchTime(built.endS, timeZone)}`
    : "";

  const exportPng = () => {
    const u = chartRef.current;
    if (!u || !built) return;
    const ratio = u.ctx.canvas.width / u.width;
    const pad = 16 * ratio;
    const legendRows = channels.length;
    const head = 70 * ratio + legendRows * 22 * ratio;
    const canvas = document.createElement("canvas");
    canvas.width = u.ctx.canvas.width + 2 * pad;
    canvas.height = u.ctx.canvas.height + head + pad;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#1a5738";
    ctx.font = `bold ${18 * ratio}px system-ui, sans-serif`;
    ctx.fillText(`Activité électrique — ${device.name} — ${AXIS[view.metric]}`, pad, pad + 16 * ratio);
    ctx.fillStyle = "#1f2933";
    ctx.font = `${14 * ratio}px system-ui, sans-serif`;
    ctx.fillText(`Période : ${rangeText}`, pad, pad + 40 * ratio);
    channels.forEach((c, i) => {
      const y = pad + 62 * ratio + i * 22 * ratio;
      ctx.fillStyle = COLORS[i % COLORS.length] as string;
      ctx.fillRect(pad, y - 10 * ratio, 24 * ratio, 4 * ratio);
      ctx.fillStyle = "#1f2933";
      ctx.fillText(`${c.name} (${unit})`, pad + 32 * ratio, y - 4 * ratio);
    });
    ctx.drawImage(u.ctx.canvas, pad, head);
    const a = document.createElement("a");
    a.href = canvas.toDataURL("image/png");
    a.download = pngName(device.name, view.metric, period, view.until || view.today);
    document.body.appendChild(a);
    a.click();
    a.remove();
  };

  const chooseUntil = (value: string) => {
    if (value && value > view.today) {
      window.alert("La date ne peut pas être dans le futur.");
      props.setView({ jusqua: null });
      return;
    }
    props.setView({ jusqua: value && value < view.today ? value : null });
  };

  const message = automatic ? current.message : null;
  return (
    <section class="card dash-section" aria-labelledby="chart-title" data-testid="chart-panel">
      <div class="chart-head">
        <div>
          <h2 id="chart-title">Activité électrique — {device.name}</h2>
          <p class="range" data-testid="chart-range">
            {built ? rangeDates(built.startS, built.endS, timeZone) : "…"}
          </p>
        </div>
        <div class="chart-controls">
          <label for="chart-until">Jusqu'au :</label>
          <input
            id="chart-until"
            type="date"
            value={view.until || view.today}
            max={view.today}
            onChange={(e) => chooseUntil((e.target as HTMLInputElement).value)}
          />
          <button
            type="button"
            class="button"
            title="Revenir à aujourd'hui"
            aria-label="Revenir à aujourd'hui"
            onClick={() => props.setView({ jusqua: null })}
          >
            ↻
          </button>
          <fieldset class="segmented">
            <legend class="visually-hidden">Période du graphique</legend>
            {PERIODS.map(([p, label]) => (
              <button
                key={p}
                type="button"
                aria-pressed={period === p}
                onClick={() => props.setView({ periode: p })}
              >
                {label}
              </button>
            ))}
          </fieldset>
          <button type="button" class="button" onClick={exportPng} disabled={!built}>
            Exporter PNG
          </button>
        </div>
      </div>
      <div class="segmented chart-tabs" role="tablist" aria-label="Mesure">
        {(["power", "current"] as Metric[]).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={view.metric === m}
            onClick={() => props.setView({ mesure: m === "current" ? "courant" : null })}
          >
            {m === "power" ? "Consommation électrique (W)" : "Courant (A)"}
          </button>
        ))}
      </div>
      {message === "empty-24h" && (
        <Notice kind="info">Aucune donnée sur les dernières 24h. Affichage étendu à 7 jours.</Notice>
      )}
      {message === "empty-7d" && (
        <Notice kind="info">
          Aucune donnée sur les 7 derniers jours.{" "}
          <button type="button" class="button" onClick={() => props.setView({ periode: "30d" })}>
            Essayer 30 jours
          </button>
        </Notice>
      )}
      {chart.error && <Notice kind="error">Erreur de chargement des données : {chart.error}</Notice>}
      {built && !built.withData && <p class="chart-empty">Aucune donnée pour cette période</p>}
      {built && (
        <UPlotChart
          shape={shape}
          options={options}
          data={built.columns}
          window={[built.startS, built.endS]}
          view={`${device.device_id}|${view.channel}|${period}|${view.until}`}
          height={HEIGHT}
          label={`${AXIS[view.metric]} de ${device.name}, ${rangeText}`}
          onChart={(u) => {
            chartRef.current = u;
          }}
          markers={journalMarks}
        />
      )}
      {built && journal.length > 0 && (
        <ul class="journal-marks" aria-label="Entrées du journal sur la période">
          {journal.map((e) => (
            <li key={e.id}>
              <span aria-hidden="true">▼ </span>
              {frenchDate(Date.parse(e.at) / 1000, tz)} {frenchTime(Date.parse(e.at) / 1000, tz)} — {e.text}
              {e.author ? ` (${e.author})` : ""}
            </li>
          ))}
        </ul>
      )}
      <p class="muted">
        Zones vertes : cycles de pompage.{" "}
        {period === "24h"
          ? "Pas de 5 minutes."
          : "Chaque cycle à sa puissance moyenne, de son début à sa fin."}{" "}
        Glisser pour zoomer, double-clic pour revenir.{" "}
        {view.until ? `Jusqu'au ${calendarDate(view.until)}.` : ""}
      </p>
    </section>
  );
}
