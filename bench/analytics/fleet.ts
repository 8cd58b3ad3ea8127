// Devices and channel configurations of the simulated fleet, written with the service's own code.

import type { SimulatedDevice } from "../../simulator/index.js";
import { addChannelVersion } from "../../src/admin/config-versions.js";
import type { Database } from "../../src/db/database.js";
import { addDays, localDateOf } from "../../src/domain/config-versions/index.js";
import { modelFromDeviceId } from "../../src/domain/shelly/parse-message.js";

export async function insertDevices(
  db: Database,
  devices: readonly SimulatedDevice[],
  startS: number,
  endS: number,
): Promise<void> {
  await db.query(
    `INSERT INTO devices (device_id, model, first_seen, last_seen)
     SELECT id, model, to_timestamp($3), to_timestamp($4) FROM unnest($1::text[], $2::text[]) AS d(id, model)`,
    [devices.map((d) => d.id), devices.map((d) => modelFromDeviceId(d.id)), startS, endS],
  );
}

/**
 * A configuration for every channel, as a site would have it: lift pumps ("relevage", Pedrollo VXM, a flow
 * rate), the outlet pump ("sortie"), the idle channel ("autre", no flow rate); default detection settings.
 * Lift pumps get a second version half-way (the flow rate re-measured), so the report looks up the version
 * of each cycle's date across a change. Returns the number of versions written.
 */
export async function configureChannels(
  db: Database,
  devices: readonly SimulatedDevice[],
  startS: number,
  endS: number,
  timeZone: string,
): Promise<number> {
  const from = addDays(localDateOf(startS, timeZone), -1);
  const middle = localDateOf(Math.floor((startS + endS) / 2), timeZone);
  const now = new Date();
  let written = 0;
  for (const device of devices) {
    for (const ch of device.channels) {
      const ref = { deviceId: device.id, channel: ch.channel };
      const quality = { dbo5MgL: 300, dcoMgL: 700, mesMgL: 280 };
      const config =
        ch.role === "lift"
          ? { name: `PR${ch.channel + 1}`, pumpType: "relevage" as const, flowRateM3h: 12, pumpModelId: 1 }
          : ch.role === "outlet"
            ? { name: "PS", pumpType: "sortie" as const, flowRateM3h: 8, pumpModelId: 2 }
            : { name: "Aux", pumpType: "autre" as const, flowRateM3h: null, pumpModelId: null };
      await addChannelVersion(db, { ...ref, ...quality, ...config, effectiveFrom: from }, "bench", now);
      written++;
      if (ch.role === "lift" && middle > from) {
        await addChannelVersion(db, { ...ref, flowRateM3h: 13.5, effectiveFrom: middle }, "bench", now);
        written++;
      }
    }
  }
  return written;
}
