import type { Queryable } from "../database.js";

/** Whether a device has registered (with its first reading). */
export async function deviceExists(db: Queryable, deviceId: string): Promise<boolean> {
  const { rowCount } = await db.query("SELECT 1 FROM devices WHERE device_id = $1", [deviceId]);
  return rowCount > 0;
}

/** A registered device's custom name (null: none), or undefined when there is no such device. */
export async function deviceNameOf(
  db: Queryable,
  deviceId: string,
): Promise<{ name: string | null } | undefined> {
  const { rows } = await db.query<{ name: string | null }>("SELECT name FROM devices WHERE device_id = $1", [
    deviceId,
  ]);
  return rows[0];
}

/** Sets a device's custom name; returns the previous one, or undefined when there is no such device. */
export async function renameDeviceReturningPrevious(
  tx: Queryable,
  deviceId: string,
  name: string | null,
): Promise<{ previous: string | null } | undefined> {
  const { rows } = await tx.query<{ previous: string | null }>(
    `UPDATE devices AS d SET name = $2
     FROM (SELECT device_id, name FROM devices WHERE device_id = $1 FOR NO KEY UPDATE) AS old
     WHERE d.device_id = old.device_id
     RETURNING old.name AS previous`,
    [deviceId, name],
  );
  const row = rows[0];
  return row ? { previous: row.previous } : undefined;
}
