import { useMemo } from "preact/hooks";
import uPlot from "uplot";
import type { Cycle } from "../api/types";
import { type Columns, dailyBars, datesBetween, volumesNeedFlowRate } from "../charts/series";
import { COUNT_INCREMENTS, valueLabels } from "../charts/ticks";
import { UPlotChart } from "../charts/uplot-chart";
import { Link } from "../components/link";
import { frenchNumber } from "../i18n/format";

/** m³ per day (bars) and cycles per day (steps) of the lift channels over the filter period. */
export function DailyPanel(props: {
  cycles: Cycle[] | null;
  from: string;
  to: string;
  /** a channel of the view has no flow rate (or no type): its volume cannot be counted */
  unconfigured: boolean;
  isAdmin: boolean;
}) {
  const { cycles, from, to } = props;
  const bars = useMemo(() => (cycles ? dailyBars(cycles, datesBetween(from, to)) : null), [cycles, from, to]);
  if (!bars || !cycles) return null;
  if (volumesNeedFlowRate(cycles, props.unconfigured)) {
    return (
      <section class="card dash-section" aria-labelledby="daily-title" data-testid="daily-panel">
        <h2 id="daily-title">Volumes journaliers (postes de relevage)</h2>
        <p class="note" data-testid="daily-no-flow-rate">
          <strong>Débit non configuré</strong> : sans débit, la durée de marche des pompes de relevage ne
          donne aucun volume.{" "}
          {props.isAdmin ? (
            <Link href="/admin/appareils">Configurer le débit des canaux</Link>
          ) : (
            "Demandez à un administrateur de le configurer."
          )}
        </p>
      </section>
    );
  }
  const total = bars.reduce((s, b) => s + b.volumeM3, 0);
  const data: Columns = [bars.map((_, i) => i), bars.map((b) => b.volumeM3), bars.map((b) => b.cycles)];
  const label = (i: number) => {
    const d = bars[i]?.date;
    return d ? `${d.slice(8, 10)}/${d.slice(5, 7)}` : "";
  };
  const options = (width: number): uPlot.Options => ({
    width,
    height: 240,
    padding: [12, 8, 0, 4],
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, auto: false },
      m3: { range: (_u, _a, max) => [0, max > 0 ? max * 1.1 : 1] },
      n: { range: (_u, _a, max) => [0, max > 0 ? max * 1.2 : 1] },
    },
    series: [
      { label: "Jour", value: (_u, v) => (v == null ? "-" : label(Math.round(v))) },
      {
        label: "Volume (m³)",
        scale: "m3",
        fill: "rgba(13, 148, 136, 0.55)",
        stroke: "#0f766e",
        paths: uPlot.paths.bars?.({ size: [0.7, 40] }),
        points: { show: false },
        value: (_u, v) => (v == null ? "-" : `${frenchNumber(v, 1)} m³`),
      },
      {
        label: "Cycles",
        scale: "n",
        stroke: "#e67e22",
        width: 2,
        paths: uPlot.paths.stepped?.({ align: 1 }),
        points: { show: bars.length <= 45, size: 5, fill: "#e67e22" },
        value: (_u, v) => (v == null ? "-" : frenchNumber(v, 0)),
      },
    ],
    axes: [
      {
        splits: (u) => {
          const every = Math.max(
            1,
            Math.ceil(bars.length / Math.max(2, Math.floor(u.bbox.width / devicePixelRatio / 60))),
          );
          return bars.map((_, i) => i).filter((i) => i % every === 0);
        },
        values: (_u, splits) => splits.map((i) => label(i)),
      },
      {
        scale: "m3",
        label: "m³ par jour",
        labelSize: 20,
        size: 56,
        values: (_u, s) => valueLabels(s, frenchNumber),
      },
      {
        scale: "n",
        side: 1,
        label: "cycles par jour",
        labelSize: 20,
        size: 50,
        grid: { show: false },
        incrs: COUNT_INCREMENTS,
        values: (_u, s) => valueLabels(s, frenchNumber),
      },
    ],
  });
  return (
    <section class="card dash-section" aria-labelledby="daily-title" data-testid="daily-panel">
      <h2 id="daily-title">Volumes journaliers (postes de relevage)</h2>
      <UPlotChart
        shape={`daily|${from}|${to}`}
        options={options}
        data={data}
        window={[-0.5, bars.length - 0.5]}
        view={`${from}|${to}`}
        height={240}
        label={`Volumes journaliers : ${frenchNumber(total, 1)} m³ sur ${bars.length} jour(s)`}
      />
    </section>
  );
}
