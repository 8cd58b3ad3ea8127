import type { ComponentChildren } from "preact";
import { get } from "../api/client";
import type { Devices, Sites } from "../api/types";
import { fr } from "../i18n/fr";
import { site as appSite } from "../state/session";
import { Notice } from "./form";
import { useResource } from "./use-resource";

/** What a journal or a report is about: a site (all the meters of it the user sees) or one meter. */
export interface Target {
  /** "site:<id>" or "device:<id>", the value of the select */
  value: string;
  label: string;
  /** the query naming it: `{ site_id }` or `{ device_id }` */
  params: { site_id: string } | { device_id: string };
  /** the meters it covers, by name */
  meters: { device_id: string; name: string }[];
  /** the zone its days and hours are read in: its site's, else the service's */
  timeZone: string;
}

/**
 * The sites and meters the user may see (the service confines both lists), and the target chosen among them:
 * `value` when it names one, else the first site, else the first meter.
 */
export function useTargets(value: string) {
  const sites = useResource(() => get<Sites>("/api/sites"), "sites");
  const devices = useResource(() => get<Devices>("/api/devices"), "devices");
  const siteList = sites.data?.sites ?? [];
  const deviceList = devices.data?.devices ?? [];
  const name = new Map(deviceList.map((d) => [d.device_id, d.name]));
  const zoneOf = (deviceId: string) =>
    siteList.find((s) => s.device_ids.includes(deviceId))?.time_zone ?? appSite.value.time_zone;
  const targets: Target[] = [
    ...siteList.map((s) => ({
      value: `site:${s.id}`,
      label: fr.target.site(s.name),
      params: { site_id: String(s.id) },
      meters: s.device_ids.map((id) => ({ device_id: id, name: name.get(id) ?? id })),
      timeZone: s.time_zone,
    })),
    ...deviceList.map((d) => ({
      value: `device:${d.device_id}`,
      label: d.name,
      params: { device_id: d.device_id },
      meters: [{ device_id: d.device_id, name: d.name }],
      timeZone: zoneOf(d.device_id),
    })),
  ];
  const chosen = targets.find((t) => t.value === value) ?? targets[0] ?? null;
  return {
    targets,
    sites: siteList,
    devices: deviceList,
    chosen,
    loading: sites.loading || devices.loading,
    error: sites.error ?? devices.error,
  };
}

/** The select of a site or a meter: sites first (a group), then meters. */
export function TargetField(props: {
  id: string;
  value: string;
  onValue: (value: string) => void;
  targets: Target[];
}) {
  const sites = props.targets.filter((t) => t.value.startsWith("site:"));
  const meters = props.targets.filter((t) => t.value.startsWith("device:"));
  const option = (t: Target) => (
    <option key={t.value} value={t.value}>
      {t.label}
    </option>
  );
  return (
    <div class="field">
      <label for={props.id}>{fr.target.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(event) => props.onValue((event.target as HTMLSelectElement).value)}
      >
        {sites.length > 0 && <optgroup label={fr.target.sites}>{sites.map(option)}</optgroup>}
        {meters.length > 0 && <optgroup label={fr.target.meters}>{meters.map(option)}</optgroup>}
      </select>
    </div>
  );
}

/**
 * The filter card both the journal and the reports open with (their layout was the same form twice): the
 * target, then the page's own period fields.
 */
export function TargetFilters(props: {
  label: string;
  id: string;
  state: ReturnType<typeof useTargets>;
  onTarget: (value: string) => void;
  children: ComponentChildren;
}) {
  const { state } = props;
  return (
    <>
      {state.error && <Notice kind="error">{state.error}</Notice>}
      {!state.loading && !state.error && state.targets.length === 0 && (
        <Notice kind="info">{fr.target.none}</Notice>
      )}
      <form class="card filters" aria-label={props.label} onSubmit={(e) => e.preventDefault()}>
        <TargetField
          id={props.id}
          value={state.chosen?.value ?? ""}
          onValue={props.onTarget}
          targets={state.targets}
        />
        {props.children}
      </form>
    </>
  );
}
