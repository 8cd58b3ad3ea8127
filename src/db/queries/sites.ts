import type { Queryable } from "../database.js";

export interface SiteRow {
  id: number;
  name: string;
  time_zone: string;
  population_equivalent: number | null;
  sandre_code: string | null;
  location: string | null;
  latitude: number | null;
  longitude: number | null;
  filter_stage_surfaces_m2: number[];
  created_at: Date;
  updated_at: Date;
}

export interface SiteFields {
  name: string;
  timeZone: string;
  populationEquivalent: number | null;
  sandreCode: string | null;
  location: string | null;
  latitude: number | null;
  longitude: number | null;
  filterStageSurfacesM2: number[];
}

const COLUMNS = `id, name, time_zone, population_equivalent, sandre_code, location, latitude, longitude,
  filter_stage_surfaces_m2, created_at, updated_at`;

const values = (f: SiteFields) => [
  f.name,
  f.timeZone,
  f.populationEquivalent,
  f.sandreCode,
  f.location,
  f.latitude,
  f.longitude,
  f.filterStageSurfacesM2,
];

/** The sites among `ids` (null: every site), by name. */
export async function sitesByIds(db: Queryable, ids: readonly number[] | null): Promise<SiteRow[]> {
  const { rows } = await db.query<SiteRow>(
    `SELECT ${COLUMNS} FROM sites WHERE $1::int[] IS NULL OR id = ANY($1::int[]) ORDER BY lower(name), id`,
    [ids === null ? null : [...ids]],
  );
  return rows;
}

export async function siteById(db: Queryable, id: number): Promise<SiteRow | null> {
  const { rows } = await db.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Inserts a site; null when the name (in any case) is taken. */
export async function insertSite(db: Queryable, site: SiteFields, at: Date): Promise<SiteRow | null> {
  const { rows } = await db.query<SiteRow>(
    `INSERT INTO sites (name, time_zone, population_equivalent, sandre_code, location, latitude, longitude,
                        filter_stage_surfaces_m2, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::float8[], $9, $9)
     ON CONFLICT ((lower(name))) DO NOTHING
     RETURNING ${COLUMNS}`,
    [...values(site), at.toISOString()],
  );
  return rows[0] ?? null;
}

/** Rewrites a site's fields; null when there is no such site. Throws on a name taken (unique index). */
export async function updateSite(
  db: Queryable,
  id: number,
  site: SiteFields,
  at: Date,
): Promise<SiteRow | null> {
  const { rows } = await db.query<SiteRow>(
    `UPDATE sites SET name = $2, time_zone = $3, population_equivalent = $4, sandre_code = $5, location = $6,
                      latitude = $7, longitude = $8, filter_stage_surfaces_m2 = $9::float8[], updated_at = $10
     WHERE id = $1
     RETURNING ${COLUMNS}`,
    [id, ...values(site), at.toISOString()],
  );
  return rows[0] ?? null;
}

/** Deletes a site; the foreign key of devices.site_id refuses it while a meter is on it. */
export async function deleteSite(db: Queryable, id: number): Promise<SiteRow | null> {
  const { rows } = await db.query<SiteRow>(`DELETE FROM sites WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  return rows[0] ?? null;
}

/** Takes a deleted site out of the accounts that listed it (users.site_ids is a plain list). */
export async function forgetSiteInUsers(db: Queryable, id: number): Promise<void> {
  await db.query("UPDATE users SET site_ids = array_remove(site_ids, $1) WHERE $1 = ANY(site_ids)", [id]);
}
