import { useEffect, useMemo } from "preact/hooks";
import type { Device } from "../api/types";
import { DeviceField, Notice } from "../components/form";
import { Link } from "../components/link";
import {
  cyclesParams,
  useAllCycles,
  useDevices,
  useSites,
  useSummary,
  useToday,
} from "../hooks/dashboard-data";
import { dateTimeOf } from "../i18n/format";
import { fr } from "../i18n/fr";
import { AlertBanner, openAlertsByDevice, useOpenAlerts } from "../panels/alert-banner";
import { ChartPanel } from "../panels/chart";
import { CycleTablePanel } from "../panels/cycle-table";
import { DailyPanel } from "../panels/daily";
import { FleetPanel } from "../panels/fleet";
import { ImpactPanel } from "../panels/impact";
import { flowRatesUsed } from "../panels/impact-text";
import { SummaryPanel } from "../panels/summary";
import { readView } from "../state/filters";
import { tick, useLiveTick } from "../state/live";
import { location, setQuery } from "../state/router";
import { site, user } from "../state/session";
import { isSharedView } from "../state/share";

/** Channel options: the chosen device's names; for all devices, each number with every name it has. */
export function channelOptions(devices: Device[], deviceId: string): { value: string; label: string }[] {
  const chosen = deviceId ? devices.filter((d) => d.device_id === deviceId) : devices;
  return [0, 1, 2, 3].map((ch) => {
    const names = [
      ...new Set(
        chosen.map((d) => {
          const name = d.channels.find((c) => c.channel === ch)?.name ?? `switch:${ch}`;
          return deviceId || chosen.length <= 1 ? name : `[${d.name}] ${name}`;
        }),
      ),
    ];
    return { value: String(ch), label: names.join(" / ") || `switch:${ch}` };
  });
}

export function DashboardPage() {
  const tz = site.value.time_zone;
  const view = readView(location.value.query, Date.now(), tz);
  tick.value; // re-render on each tick: "il y a 3 min" moves on
  useEffect(() => useLiveTick(), []);
  const setView = (changes: Record<string, string | null>) => setQuery(changes, { push: true });

  const devices = useDevices();
  const sites = useSites();
  const list = devices.data?.devices ?? null;
  const device = list?.find((d) => d.device_id === view.device) ?? null;
  const paramsKey = JSON.stringify(cyclesParams(view));
  const summary = useSummary(view);
  // the KPIs and the first rows first, then the whole period and the chart: on a slow link (or PGlite's
  // single connection) they would otherwise share the wire with the answer the operator waits for
  const summaryReady = summary.dataKey === paramsKey;
  const all = useAllCycles(view, summaryReady);
  const today = useToday(view, summaryReady && !view.device && (list?.length ?? 0) > 0);
  const openAlerts = useOpenAlerts(!view.device && (list?.length ?? 0) > 0);

  const names = useMemo(() => {
    const byDevice = new Map((list ?? []).map((d) => [d.device_id, d]));
    return {
      device: (id: string) => byDevice.get(id)?.name ?? id,
      channel: (id: string, ch: number) =>
        byDevice.get(id)?.channels.find((c) => c.channel === ch)?.name ?? `switch:${ch}`,
    };
  }, [list]);

  const summaryData = summary.data?.summary ?? null;
  const allCurrent = all.dataKey === paramsKey;
  const allCycles = allCurrent ? (all.data?.cycles ?? null) : null;
  const tableCycles = allCycles ?? (summaryReady ? summary.data?.cycles : all.data?.cycles) ?? null;
  const runtimeMin = allCycles
    ? allCycles.reduce((s, c) => s + (c.noise || c.ongoing ? 0 : c.runtime_min), 0)
    : null;
  const flowRates = useMemo(
    () => (allCycles ? flowRatesUsed(allCycles, (c) => names.channel(c.device_id, c.channel)) : null),
    [allCycles, names],
  );
  const scope = (list ?? []).filter((d) => !view.device || d.device_id === view.device);
  // a device never configured shows "-" for its volume and the way to configure it
  const unconfigured =
    scope.some((d) => d.channels.every((c) => c.pump_type === null)) ||
    (summaryData?.cycles_without_flow_rate ?? 0) > 0;
  const error = devices.error ?? summary.error ?? all.error;
  const busy = !summaryReady || summary.loading;

  return (
    <section class="page" aria-labelledby="dash-title">
      <h1 id="dash-title">Tableau de bord</h1>
      <form class="card dash-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filtres">
        <DeviceField
          id="f-device"
          value={view.device}
          onValue={(v) => setView({ appareil: v || null, canal: null })}
          devices={list}
        />
        <div class="field">
          <label for="f-channel">Canal</label>
          <select
            id="f-channel"
            value={view.channel}
            onChange={(e) => setView({ canal: (e.target as HTMLSelectElement).value || null })}
          >
            <option value="">Tous les canaux</option>
            {list &&
              channelOptions(list, view.device).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
          </select>
        </div>
        <div class="field">
          <label for="f-from">Date début</label>
          <input
            id="f-from"
            type="date"
            value={view.from}
            max={view.to}
            required
            onChange={(e) => setView({ du: (e.target as HTMLInputElement).value || null })}
          />
        </div>
        <div class="field">
          <label for="f-to">Date fin</label>
          <input
            id="f-to"
            type="date"
            value={view.to}
            min={view.from}
            max={view.today}
            required
            onChange={(e) => {
              const v = (e.target as HTMLInputElement).value;
              setView({ au: v && v < view.today ? v : null });
            }}
          />
        </div>
      </form>
      <p class="dash-status" aria-live="polite">
        <span data-testid="live-status">
          {busy ? "Mise à jour…" : `Données à jour, actualisées chaque minute`}
        </span>
        {device && (
          <span>
            Dernier relevé de {device.name} : {dateTimeOf(device.last_seen, tz)}
          </span>
        )}
        {/* a share link opens this dashboard only: the pump-health page is an account's */}
        {!isSharedView() && device?.channels.some((c) => c.pump_type === "relevage") && (
          <Link href={`/sante?appareil=${encodeURIComponent(device.device_id)}`}>
            Santé des pompes de {device.name}
          </Link>
        )}
      </p>
      {error && <Notice kind="error">{error} Le tableau de bord réessaie tout seul.</Notice>}
      {summaryReady && summary.data?.refreshing && (
        <Notice kind="info">
          {fr.refreshing.dashboard(
            summary.data.pending_since ? dateTimeOf(summary.data.pending_since, tz) : "dernier rattrapage",
          )}
        </Notice>
      )}
      {list && list.length === 0 && (
        <Notice kind="info">
          Aucun appareil n'a encore envoyé de relevé. Les stations apparaîtront ici dès leur première mesure.
        </Notice>
      )}
      {view.device && list && !device && <Notice kind="warning">Cet appareil est inconnu.</Notice>}
      {device && <AlertBanner device={device} />}
      {!view.device && list && list.length > 0 && (
        <FleetPanel
          devices={list}
          today={today.data?.cycles ?? null}
          period={allCycles}
          nowMs={Date.now()}
          timeZone={tz}
          sites={sites.data?.sites ?? null}
          openAlerts={openAlerts.data ? openAlertsByDevice(openAlerts.data.alerts) : null}
          onOpen={(id) => setView({ appareil: id, canal: null })}
        />
      )}
      <SummaryPanel summary={summaryData} runtimeMin={runtimeMin} />
      <ImpactPanel
        summary={summaryData}
        from={view.from}
        to={view.to}
        flowRates={flowRates}
        unconfigured={unconfigured}
        isAdmin={user.value?.role === "admin"}
      />
      {device && (
        <ChartPanel device={device} view={view} timeZone={tz} enabled={summaryReady} setView={setView} />
      )}
      <DailyPanel
        cycles={all.data?.cycles ?? null}
        from={view.from}
        to={view.to}
        unconfigured={unconfigured}
        isAdmin={user.value?.role === "admin"}
      />
      <CycleTablePanel
        cycles={tableCycles}
        total={summary.data?.total ?? null}
        loadingRest={!allCurrent && tableCycles !== null}
        params={cyclesParams(view)}
        sort={view.sort}
        order={view.order}
        noise={view.noise}
        timeZone={tz}
        deviceName={names.device}
        channelName={names.channel}
        setView={setView}
      />
    </section>
  );
}
