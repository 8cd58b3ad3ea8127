/**
 * Which meters and sites a principal may see, and each meter's zone: the interface the journal and the reports
 * read through. It is the scope of issue 18 (domain/meter-scope.ts) seen from a use case: the meters come from
 * the one read that applies the scope (devicesForDashboard), the zone from the meter's site (APP_TIMEZONE
 * without one).
 */
import type { Queryable } from "../db/database.js";
import { devicesForDashboard } from "../db/queries/devices-for-dashboard.js";
import { sitesByIds } from "../db/queries/sites.js";
import { EVERY_METER, type MeterScope, sitesScope } from "../domain/meter-scope.js";
import type { Auth } from "../server/access.js";

export type PrincipalRole = "admin" | "operator" | "viewer" | "public" | "key";

export interface Principal {
  userId: number | null;
  email: string | null;
  role: PrincipalRole;
  /** what the principal may see */
  scope: MeterScope;
}

export interface DirectoryMeter {
  deviceId: string;
  name: string;
  timeZone: string;
  siteId: string | null;
}

export interface DirectorySite {
  id: string;
  name: string;
  timeZone: string;
  /** code SANDRE of the station, when recorded */
  sandreCode: string | null;
  populationEquivalent: number | null;
  deviceIds: string[];
}

export interface MeterDirectory {
  /** the meters this principal may see */
  meters(principal: Principal): Promise<DirectoryMeter[]>;
  /** the sites this principal may see, each with the meters of it that the principal may see */
  sites(principal: Principal): Promise<DirectorySite[]>;
  /** the zone of a meter without a site (APP_TIMEZONE) */
  readonly defaultTimeZone: string;
}

export function principalOf(auth: Auth | undefined): Principal {
  if (auth?.kind === "session") {
    return {
      userId: auth.user.id,
      email: auth.user.email,
      role: auth.user.role as PrincipalRole,
      scope: sitesScope(auth.user.siteIds),
    };
  }
  // a share link (decision 0018) reads as a viewer of its one site, the scope the access hooks give it
  if (auth?.kind === "share")
    return { userId: null, email: null, role: "viewer", scope: sitesScope([auth.link.siteId]) };
  if (auth?.kind === "key" || auth?.kind === "public")
    return { userId: null, email: null, role: auth.kind, scope: EVERY_METER };
  return { userId: null, email: null, role: "public", scope: { siteIds: [] } };
}

/** The meters and sites of the principal's scope; a meter on no site reads its days in `timeZone`. */
export function openDirectory(db: Queryable, timeZone: string): MeterDirectory {
  return {
    defaultTimeZone: timeZone,
    async meters(principal) {
      const [devices, sites] = await Promise.all([
        devicesForDashboard(db, principal.scope),
        sitesByIds(db, principal.scope.siteIds),
      ]);
      const zone = new Map(sites.map((s) => [s.id, s.time_zone]));
      return devices.map((d) => ({
        deviceId: d.device_id,
        name: d.name ?? d.device_id,
        timeZone: (d.site_id === null ? undefined : zone.get(d.site_id)) ?? timeZone,
        siteId: d.site_id === null ? null : String(d.site_id),
      }));
    },
    async sites(principal) {
      const [devices, sites] = await Promise.all([
        devicesForDashboard(db, principal.scope),
        sitesByIds(db, principal.scope.siteIds),
      ]);
      return sites.map((s) => ({
        id: String(s.id),
        name: s.name,
        timeZone: s.time_zone,
        sandreCode: s.sandre_code,
        populationEquivalent: s.population_equivalent,
        deviceIds: devices.filter((d) => d.site_id === s.id).map((d) => d.device_id),
      }));
    },
  };
}

/** Who may write the journal of a meter they can see. */
export function writesJournal(principal: Principal): boolean {
  return principal.role === "admin" || principal.role === "operator";
}
