import { useMemo, useState } from "preact/hooks";
import {
  type CycleSortKey,
  nextSort,
  type SortDirection,
  sortCycles,
} from "../../../src/domain/cycle-order.js";
import { query } from "../api/client";
import type { Cycle } from "../api/types";
import { Notice } from "../components/form";
import { dateOf, frenchDecimal, frenchTime } from "../i18n/format";

export const PAGE_ROWS = 50;

const COLUMNS: [CycleSortKey, string][] = [
  ["device_id", "Appareil"],
  ["channel", "Canal"],
  ["start", "Date"],
  ["start", "Démarrage"],
  ["end", "Arrêt"],
  ["duration_min", "Durée"],
  ["avg_power_w", "Puissance moy."],
  ["avg_current_a", "Courant moy."],
  ["median_voltage_v", "Voltage moy."],
  ["runtime_min", "Marche"],
  ["volume_m3", "Volume"],
  ["co2e_avoided_kg", "CO₂e évité"],
];

const unit = (v: number | null, decimals: number, u: string) =>
  v === null ? "-" : `${frenchDecimal(v, decimals)} ${u}`;

/**
 * The period's cycles: the predecessor's columns plus runtime, volume and CO₂e, sortable (desc, asc,
 * original), paged so a year of cycles stays light, and its CSV the same rows in the same order.
 */
export function CycleTablePanel(props: {
  cycles: Cycle[] | null;
  total: number | null;
  loadingRest: boolean;
  params: Record<string, string>;
  sort: CycleSortKey | null;
  order: SortDirection;
  noise: boolean;
  timeZone: string;
  deviceName: (id: string) => string;
  channelName: (id: string, channel: number) => string;
  setView: (changes: Record<string, string | null>) => void;
}) {
  const { cycles, timeZone, sort, order } = props;
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => (cycles ? sortCycles(cycles, sort, order) : []), [cycles, sort, order]);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE_ROWS));
  const shownPage = Math.min(page, pages - 1);
  const rows = sorted.slice(shownPage * PAGE_ROWS, (shownPage + 1) * PAGE_ROWS);
  const csv = `/api/cycles.csv${query({ ...props.params, sort: sort ?? "", order: sort ? order : "" })}`;
  const clickHeader = (key: CycleSortKey) => {
    const next = nextSort({ key: sort, direction: order }, key);
    props.setView({ tri: next.key, ordre: next.key && next.direction === "asc" ? "asc" : null });
    setPage(0);
  };
  return (
    <section class="card dash-section" aria-labelledby="table-title">
      <div class="table-tools">
        <h2 id="table-title">
          Cycles{" "}
          <span class="muted" data-testid="table-count">
            ({cycles ? sorted.length : "…"}
            {props.total !== null && cycles && props.total !== sorted.length ? ` sur ${props.total}` : ""})
          </span>
        </h2>
        <label>
          <input
            type="checkbox"
            checked={props.noise}
            onChange={(e) => props.setView({ bruit: (e.target as HTMLInputElement).checked ? "1" : null })}
          />
          Afficher les cycles de bruit
        </label>
        <a class="button" href={csv} download data-testid="csv-link">
          Exporter CSV
        </a>
      </div>
      {props.loadingRest && <p class="muted">Chargement de tous les cycles de la période…</p>}
      <p class="scroll-hint">👉 Faites défiler pour voir toutes les colonnes</p>
      <div class="table-scroll" data-testid="table-scroll">
        <table class="data-table cycle-table">
          <thead>
            <tr>
              {COLUMNS.map(([key, label]) => {
                const active = sort === key;
                const icon = active ? (order === "desc" ? "▼" : "▲") : "↕";
                return (
                  <th
                    key={label}
                    aria-sort={active ? (order === "desc" ? "descending" : "ascending") : "none"}
                    scope="col"
                  >
                    <button type="button" onClick={() => clickHeader(key)}>
                      {label} {icon}
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {cycles && sorted.length === 0 && (
              <tr>
                <td colSpan={COLUMNS.length}>Aucun cycle trouvé pour cette période</td>
              </tr>
            )}
            {rows.map((c) => {
              const startS = Date.parse(c.start) / 1000;
              return (
                <tr key={`${c.device_id}|${c.channel}|${c.start}`} data-testid="cycle-row">
                  <td class="device" title={c.device_id}>
                    {props.deviceName(c.device_id)}
                  </td>
                  <td>
                    <span class={`pill pill--${c.channel}`} title={`switch:${c.channel}`}>
                      {props.channelName(c.device_id, c.channel)}
                    </span>
                  </td>
                  <td>{dateOf(c.start, timeZone)}</td>
                  <td>{frenchTime(startS, timeZone)}</td>
                  <td>
                    {c.ongoing ? (
                      <span class="ongoing">En cours</span>
                    ) : c.end ? (
                      frenchTime(Date.parse(c.end) / 1000, timeZone)
                    ) : (
                      "-"
                    )}
                  </td>
                  <td class="num">{unit(c.duration_min, 1, "min")}</td>
                  <td class="num">{unit(c.avg_power_w, 1, "W")}</td>
                  <td class="num">{unit(c.avg_current_a || null, 1, "A")}</td>
                  <td class="num">{unit(c.median_voltage_v, 1, "V")}</td>
                  <td class="num">{unit(c.runtime_min, 1, "min")}</td>
                  <td class="num">{unit(c.volume_m3, 2, "m³")}</td>
                  <td class="num">{unit(c.co2e_avoided_kg, 1, "kg")}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav class="pager" aria-label="Pages du tableau">
          <button
            type="button"
            class="button"
            disabled={shownPage === 0}
            onClick={() => setPage(shownPage - 1)}
          >
            Précédent
          </button>
          <span data-testid="page-info">
            Page {shownPage + 1} sur {pages}
          </span>
          <button
            type="button"
            class="button"
            disabled={shownPage >= pages - 1}
            onClick={() => setPage(shownPage + 1)}
          >
            Suivant
          </button>
        </nav>
      )}
      {props.total !== null && cycles === null && <Notice kind="info">Chargement…</Notice>}
    </section>
  );
}
