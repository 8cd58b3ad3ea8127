import type { MeterScope } from "../../domain/meter-scope.js";
import type { Queryable } from "../database.js";

export interface DashboardDeviceRow {
  device_id: string;
  name: string | null;
  model: string | null;
  last_seen: Date;
  site_id: number | null;
}

/**
 * The registered devices the scope sees, by name (the technical id where it has none). The scope is a
 * required argument: a new caller cannot list the meters without saying for whom.
 */
export async function devicesForDashboard(db: Queryable, scope: MeterScope): Promise<DashboardDeviceRow[]> {
  const { rows } = await db.query<DashboardDeviceRow>(
    `SELECT device_id, name, model, last_seen, site_id FROM devices
     WHERE $1::int[] IS NULL OR site_id = ANY($1::int[])
     ORDER BY coalesce(name, device_id), device_id`,
    [scope.siteIds === null ? null : [...scope.siteIds]],
  );
  return rows;
}
