import type { Cycle, Device } from "../api/types";
import { ago, connectivity, frenchNumber, frenchTime } from "../i18n/format";
import { fr } from "../i18n/fr";

/** One tile per device: is it talking, and per channel is the pump running, when did it last run, today's work. */
export function FleetPanel(props: {
  devices: Device[];
  today: Cycle[] | null;
  period: Cycle[] | null;
  nowMs: number;
  timeZone: string;
  /** open alerts per device (none: not known yet) */
  openAlerts?: Map<string, number> | null;
  onOpen: (deviceId: string) => void;
}) {
  const { devices, today, period, nowMs, timeZone } = props;
  return (
    <section class="dash-section" aria-labelledby="fleet-title">
      <h2 id="fleet-title">Parc des stations</h2>
      <div class="fleet">
        {devices.map((d) => {
          const status = connectivity(d.last_seen, nowMs, timeZone);
          const cyclesOf = (list: Cycle[] | null, ch: number) =>
            (list ?? []).filter((c) => c.device_id === d.device_id && c.channel === ch && !c.noise);
          const shown = d.channels.filter(
            (c) => c.pump_type !== null || cyclesOf(today, c.channel).length > 0,
          );
          return (
            <button
              type="button"
              key={d.device_id}
              class={`fleet-tile${status.online ? "" : " fleet-tile--off"}`}
              data-testid="fleet-tile"
              onClick={() => props.onOpen(d.device_id)}
              aria-label={`Ouvrir ${d.name}${(props.openAlerts?.get(d.device_id) ?? 0) > 0 ? ` (${props.openAlerts?.get(d.device_id)} alerte(s) ouverte(s))` : ""}`}
            >
              <h3>{d.name}</h3>
              <span class={`badge ${status.online ? "badge--ok" : "badge--off"}`}>{status.label}</span>
              {(props.openAlerts?.get(d.device_id) ?? 0) > 0 && (
                <span class="badge badge--critical" data-testid="fleet-alerts">
                  {props.openAlerts?.get(d.device_id) === 1
                    ? "1 alerte ouverte"
                    : `${props.openAlerts?.get(d.device_id)} alertes ouvertes`}
                </span>
              )}
              <ul>
                {shown.length === 0 && <li class="muted">Aucun canal configuré</li>}
                {shown.map((c) => {
                  const mine = cyclesOf(today, c.channel);
                  const running = mine.find((x) => x.ongoing);
                  const last = mine[0] ?? cyclesOf(period, c.channel)[0];
                  const volume = mine.reduce((s, x) => s + (x.ongoing ? 0 : (x.volume_m3 ?? 0)), 0);
                  const lastAt = last ? Date.parse(last.end ?? last.start) : null;
                  return (
                    <li key={c.channel}>
                      <strong>{c.name}</strong>{" "}
                      <span class="muted">({c.pump_type ? fr.pumpType[c.pump_type] : "non configuré"})</span>
                      <br />
                      {running ? (
                        <span class="run">
                          En marche depuis {frenchTime(Date.parse(running.start) / 1000, timeZone)}
                        </span>
                      ) : last && lastAt !== null ? (
                        <span>
                          Dernier cycle {frenchTime(lastAt / 1000, timeZone)} ({ago(lastAt, nowMs)})
                        </span>
                      ) : (
                        <span class="muted">Aucun cycle récent</span>
                      )}
                      <br />
                      <span>
                        Aujourd'hui : {mine.length} cycle{mine.length > 1 ? "s" : ""}
                        {c.pump_type === "relevage" ? `, ${frenchNumber(volume, 1)} m³ traités` : ""}
                      </span>
                    </li>
                  );
                })}
              </ul>
            </button>
          );
        })}
      </div>
    </section>
  );
}
