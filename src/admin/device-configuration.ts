import type { Database, Queryable } from "../db/database.js";
import type { StoredConfigVersion } from "../db/queries/channel-versions.js";
import { channelsWithReadings } from "../db/queries/channels-with-readings.js";
import { appendConfigAudit } from "../db/queries/config-audit.js";
import { deviceNameOf, renameDeviceReturningPrevious } from "../db/queries/device-names.js";
import { devicesForDashboard } from "../db/queries/devices-for-dashboard.js";
import {
  ConfigVersionError,
  DEFAULT_CHANNEL_CONFIG,
  localDateOf,
  planVersionChange,
  versionAt,
} from "../domain/config-versions/index.js";
import { EVERY_METER } from "../domain/meter-scope.js";
import { ConfigAdminError, unknownDevice } from "./config-errors.js";
import {
  type ChannelConfigFields,
  changeChannelHistory,
  channelVersionsKey,
  checkChannelRef,
  configFieldsOf,
  versionsInForce,
} from "./config-versions.js";
import { checkDeviceName } from "./device-names.js";

const CHANNELS = [0, 1, 2, 3] as const;

export interface DeviceOverview {
  deviceId: string;
  /** the custom name, null when the technical id is shown */
  name: string | null;
  model: string | null;
  lastSeen: Date;
  /** raw-water quality of the card: that of the lowest configured channel today, the defaults without one */
  dbo5MgL: number;
  dcoMgL: number;
  mesMgL: number;
  /**
   * the four channels, each with the version in force today (null: never configured) and whether any
   * reading of it was stored (a channel with no pump wired never has one)
   */
  channels: { channel: number; seen: boolean; version: StoredConfigVersion | null }[];
}

/**
 * The "Appareils et canaux" screen in one read: every device with the version of each channel in force
 * today, in the site's time zone, and whether it ever sent a reading (three statements whatever the number
 * of devices).
 */
export async function devicesOverview(
  db: Queryable,
  now: Date,
  timeZone: string,
): Promise<{ today: string; devices: DeviceOverview[] }> {
  const today = localDateOf(now.getTime() / 1000, timeZone);
  const devices = await devicesForDashboard(db, EVERY_METER);
  const refs = devices.flatMap((d) => CHANNELS.map((channel) => ({ deviceId: d.device_id, channel })));
  const history = await versionsInForce(db, refs, today, today);
  const seen = new Set(
    (
      await channelsWithReadings(
        db,
        devices.map((d) => d.device_id),
      )
    ).map((c) => channelVersionsKey(c)),
  );
  return {
    today,
    devices: devices.map((d) => {
      const channels = CHANNELS.map((channel) => ({
        channel,
        seen: seen.has(channelVersionsKey({ deviceId: d.device_id, channel })),
        version: versionAt(history.get(channelVersionsKey({ deviceId: d.device_id, channel })) ?? [], today),
      }));
      const water = channels.find((c) => c.version !== null)?.version ?? DEFAULT_CHANNEL_CONFIG;
      return {
        deviceId: d.device_id,
        name: d.name,
        model: d.model,
        lastSeen: d.last_seen,
        dbo5MgL: water.dbo5MgL,
        dcoMgL: water.dcoMgL,
        mesMgL: water.mesMgL,
        channels,
      };
    }),
  };
}

export interface DeviceConfigurationInput {
  deviceId: string;
  /** undefined: the name is left as it is; null or "": the technical id is shown */
  name?: unknown;
  /** the channels of the card; a channel left out is not touched */
  channels: ({ channel: number } & ChannelConfigFields)[];
  /** the card's raw-water quality, applied to every channel of `channels`; undefined: each keeps its own */
  dbo5MgL?: number;
  dcoMgL?: number;
  mesMgL?: number;
}

export type ChannelSaveResult = "created" | "corrected" | "unchanged";

export interface DeviceConfigurationResult {
  deviceId: string;
  name: string | null;
  nameChanged: boolean;
  /** the local date of the versions written: today in the site's zone */
  effectiveFrom: string;
  /** one entry per channel of the request, by channel number, with the version in force today afterwards */
  channels: { channel: number; result: ChannelSaveResult; version: StoredConfigVersion }[];
}

const WATER_FIELDS = ["dbo5MgL", "dcoMgL", "mesMgL"] as const;

/** Names the offending input the way the request did: `channels.1.flowRateM3h`, or a card-level field. */
function atChannel(error: unknown, index: number): unknown {
  const field =
    error instanceof ConfigVersionError || error instanceof ConfigAdminError ? error.field : undefined;
  if (field === undefined || field === null) return error;
  if ((WATER_FIELDS as readonly string[]).includes(field)) return error;
  const path = field === "deviceId" ? field : `channels.${index}.${field}`;
  return error instanceof ConfigVersionError
    ? new ConfigVersionError(error.code, error.message, path)
    : new ConfigAdminError((error as ConfigAdminError).code, (error as ConfigAdminError).message, {
        field: path,
        count: (error as ConfigAdminError).count,
      });
}

/**
 * "Enregistrer tout" of a device card, in one transaction: the device's name and, for each channel whose
 * values differ from the version in force today, a new version dated today (site time zone) — or a
 * correction of today's version when one already starts today. All or nothing: one invalid value refuses
 * the whole card, with the field named `channels.<index in the request>.<field>`.
 */
export async function saveDeviceConfiguration(
  db: Database,
  input: DeviceConfigurationInput,
  actor: string,
  now: Date,
  timeZone: string,
): Promise<DeviceConfigurationResult> {
  const today = localDateOf(now.getTime() / 1000, timeZone);
  const name = input.name === undefined ? undefined : checkDeviceName(input.name);
  const water: ChannelConfigFields = {};
  for (const key of WATER_FIELDS) if (input[key] !== undefined) water[key] = input[key];
  const seen = new Map<number, number>();
  const requests = input.channels.map((c, index) => {
    let ref: { deviceId: string; channel: number };
    try {
      ref = checkChannelRef({ deviceId: input.deviceId, channel: c.channel });
    } catch (error) {
      throw atChannel(error, index);
    }
    if (seen.has(ref.channel)) {
      throw new ConfigAdminError("duplicate_channel", `Le canal ${ref.channel} apparaît deux fois.`, {
        field: `channels.${index}.channel`,
      });
    }
    seen.set(ref.channel, index);
    return { index, ref, fields: { ...configFieldsOf(c), ...water } };
  });
  // Channels in number order: two cards saved at once take the channel locks in the same order.
  requests.sort((a, b) => a.ref.channel - b.ref.channel);

  return db.transaction(async (tx) => {
    let current: string | null;
    let nameChanged = false;
    if (name === undefined) {
      const device = await deviceNameOf(tx, input.deviceId);
      if (device === undefined) throw unknownDevice(input.deviceId);
      current = device.name;
    } else {
      const renamed = await renameDeviceReturningPrevious(tx, input.deviceId, name);
      if (renamed === undefined) throw unknownDevice(input.deviceId);
      nameChanged = renamed.previous !== name;
      if (nameChanged) {
        await appendConfigAudit(tx, [
          {
            at: now,
            actor,
            entity: "device",
            entityKey: input.deviceId,
            action: "rename",
            before: { name: renamed.previous },
            after: { name },
          },
        ]);
      }
      current = name;
    }
    const channels: DeviceConfigurationResult["channels"] = [];
    for (const { index, ref, fields } of requests) {
      let change: Awaited<ReturnType<typeof changeChannelHistory>>;
      try {
        change = await changeChannelHistory(
          tx,
          ref,
          actor,
          now,
          (history) => planVersionChange(history, { ...fields, effectiveFrom: today }),
          "same_as_in_force",
        );
      } catch (error) {
        throw atChannel(error, index);
      }
      const result: ChannelSaveResult =
        change.kind === "unchanged" ? "unchanged" : change.kind === "correct" ? "corrected" : "created";
      channels.push({ channel: ref.channel, result, version: change.version });
    }
    return { deviceId: input.deviceId, name: current, nameChanged, effectiveFrom: today, channels };
  });
}
