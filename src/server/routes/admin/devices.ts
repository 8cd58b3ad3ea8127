import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  type DeviceConfigurationResult,
  type DeviceOverview,
  devicesOverview,
  saveDeviceConfiguration,
} from "../../../admin/device-configuration.js";
import { renameDevice } from "../../../admin/device-names.js";
import {
  AdminDevicesResponse,
  DeviceConfigurationBody,
  DeviceConfigurationChannel,
  DeviceConfigurationResponse,
  DeviceNameBody,
  DeviceNameResponse,
  DeviceParams,
} from "../../../contracts/admin.js";
import { deviceSaveMessage } from "../../../i18n/fr.js";
import { zoneOfDevice } from "../../../sites/zones.js";
import {
  ADMIN_NOTE,
  type AdminRoutesOptions,
  actorOf,
  configFields,
  inClientTerms,
  iso,
  refuseUnknownFields,
  refuseUnknownItemFields,
  versionItem,
} from "./shared.js";

/** "switch:2", "2" or 2 → 2; anything else is left for the use case to refuse with the field named. */
function channelOf(raw: number | string): number {
  if (typeof raw === "number") return raw;
  const match = /^(?:switch:)?(\d+)$/.exec(raw.trim());
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * A decimal field of a form (the débit, predecessor bug 42; the sump volume): empty saves as NULL, "9,5" is 9.5; any other text is
 * passed on for the domain to refuse with its French message.
 */
function decimalOf(raw: number | string | null | undefined): number | string | null | undefined {
  if (typeof raw !== "string") return raw;
  const text = raw.trim();
  if (text === "") return null;
  return /^-?\d+(?:[.,]\d+)?$/.test(text) ? Number(text.replace(",", ".")) : raw;
}

const adminDeviceItem = (d: DeviceOverview) => ({
  device_id: d.deviceId,
  name: d.name,
  model: d.model,
  last_seen: iso(d.lastSeen),
  dbo5_mg_l: d.dbo5MgL,
  dco_mg_l: d.dcoMgL,
  mes_mg_l: d.mesMgL,
  channels: d.channels.map((c) => ({
    channel: c.channel,
    seen: c.seen,
    version: c.version === null ? null : versionItem(c.version),
  })),
});

const deviceConfigurationResult = (r: DeviceConfigurationResult) => ({
  device_id: r.deviceId,
  name: r.name,
  name_changed: r.nameChanged,
  effective_from: r.effectiveFrom,
  channels: r.channels.map((c) => ({
    channel: c.channel,
    result: c.result,
    version: versionItem(c.version),
  })),
  message: deviceSaveMessage(
    r.effectiveFrom,
    r.channels.map((c) => ({ label: c.version.name ?? `switch:${c.channel}`, result: c.result })),
    r.nameChanged,
  ),
});

/** Devices: the overview with each channel's version in force, the whole-card save and the name. */
export const deviceRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, clock, access, timeZone } = options;
  const admin = access.requireSession("admin");

  app.get(
    "/api/admin/devices",
    {
      onRequest: admin,
      schema: {
        summary: "Appareils et canaux : chaque canal avec sa version en vigueur aujourd'hui",
        description: `${ADMIN_NOTE} Les modèles de pompes sont dans GET /api/admin/pump-models.`,
        response: { 200: AdminDevicesResponse },
      },
    },
    async () => {
      const overview = await devicesOverview(db, clock.now(), timeZone);
      return { today: overview.today, devices: overview.devices.map(adminDeviceItem) };
    },
  );

  app.put(
    "/api/admin/devices/:device_id/configuration",
    {
      onRequest: admin,
      schema: {
        summary: "« Enregistrer tout » d'une carte d'appareil : nom, canaux et qualité d'eau en une fois",
        description:
          `${ADMIN_NOTE} Une seule transaction : pour chaque canal dont une valeur change, une nouvelle version ` +
          "datée d'aujourd'hui (fuseau du site), ou la correction de celle d'aujourd'hui si elle existe. 422 " +
          "avec `field` (« channels.1.flow_rate_m3h ») pour une valeur invalide : rien n'est enregistré. 404 " +
          "pour un appareil inconnu.",
        params: DeviceParams,
        body: DeviceConfigurationBody,
        response: { 200: DeviceConfigurationResponse },
      },
    },
    async (request) => {
      const body = request.body;
      refuseUnknownFields(body, DeviceConfigurationBody);
      refuseUnknownItemFields(body.channels, "channels", DeviceConfigurationChannel);
      const input = {
        deviceId: request.params.device_id,
        ...(body.name === undefined ? {} : { name: body.name }),
        channels: body.channels.map((c) => {
          const flow = decimalOf(c.flow_rate_m3h);
          return {
            ...configFields({
              ...c,
              flow_rate_m3h: flow as number | null | undefined,
              sump_volume_m3: decimalOf(c.sump_volume_m3) as number | null | undefined,
            }),
            channel: channelOf(c.channel),
          };
        }),
        ...(body.dbo5_mg_l === undefined ? {} : { dbo5MgL: body.dbo5_mg_l }),
        ...(body.dco_mg_l === undefined ? {} : { dcoMgL: body.dco_mg_l }),
        ...(body.mes_mg_l === undefined ? {} : { mesMgL: body.mes_mg_l }),
      };
      // "today", the date of the versions written, is the meter's site's
      const zone = await zoneOfDevice(db, input.deviceId, timeZone);
      const result = await inClientTerms(() =>
        saveDeviceConfiguration(db, input, actorOf(request), clock.now(), zone),
      );
      return deviceConfigurationResult(result);
    },
  );

  app.put(
    "/api/admin/devices/:device_id",
    {
      onRequest: admin,
      schema: {
        summary: "Renomme un appareil",
        description: `${ADMIN_NOTE} null ou "" : l'identifiant technique est affiché. 404 pour un appareil inconnu.`,
        params: DeviceParams,
        body: DeviceNameBody,
        response: { 200: DeviceNameResponse },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, DeviceNameBody);
      const { device_id: deviceId } = request.params;
      const renamed = await inClientTerms(() =>
        renameDevice(db, deviceId, request.body.name, actorOf(request), clock.now()),
      );
      return { device_id: renamed.deviceId, name: renamed.name };
    },
  );
};
