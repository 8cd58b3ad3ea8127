/**
 * The volumetric method applied to a listing of cycles (issue 17): what `/api/cycles?volume_method=volumetric`
 * counts for each cycle instead of runtime × débit effectif.
 */
import type { Database } from "../db/database.js";
import { meterHours } from "../db/queries/meter-hours.js";
import { sumpCyclesInRange } from "../db/queries/sump-cycles-in-range.js";
import type { ConfigVersion } from "../domain/config-versions/index.js";
import { SILENCE_READ_MARGIN_S, silentHours } from "../domain/pump-health/silences.js";
import { type ChannelHistories, sumpsOf } from "../domain/pump-health/sumps.js";
import { MAX_FILL_S, measureSump } from "../domain/pump-health/volumetric.js";

const CHANNELS = [0, 1, 2, 3];
const channelKey = (c: { deviceId: string; channel: number }) => `${c.deviceId}_${c.channel}`;

/** A cycle's water by the volumetric method (Q·t1), for `/api/cycles?volume_method=volumetric`. */
export interface MeasuredVolume {
  deviceId: string;
  channel: number;
  startMinute: number;
  runtimeMin: number;
  volumeM3: number;
}

export const measuredKey = (deviceId: string, channel: number, startMinute: number) =>
  `${deviceId}_${channel}_${startMinute}`;

/**
 * The measured volume of every qualifying cycle of these channels starting in [fromS, toS): each meter's
 * sumps as configured on `toDate`, each read whole (the other pumps decide the fill). Cycles that do not
 * qualify are absent: they count at runtime × débit effectif.
 */
export async function measuredVolumes(
  db: Database,
  /** the histories of every channel of these channels' meters (the sump's other pumps decide the fill) */
  histories: ReadonlyMap<string, ConfigVersion[]>,
  channels: readonly { deviceId: string; channel: number }[],
  fromS: number,
  toS: number,
  toDate: string,
): Promise<Map<string, MeasuredVolume>> {
  const out = new Map<string, MeasuredVolume>();
  const wanted = new Set(channels.map((c) => channelKey(c)));
  for (const deviceId of new Set(channels.map((c) => c.deviceId))) {
    const own: ChannelHistories = new Map(
      CHANNELS.map((channel) => [channel, histories.get(channelKey({ deviceId, channel })) ?? []]),
    );
    // the meter's silences (a fill holding one does not qualify), read once for its sumps
    let silent: number[] | null = null;
    for (const sump of sumpsOf(own, toDate)) {
      if (
        sump.volumeM3 === null ||
        !sump.channels.some((channel) => wanted.has(channelKey({ deviceId, channel })))
      )
        continue;
      const cycles = await sumpCyclesInRange(db, deviceId, sump.channels, fromS - MAX_FILL_S, toS);
      if (silent === null) {
        const fromHour = Math.floor((fromS - MAX_FILL_S - SILENCE_READ_MARGIN_S) / 3600);
        const toHour = Math.ceil((toS + SILENCE_READ_MARGIN_S) / 3600);
        silent = silentHours(
          await meterHours(db, deviceId, fromHour * 3600, toHour * 3600),
          fromHour,
          toHour,
        );
      }
      const measured = measureSump(cycles, sump.volumeM3, silent);
      measured.forEach((m, i) => {
        const c = cycles[i];
        if (!c || m.pumpedM3 === null || c.startMinute * 60 < fromS) return;
        if (!wanted.has(channelKey({ deviceId, channel: c.channel }))) return;
        out.set(measuredKey(deviceId, c.channel, c.startMinute), {
          deviceId,
          channel: c.channel,
          startMinute: c.startMinute,
          runtimeMin: c.runtimeMin,
          volumeM3: m.pumpedM3,
        });
      });
    }
  }
  return out;
}

/** Every channel of the meters of these channels: a sump's pumps are read together. */
export function meterChannelsOf<T extends { deviceId: string }>(channels: readonly T[]) {
  return [...new Set(channels.map((c) => c.deviceId))].flatMap((deviceId) =>
    CHANNELS.map((channel) => ({ deviceId, channel })),
  );
}
