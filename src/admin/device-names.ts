import type { Database } from "../db/database.js";
import { appendConfigAudit } from "../db/queries/config-audit.js";
import { renameDeviceReturningPrevious } from "../db/queries/device-names.js";
import { ConfigAdminError, unknownDevice } from "./config-errors.js";

export const MAX_DEVICE_NAME_LENGTH = 100;

export interface DeviceName {
  deviceId: string;
  /** null: the technical id is shown */
  name: string | null;
}

/**
 * Sets a device's custom name ("Nom device"); the name is trimmed, and empty or null clears it. Audited when
 * it changes. ConfigAdminError unknown_device (devices register with their first reading) or
 * invalid_device_name.
 */
export async function renameDevice(
  db: Database,
  deviceId: string,
  name: unknown,
  actor: string,
  now: Date,
): Promise<DeviceName> {
  const clean = checkDeviceName(name);
  return db.transaction(async (tx) => {
    const result = await renameDeviceReturningPrevious(tx, deviceId, clean);
    if (result === undefined) throw unknownDevice(deviceId);
    if (result.previous !== clean) {
      await appendConfigAudit(tx, [
        {
          at: now,
          actor,
          entity: "device",
          entityKey: deviceId,
          action: "rename",
          before: { name: result.previous },
          after: { name: clean },
        },
      ]);
    }
    return { deviceId, name: clean };
  });
}

/** The name as stored: trimmed, empty → null; ConfigAdminError invalid_device_name. */
export function checkDeviceName(name: unknown): string | null {
  if (name === null || name === undefined) return null;
  if (typeof name !== "string") {
    throw new ConfigAdminError("invalid_device_name", "Nom d'appareil invalide.", { field: "name" });
  }
  const trimmed = name.trim();
  if (trimmed.length > MAX_DEVICE_NAME_LENGTH) {
    throw new ConfigAdminError(
      "invalid_device_name",
      `Le nom de l'appareil dépasse ${MAX_DEVICE_NAME_LENGTH} caractères.`,
      { field: "name" },
    );
  }
  return trimmed === "" ? null : trimmed;
}
