/**
 * The alerts page's filters, kept in the URL (French names, as the dashboard's) so a filtered list can be
 * bookmarked, shared and reloaded; and the API query they mean.
 */
import { RULE_IDS, type RuleId } from "../../../src/domain/alerts/types.js";

export type AlertState = "all" | "open" | "acknowledged" | "resolved";

export interface AlertFilters {
  state: AlertState;
  device: string;
  /** "" or "0".."3" */
  channel: string;
  rule: RuleId | "";
  /** "YYYY-MM-DD" or "" */
  from: string;
  to: string;
  /** how many are shown (grows with "Afficher plus") */
  limit: number;
}

export const PAGE_SIZE = 50;
export const MAX_LIMIT = 1000;

const STATE_IN_URL: Readonly<Record<Exclude<AlertState, "all">, string>> = {
  open: "ouvertes",
  acknowledged: "acquittees",
  resolved: "resolues",
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (s: string | null): string =>
  s && DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) ? s : "";

export function readAlertFilters(q: URLSearchParams): AlertFilters {
  const stateRaw = q.get("etat");
  const state =
    (Object.entries(STATE_IN_URL).find(([, v]) => v === stateRaw)?.[0] as AlertState | undefined) ?? "all";
  const ruleRaw = q.get("regle") ?? "";
  const rule = (RULE_IDS as readonly string[]).includes(ruleRaw) ? (ruleRaw as RuleId) : "";
  let from = validDate(q.get("du"));
  const to = validDate(q.get("au"));
  if (from && to && from > to) from = to;
  const n = Number(q.get("nombre"));
  const limit = Number.isInteger(n) && n >= PAGE_SIZE ? Math.min(n, MAX_LIMIT) : PAGE_SIZE;
  return {
    state,
    device: q.get("appareil") ?? "",
    channel: /^[0-3]$/.test(q.get("canal") ?? "") ? (q.get("canal") as string) : "",
    rule,
    from,
    to,
    limit,
  };
}

/** The URL's part of the filters (null: removed), for `setQuery`. */
export function alertFiltersQuery(f: AlertFilters): Record<string, string | null> {
  return {
    etat: f.state === "all" ? null : STATE_IN_URL[f.state],
    appareil: f.device || null,
    canal: f.channel || null,
    regle: f.rule || null,
    du: f.from || null,
    au: f.to || null,
    nombre: f.limit > PAGE_SIZE ? String(f.limit) : null,
  };
}

/** The parameters of `GET /api/alerts` (dates are days of the site's zone, as `/api/cycles` reads them). */
export function alertsApiParams(f: AlertFilters): Record<string, string | number | null> {
  return {
    state: f.state,
    device_id: f.device || null,
    channel: f.channel || null,
    rule: f.rule || null,
    from: f.from || null,
    to: f.to || null,
    limit: f.limit,
  };
}

/** The alerts page filtered on one device (the dashboard's banner links there). */
export function alertsOfDevice(deviceId: string, state: AlertState = "all"): string {
  const q = new URLSearchParams();
  if (state !== "all") q.set("etat", STATE_IN_URL[state]);
  q.set("appareil", deviceId);
  return `/alertes?${q.toString()}`;
}
