import type { Cycles } from "../api/types";
import { frenchNumber } from "../i18n/format";

type Summary = Cycles["summary"];

const range = (r: [number, number] | null, unit: string) =>
  r ? `Plage : ${frenchNumber(r[0], 1)} - ${frenchNumber(r[1], 1)} ${unit}` : "Plage : -";

/** "Synthèse des cycles": counts, durations, median power and current with their ranges (1 decimal). */
export function SummaryPanel({
  summary,
  runtimeMin,
}: {
  summary: Summary | null;
  runtimeMin: number | null;
}) {
  const s = summary;
  return (
    <section class="banner banner--cycles dash-section" aria-labelledby="summary-title">
      <h2 id="summary-title">Synthèse des cycles</h2>
      <dl class="stat-grid">
        <div>
          <dt>Cycles</dt>
          <dd>
            <span data-testid="kpi-cycles">{s ? frenchNumber(s.cycles, 0) : "--"}</span> total
            <span class="sub" data-testid="kpi-ongoing">
              {s ? frenchNumber(s.ongoing, 0) : "--"} en cours
            </span>
          </dd>
        </div>
        <div>
          <dt>Durée moyenne</dt>
          <dd>
            {s?.avg_duration_min != null ? `${frenchNumber(s.avg_duration_min, 1)} min` : "-"}
            <span class="sub">(par cycle)</span>
          </dd>
        </div>
        <div>
          <dt>Puissance (W)</dt>
          <dd>
            {s?.median_power_w != null ? `${frenchNumber(s.median_power_w, 1)} W` : "-"}
            <span class="sub">(médiane) {range(s?.power_range_w ?? null, "W")}</span>
          </dd>
        </div>
        <div>
          <dt>Intensité (A)</dt>
          <dd>
            {s?.median_current_a != null ? `${frenchNumber(s.median_current_a, 1)} A` : "-"}
            <span class="sub">(médiane) {range(s?.current_range_a ?? null, "A")}</span>
          </dd>
        </div>
        <div>
          <dt>Temps de marche</dt>
          <dd data-testid="kpi-runtime">
            {runtimeMin === null ? "--" : `${frenchNumber(runtimeMin / 60, 1)} h`}
            <span class="sub">(cycles terminés affichés)</span>
          </dd>
        </div>
      </dl>
      {s && s.noise_cycles > 0 && (
        <p class="note">{s.noise_cycles} cycle(s) de bruit (trop courts) non comptés.</p>
      )}
    </section>
  );
}
