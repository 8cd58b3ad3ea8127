/**
 * The site form's rules, pure so they are tested without a browser: what an administrator typed → the body
 * the service takes, or a French message per field. The service checks again (400 with `field`); checking
 * here first keeps a typo from costing a round trip and names the field next to it.
 */
import type { SiteRow } from "../../api/types";
import { fr } from "../../i18n/fr";
import { decimalText, parseDecimal } from "./config-form";

export interface SiteDraft {
  name: string;
  timeZone: string;
  populationEquivalent: string;
  sandreCode: string;
  location: string;
  latitude: string;
  longitude: string;
  /** "120 ; 80" */
  surfaces: string;
}

export const EMPTY_SITE: SiteDraft = {
  name: "",
  timeZone: "",
  populationEquivalent: "",
  sandreCode: "",
  location: "",
  latitude: "",
  longitude: "",
  surfaces: "",
};

/** The form's field of each body field, to put the service's error next to the right input. */
export const SITE_FIELD_OF: Record<string, keyof SiteDraft> = {
  name: "name",
  time_zone: "timeZone",
  population_equivalent: "populationEquivalent",
  sandre_code: "sandreCode",
  location: "location",
  latitude: "latitude",
  longitude: "longitude",
  filter_stage_surfaces_m2: "surfaces",
};

export const draftOfSite = (s: SiteRow): SiteDraft => ({
  name: s.name,
  timeZone: s.time_zone,
  populationEquivalent: s.population_equivalent === null ? "" : String(s.population_equivalent),
  sandreCode: s.sandre_code ?? "",
  location: s.location ?? "",
  latitude: decimalText(s.latitude),
  longitude: decimalText(s.longitude),
  surfaces: s.filter_stage_surfaces_m2.map(decimalText).join(" ; "),
});

/** Whether the browser knows the zone (the service's check is the same runtime's, ICU). */
export function knownTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export interface SiteBody {
  name: string;
  time_zone: string;
  population_equivalent: number | null;
  sandre_code: string | null;
  location: string | null;
  latitude: number | null;
  longitude: number | null;
  filter_stage_surfaces_m2: number[];
}

export function siteBody(d: SiteDraft): { body: SiteBody | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const name = d.name.trim();
  if (name.length < 1 || name.length > 120) errors.name = fr.sites.invalidName;
  const zone = d.timeZone.trim();
  if (!knownTimeZone(zone)) errors.timeZone = fr.sites.invalidZone;
  const eh = d.populationEquivalent.trim().replace(/\s/g, "");
  const population = eh === "" ? null : /^\d+$/.test(eh) ? Number(eh) : Number.NaN;
  if (population !== null && !(Number.isInteger(population) && population > 0 && population <= 10_000_000))
    errors.populationEquivalent = fr.sites.invalidInteger;
  const latitude = parseDecimal(d.latitude);
  if (latitude !== null && !(latitude >= -90 && latitude <= 90)) errors.latitude = fr.sites.invalidLatitude;
  const longitude = parseDecimal(d.longitude);
  if (longitude !== null && !(longitude >= -180 && longitude <= 180))
    errors.longitude = fr.sites.invalidLongitude;
  const parts = d.surfaces
    .split(";")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const surfaces = parts.map((p) => parseDecimal(p) ?? Number.NaN);
  if (surfaces.length > 4 || surfaces.some((s) => !(s > 0))) errors.surfaces = fr.sites.invalidSurfaces;
  if (Object.keys(errors).length > 0) return { body: null, errors };
  return {
    body: {
      name,
      time_zone: zone,
      population_equivalent: population,
      sandre_code: d.sandreCode.trim() || null,
      location: d.location.trim() || null,
      latitude,
      longitude,
      filter_stage_surfaces_m2: surfaces,
    },
    errors,
  };
}
