import { get, query } from "../api/client";
import type { Cycles, Device } from "../api/types";
import { Notice } from "../components/form";
import { useResource } from "../components/use-resource";
import { calendarDate, connectivity, frenchNumber, isoDateIn } from "../i18n/format";
import { fr } from "../i18n/fr";
import { location, setQuery } from "../state/router";
import { site } from "../state/session";

/** Default period: the last 30 days, ending today (predecessor bug 10: never empty). */
export function defaultPeriod(nowMs: number, timeZone: string): { from: string; to: string } {
  return { from: isoDateIn(nowMs - 30 * 86_400_000, timeZone), to: isoDateIn(nowMs, timeZone) };
}

export function DashboardPage() {
  const tz = site.value.time_zone;
  const q = location.value.query;
  const period = defaultPeriod(Date.now(), tz);
  const deviceId = q.get("appareil") ?? "";
  const from = q.get("du") ?? period.from;
  const to = q.get("au") ?? period.to;
  const devices = useResource(() => get<{ devices: Device[] }>("/api/devices"), "devices");
  const key = `${deviceId}|${from}|${to}`;
  const cycles = useResource(
    () => get<Cycles>(`/api/cycles${query({ device_id: deviceId, from, to, limit: 1 })}`),
    key,
  );
  const s = cycles.data?.summary;
  return (
    <section class="page" aria-labelledby="dash-title">
      <h1 id="dash-title">{fr.nav.dashboard}</h1>
      <form class="filters card" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="f-device">Appareil</label>
          <select
            id="f-device"
            value={deviceId}
            onChange={(e) => setQuery({ appareil: (e.target as HTMLSelectElement).value }, { push: true })}
          >
            <option value="">Tous les appareils</option>
            {devices.data?.devices.map((d) => (
              <option key={d.device_id} value={d.device_id}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-from">Du</label>
          <input
            id="f-from"
            type="date"
            value={from}
            max={to}
            onChange={(e) =>
              setQuery({ du: (e.target as HTMLInputElement).value || period.from }, { push: true })
            }
          />
        </div>
        <div class="field">
          <label for="f-to">Au</label>
          <input
            id="f-to"
            type="date"
            value={to}
            min={from}
            max={period.to}
            onChange={(e) =>
              setQuery({ au: (e.target as HTMLInputElement).value || period.to }, { push: true })
            }
          />
        </div>
      </form>
      {cycles.error && <Notice kind="error">{cycles.error}</Notice>}
      <div class="kpis card" aria-live="polite">
        <h2>
          Traitement du {calendarDate(from)} au {calendarDate(to)}
        </h2>
        <dl class="kpi-grid">
          <div>
            <dt>Eau usée traitée</dt>
            <dd data-testid="kpi-volume">{s ? `${frenchNumber(s.treated_volume_m3, 1)} m³` : "--"}</dd>
          </div>
          <div>
            <dt>Énergie</dt>
            <dd data-testid="kpi-energy">{s ? `${frenchNumber(s.energy_kwh, 2)} kWh` : "--"}</dd>
          </div>
          <div>
            <dt>CO₂e évité</dt>
            <dd data-testid="kpi-co2e">{s ? `${frenchNumber(s.co2e_avoided_kg, 1)} kg` : "--"}</dd>
          </div>
          <div>
            <dt>Cycles</dt>
            <dd data-testid="kpi-cycles">{s ? frenchNumber(s.cycles, 0) : "--"}</dd>
          </div>
        </dl>
      </div>
      <div class="tiles">
        {devices.data?.devices.length === 0 && (
          <Notice kind="info">Aucun appareil n'a encore envoyé de relevé.</Notice>
        )}
        {devices.data?.devices.map((d) => {
          const status = connectivity(d.last_seen, Date.now(), tz);
          return (
            <article key={d.device_id} class="tile card">
              <h2>{d.name}</h2>
              <p class={`badge ${status.online ? "badge--ok" : "badge--off"}`}>{status.label}</p>
              <ul>
                {d.channels.map((c) => (
                  <li key={c.channel}>
                    {c.name}{" "}
                    <span class="muted">({c.pump_type ? fr.pumpType[c.pump_type] : "non configuré"})</span>
                  </li>
                ))}
              </ul>
            </article>
          );
        })}
      </div>
    </section>
  );
}
