import type { Queryable } from "../database.js";

export interface DeviceSiteRow {
  device_id: string;
  site_id: number | null;
}

/** The meter's row, locked until the end of the transaction; null when it does not exist. */
export async function deviceSiteForUpdate(tx: Queryable, deviceId: string): Promise<DeviceSiteRow | null> {
  const { rows } = await tx.query<DeviceSiteRow>(
    "SELECT device_id, site_id FROM devices WHERE device_id = $1 FOR UPDATE",
    [deviceId],
  );
  return rows[0] ?? null;
}

/** Puts a meter on a site (null: on none), where it is from now on. */
export async function setDeviceSite(tx: Queryable, deviceId: string, siteId: number | null): Promise<void> {
  await tx.query("UPDATE devices SET site_id = $2 WHERE device_id = $1", [deviceId, siteId]);
}

/** Records the move, so the meter's past keeps the zone of the site it was on then. */
export async function insertPlacement(
  tx: Queryable,
  placement: { deviceId: string; siteId: number | null; timeZone: string | null; at: Date; by: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO device_site_placements (device_id, placed_at, site_id, time_zone, placed_by)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (device_id, placed_at)
       DO UPDATE SET site_id = EXCLUDED.site_id, time_zone = EXCLUDED.time_zone, placed_by = EXCLUDED.placed_by`,
    [placement.deviceId, placement.at.toISOString(), placement.siteId, placement.timeZone, placement.by],
  );
}

export interface PlacementRow {
  device_id: string;
  placed_at: Date;
  site_id: number | null;
  time_zone: string | null;
}

/** Every move of these meters, oldest first, with the zone of the site each went to. */
export async function placementsOf(db: Queryable, deviceIds: readonly string[]): Promise<PlacementRow[]> {
  const { rows } = await db.query<PlacementRow>(
    `SELECT p.device_id, p.placed_at, p.site_id, coalesce(s.time_zone, p.time_zone) AS time_zone
     FROM device_site_placements p LEFT JOIN sites s ON s.id = p.site_id
     WHERE p.device_id = ANY($1::text[])
     ORDER BY p.device_id, p.placed_at`,
    [[...deviceIds]],
  );
  return rows;
}

/** The zone of the site a meter is on now; null when it is on none (or does not exist). */
export async function siteZoneOfDevice(db: Queryable, deviceId: string): Promise<string | null> {
  const { rows } = await db.query<{ time_zone: string }>(
    "SELECT s.time_zone FROM devices d JOIN sites s ON s.id = d.site_id WHERE d.device_id = $1",
    [deviceId],
  );
  return rows[0]?.time_zone ?? null;
}
