import type { Cycle, Device, SiteRow } from "../api/types";
import { ago, connectivity, frenchNumber, frenchTime, isoDateIn } from "../i18n/format";
import { fr } from "../i18n/fr";

interface FleetProps {
  devices: Device[];
  today: Cycle[] | null;
  period: Cycle[] | null;
  nowMs: number;
  /** the installation's zone, for meters on no site */
  timeZone: string;
  /** the sites the caller sees (none: the fleet is one group, as before sites existed) */
  sites?: SiteRow[] | null;
  /** open alerts per device (none: not known yet) */
  openAlerts?: Map<string, number> | null;
  onOpen: (deviceId: string) => void;
}

export interface FleetGroup {
  site: SiteRow | null;
  devices: Device[];
}

/** The meters by site, in the sites' order, then those on no site; a site without a meter is left out. */
export function groupBySite(devices: Device[], sites: readonly SiteRow[]): FleetGroup[] {
  const siteOf = new Map<string, number>();
  for (const s of sites) for (const id of s.device_ids) siteOf.set(id, s.id);
  const groups: FleetGroup[] = sites.map((site) => ({
    site,
    devices: devices.filter((d) => siteOf.get(d.device_id) === site.id),
  }));
  groups.push({ site: null, devices: devices.filter((d) => !siteOf.has(d.device_id)) });
  return groups.filter((g) => g.devices.length > 0);
}

/** The fleet, one group per site with its own zone's times; tiles alone when no site is configured. */
export function FleetPanel(props: FleetProps) {
  const sites = props.sites ?? [];
  if (sites.length === 0)
    return (
      <section class="dash-section" aria-labelledby="fleet-title">
        <h2 id="fleet-title">Parc des stations</h2>
        <FleetTiles {...props} devices={props.devices} timeZone={props.timeZone} />
      </section>
    );
  return (
    <section class="dash-section" aria-labelledby="fleet-title">
      <h2 id="fleet-title">Parc des stations</h2>
      {groupBySite(props.devices, sites).map((g) => {
        const id = `fleet-site-${g.site?.id ?? "none"}`;
        return (
          <section class="fleet-site" key={id} aria-labelledby={id} data-testid="fleet-site">
            <h3 id={id} class="fleet-site__title">
              {g.site ? g.site.name : fr.sites.unplaced}{" "}
              <span class="muted fleet-site__zone">
                {g.site ? [g.site.location, g.site.time_zone].filter(Boolean).join(" · ") : props.timeZone}
              </span>
            </h3>
            <FleetTiles {...props} devices={g.devices} timeZone={g.site?.time_zone ?? props.timeZone} />
          </section>
        );
      })}
    </section>
  );
}

/** One tile per device: is it talking, and per channel is the pump running, when did it last run, today's work. */
function FleetTiles(props: FleetProps) {
  const { devices, today, period, nowMs, timeZone } = props;
  // under a site's heading (h3) when grouped, right under the section's (h2) otherwise
  const Name = (props.sites?.length ?? 0) > 0 ? "h4" : "h3";
  return (
    <div class="fleet">
      {devices.map((d) => {
        const status = connectivity(d.last_seen, nowMs, timeZone);
        const cyclesOf = (list: Cycle[] | null, ch: number) =>
          (list ?? []).filter((c) => c.device_id === d.device_id && c.channel === ch && !c.noise);
        // today in the tile's zone (its site's): `today` holds the days around it
        const localToday = isoDateIn(nowMs, timeZone);
        const todayOf = (ch: number) =>
          cyclesOf(today, ch).filter((c) => isoDateIn(Date.parse(c.start), timeZone) === localToday);
        const shown = d.channels.filter((c) => c.pump_type !== null || todayOf(c.channel).length > 0);
        return (
          <button
            type="button"
            key={d.device_id}
            class={`fleet-tile${status.online ? "" : " fleet-tile--off"}`}
            data-testid="fleet-tile"
            onClick={() => props.onOpen(d.device_id)}
            aria-label={`Ouvrir ${d.name}${(props.openAlerts?.get(d.device_id) ?? 0) > 0 ? ` (${props.openAlerts?.get(d.device_id)} alerte(s) ouverte(s))` : ""}`}
          >
            <Name>{d.name}</Name>
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
                const mine = todayOf(c.channel);
                const running = cyclesOf(today, c.channel).find((x) => x.ongoing);
                const last = cyclesOf(today, c.channel)[0] ?? cyclesOf(period, c.channel)[0];
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
  );
}
