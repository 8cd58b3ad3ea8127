/**
 * Which meters and sites a principal may see, and each meter's zone: the narrow interface the journal and
 * the reports read through. Issue 18 ("Sites, local time zones and client access") provides the real one; until
 * then `openDirectory` sees every meter, in APP_TIMEZONE, and no site.
 */
import type { Queryable } from "../db/database.js";
import { devicesForDashboard } from "../db/queries/devices-for-dashboard.js";
import type { Auth } from "../server/access.js";

export type PrincipalRole = "admin" | "operator" | "viewer" | "public" | "key";

export interface Principal {
  userId: number | null;
  email: string | null;
  role: PrincipalRole;
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
    return { userId: auth.user.id, email: auth.user.email, role: auth.user.role as PrincipalRole };
  }
  return { userId: null, email: null, role: auth?.kind === "key" ? "key" : "public" };
}

/** Before sites exist: every meter, one zone, no site. */
export function openDirectory(db: Queryable, timeZone: string): MeterDirectory {
  return {
    defaultTimeZone: timeZone,
    async meters() {
      const devices = await devicesForDashboard(db);
      return devices.map((d) => ({
        deviceId: d.device_id,
        name: d.name ?? d.device_id,
        timeZone,
        siteId: null,
      }));
    },
    async sites() {
      return [];
    },
  };
}

/** Who may write the journal of a meter they can see. */
export function writesJournal(principal: Principal): boolean {
  return principal.role === "admin" || principal.role === "operator";
}
