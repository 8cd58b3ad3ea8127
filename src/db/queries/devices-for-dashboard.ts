import type { Queryable } from "../database.js";

export interface DashboardDeviceRow {
  device_id: string;
  name: string | null;
  model: string | null;
  last_seen: Date;
}

/** Every registered device, by name (the technical id where it has none). */
export async function devicesForDashboard(db: Queryable): Promise<DashboardDeviceRow[]> {
  const { rows } = await db.query<DashboardDeviceRow>(
    "SELECT device_id, name, model, last_seen FROM devices ORDER BY coalesce(name, device_id), device_id",
  );
  return rows;
}
