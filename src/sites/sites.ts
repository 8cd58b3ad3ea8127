/**
 * Sites (treatment plants) and where the meters are: the administration's use cases (issue 18). Who may see
 * which site is the scope's business (domain/meter-scope.ts); these functions are called by an administrator.
 */
import { ConfigAdminError } from "../admin/config-errors.js";
import type { Database, Queryable } from "../db/database.js";
import { appendConfigAudit } from "../db/queries/config-audit.js";
import { deviceSiteForUpdate, insertPlacement, setDeviceSite } from "../db/queries/device-site.js";
import { devicesForDashboard } from "../db/queries/devices-for-dashboard.js";
import {
  deleteSite,
  forgetSiteInUsers,
  insertSite,
  type SiteFields,
  type SiteRow,
  siteById,
  sitesByIds,
  updateSite,
} from "../db/queries/sites.js";
import { isValidTimeZone } from "../domain/config-versions/index.js";
import type { MeterScope } from "../domain/meter-scope.js";

export interface Site {
  id: number;
  name: string;
  timeZone: string;
  populationEquivalent: number | null;
  sandreCode: string | null;
  location: string | null;
  latitude: number | null;
  longitude: number | null;
  filterStageSurfacesM2: number[];
  /** the meters on the site that the scope sees (all of them: a scope sees a site whole or not at all) */
  deviceIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** What a client sends, in its own (snake_case) terms; checked here. */
export interface SiteInput {
  name?: unknown;
  time_zone?: unknown;
  population_equivalent?: unknown;
  sandre_code?: unknown;
  location?: unknown;
  latitude?: unknown;
  longitude?: unknown;
  filter_stage_surfaces_m2?: unknown;
}

const toSite = (row: SiteRow, deviceIds: string[]): Site => ({
  id: row.id,
  name: row.name,
  timeZone: row.time_zone,
  populationEquivalent: row.population_equivalent,
  sandreCode: row.sandre_code,
  location: row.location,
  latitude: row.latitude,
  longitude: row.longitude,
  filterStageSurfacesM2: row.filter_stage_surfaces_m2.map(Number),
  deviceIds,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const invalid = (field: string, message: string) => new ConfigAdminError("invalid_site", message, { field });

/** The IANA name as the runtime spells it ("europe/paris" → "Europe/Paris"); 400 on `time_zone` otherwise. */
export function canonicalTimeZone(zone: unknown): string {
  if (typeof zone !== "string" || zone.length === 0 || zone.length > 64 || !isValidTimeZone(zone)) {
    throw new ConfigAdminError(
      "invalid_time_zone",
      "Fuseau horaire inconnu : un nom IANA est attendu (Africa/Dakar, Europe/Paris…).",
      { field: "time_zone" },
    );
  }
  return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
}

function optionalNumber(value: unknown, field: string, check: (n: number) => boolean, message: string) {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || !check(value)) throw invalid(field, message);
  return value;
}

function optionalText(value: unknown, field: string, pattern: RegExp, message: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid(field, message);
  const clean = value.trim();
  if (clean === "") return null;
  if (!pattern.test(clean)) throw invalid(field, message);
  return clean;
}

/** The fields of a site, checked; `base` fills those a PUT leaves out. */
export function siteFields(input: SiteInput, base: SiteFields | null): SiteFields {
  const has = (key: keyof SiteInput) => Object.hasOwn(input, key);
  const name = has("name") || !base ? input.name : base.name;
  if (typeof name !== "string" || name.trim().length < 1 || name.trim().length > 120)
    throw invalid("name", "Nom du site requis (1 à 120 caractères).");
  const timeZone = has("time_zone") || !base ? canonicalTimeZone(input.time_zone) : base.timeZone;
  const pick = <T>(key: keyof SiteInput, parse: (v: unknown) => T, old: T | undefined): T =>
    has(key) || !base ? parse(input[key]) : (old as T);
  const fields: SiteFields = {
    name: name.trim(),
    timeZone,
    populationEquivalent: pick(
      "population_equivalent",
      (v) =>
        optionalNumber(
          v,
          "population_equivalent",
          (n) => Number.isInteger(n) && n > 0 && n <= 10_000_000,
          "Équivalent-habitants (EH) : un entier positif.",
        ),
      base?.populationEquivalent,
    ),
    sandreCode: pick(
      "sandre_code",
      (v) =>
        optionalText(
          v,
          "sandre_code",
          /^[0-9A-Za-z]{1,20}$/,
          "Code SANDRE de la station : lettres et chiffres, 20 au plus.",
        ),
      base?.sandreCode,
    ),
    location: pick(
      "location",
      (v) =>
        optionalText(v, "location", /^[^\n]{1,200}$/, "Localisation : 200 caractères au plus, une ligne."),
      base?.location,
    ),
    latitude: pick(
      "latitude",
      (v) => optionalNumber(v, "latitude", (n) => n >= -90 && n <= 90, "Latitude : de -90 à 90 degrés."),
      base?.latitude,
    ),
    longitude: pick(
      "longitude",
      (v) =>
        optionalNumber(v, "longitude", (n) => n >= -180 && n <= 180, "Longitude : de -180 à 180 degrés."),
      base?.longitude,
    ),
    filterStageSurfacesM2: pick(
      "filter_stage_surfaces_m2",
      (v) => {
        if (v === undefined || v === null) return [];
        if (
          !Array.isArray(v) ||
          v.length > 4 ||
          !v.every((n) => typeof n === "number" && Number.isFinite(n) && n > 0 && n <= 1_000_000)
        )
          throw invalid(
            "filter_stage_surfaces_m2",
            "Surfaces des étages de filtres : jusqu'à 4 nombres positifs, en m², premier étage d'abord.",
          );
        return v as number[];
      },
      base?.filterStageSurfacesM2,
    ),
  };
  if ((fields.latitude === null) !== (fields.longitude === null))
    throw invalid(
      fields.latitude === null ? "latitude" : "longitude",
      "Latitude et longitude vont ensemble.",
    );
  return fields;
}

const notFound = (field = "site_id") => new ConfigAdminError("site_not_found", "Site inconnu.", { field });
const nameTaken = () =>
  new ConfigAdminError("site_name_taken", "Un site porte déjà ce nom.", { field: "name" });

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === "23505";
const isForeignKeyViolation = (error: unknown) => (error as { code?: string })?.code === "23503";

const audited = (s: SiteFields) => ({ ...s });

/** The sites a scope sees, each with its meters. */
export async function listSites(db: Queryable, scope: MeterScope): Promise<Site[]> {
  const [rows, devices] = await Promise.all([sitesByIds(db, scope.siteIds), devicesForDashboard(db, scope)]);
  return rows.map((row) =>
    toSite(
      row,
      devices.filter((d) => d.site_id === row.id).map((d) => d.device_id),
    ),
  );
}

const fieldsOf = (row: SiteRow): SiteFields => {
  const s = toSite(row, []);
  return {
    name: s.name,
    timeZone: s.timeZone,
    populationEquivalent: s.populationEquivalent,
    sandreCode: s.sandreCode,
    location: s.location,
    latitude: s.latitude,
    longitude: s.longitude,
    filterStageSurfacesM2: s.filterStageSurfacesM2,
  };
};

export async function createSite(db: Database, input: SiteInput, actor: string, now: Date): Promise<Site> {
  const fields = siteFields(input, null);
  return db.transaction(async (tx) => {
    const row = await insertSite(tx, fields, now);
    if (!row) throw nameTaken();
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "site",
        entityKey: String(row.id),
        action: "create",
        before: null,
        after: audited(fields),
      },
    ]);
    return toSite(row, []);
  });
}

export async function changeSite(
  db: Database,
  id: number,
  input: SiteInput,
  actor: string,
  now: Date,
): Promise<Site> {
  const site = await db.transaction(async (tx) => {
    const before = await siteById(tx, id);
    if (!before) throw notFound();
    const fields = siteFields(input, fieldsOf(before));
    let row: SiteRow | null;
    try {
      row = await updateSite(tx, id, fields, now);
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken();
      throw error;
    }
    if (!row) throw notFound();
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "site",
        entityKey: String(id),
        action: "update",
        before: audited(fieldsOf(before)),
        after: audited(fields),
      },
    ]);
    return row;
  });
  return (await listSites(db, { siteIds: [site.id] }))[0] ?? toSite(site, []);
}

/** Deletes a site with no meter (409 otherwise); its share links go with it, its accounts forget it. */
export async function removeSite(db: Database, id: number, actor: string, now: Date): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      const row = await deleteSite(tx, id);
      if (!row) throw notFound();
      await forgetSiteInUsers(tx, id);
      await appendConfigAudit(tx, [
        {
          at: now,
          actor,
          entity: "site",
          entityKey: String(id),
          action: "delete",
          before: audited(fieldsOf(row)),
          after: null,
        },
      ]);
    });
  } catch (error) {
    if (isForeignKeyViolation(error))
      throw new ConfigAdminError(
        "site_has_meters",
        "Ce site a encore des compteurs : placez-les sur un autre site (ou sur aucun) avant de le supprimer.",
      );
    throw error;
  }
}

/**
 * Puts a meter on a site (null: on none) from `now` on. Its past keeps the zone of the site it was on
 * (device_site_placements). 404 for an unknown meter (field device_id) or site (field site_id).
 */
export async function placeDevice(
  db: Database,
  deviceId: string,
  siteId: number | null,
  actor: string,
  now: Date,
): Promise<{ deviceId: string; siteId: number | null }> {
  return db.transaction(async (tx) => {
    const device = await deviceSiteForUpdate(tx, deviceId);
    if (!device) throw new ConfigAdminError("unknown_device", "Appareil inconnu.", { field: "device_id" });
    const site = siteId === null ? null : await siteById(tx, siteId);
    if (siteId !== null && !site) throw notFound();
    if (device.site_id === siteId) return { deviceId, siteId };
    await setDeviceSite(tx, deviceId, siteId);
    await insertPlacement(tx, { deviceId, siteId, timeZone: site?.time_zone ?? null, at: now, by: actor });
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "device",
        entityKey: deviceId,
        action: "place",
        before: { site_id: device.site_id },
        after: { site_id: siteId },
      },
    ]);
    return { deviceId, siteId };
  });
}

/** Checks an account's list of sites: every one must exist; an administrator has none (every site). */
export async function checkSiteIds(db: Queryable, role: string, siteIds: unknown): Promise<number[] | null> {
  if (siteIds === undefined || siteIds === null) return null;
  if (role === "admin")
    throw new ConfigAdminError(
      "restricted_admin",
      "Un administrateur voit tous les sites : site_ids doit être null pour lui.",
      { field: "site_ids" },
    );
  if (!Array.isArray(siteIds) || !siteIds.every((id) => Number.isInteger(id) && id > 0 && id < 2 ** 31))
    throw new ConfigAdminError(
      "invalid_site_ids",
      "site_ids : null (tous les sites) ou une liste d'identifiants de sites.",
      {
        field: "site_ids",
      },
    );
  const unique = [...new Set(siteIds as number[])].sort((a, b) => a - b);
  const known = new Set((await sitesByIds(db, unique)).map((s) => s.id));
  if (unique.some((id) => !known.has(id))) throw notFound("site_ids");
  return unique;
}
