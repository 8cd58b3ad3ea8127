import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  addChannelVersion,
  listChannelVersions,
  updateCurrentChannelConfig,
} from "../../../admin/config-versions.js";
import { previewChannelVersion, type VersionPreview } from "../../../admin/version-preview.js";
import {
  ChannelParams,
  CurrentConfigBody,
  NewVersionBody,
  VersionChangeResponse,
  VersionPreviewResponse,
  VersionsResponse,
} from "../../../contracts/admin.js";
import { addDays } from "../../../domain/config-versions/index.js";
import type { CycleSummary } from "../../../domain/impact/index.js";
import { versionPreviewExplanation } from "../../../i18n/fr.js";
import { zoneOfDevice } from "../../../sites/zones.js";
import {
  ADMIN_NOTE,
  type AdminRoutesOptions,
  actorOf,
  changeResult,
  channelNumber,
  configFields,
  inClientTerms,
  plannedVersion,
  refuseUnknownFields,
  versionItem,
} from "./shared.js";

const round = (value: number | null, decimals: number) =>
  value === null ? 0 : Math.round(value * 10 ** decimals) / 10 ** decimals;

/** Rounded as /api/cycles rounds its summary, so the two can be compared figure for figure. */
const previewFigures = (s: CycleSummary | null) =>
  s === null
    ? null
    : {
        cycles: s.cycles,
        treated_volume_m3: round(s.treatedVolumeM3, 2),
        energy_kwh: round(s.energyKwh, 3),
        co2e_avoided_kg: round(s.co2eAvoidedKg, 1),
      };

const previewResult = (p: VersionPreview, factorSet: string) => ({
  action: p.action,
  explanation: versionPreviewExplanation({
    action: p.action,
    from: p.version.effectiveFrom,
    lastDay: p.version.effectiveTo === null ? null : addDays(p.version.effectiveTo, -1),
    touched: p.touched,
    affected: p.affected,
  }),
  version: plannedVersion(p.version),
  versions: p.versions.map(plannedVersion),
  affected: p.affected,
  before: previewFigures(p.before),
  after: previewFigures(p.after),
  detection_changed: p.detectionChanged,
  factor_set: factorSet,
});

/** A channel's configuration history: list, new version, its preview, and the save of today's version. */
export const channelVersionRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, clock, access, timeZone, settings } = options;
  const admin = access.requireSession("admin");

  app.get(
    "/api/admin/channels/:device_id/:channel/versions",
    {
      onRequest: admin,
      schema: {
        summary: "Historique de configuration d'un canal",
        description: `${ADMIN_NOTE} 404 pour un appareil inconnu.`,
        params: ChannelParams,
        response: { 200: VersionsResponse },
      },
    },
    async (request) => {
      const { device_id: deviceId, channel } = request.params;
      const versions = await inClientTerms(() => listChannelVersions(db, deviceId, channelNumber(channel)));
      return { versions: versions.map(versionItem) };
    },
  );

  app.post(
    "/api/admin/channels/:device_id/:channel/versions",
    {
      onRequest: admin,
      schema: {
        summary: "Nouvelle version de configuration à partir d'une date",
        description:
          `${ADMIN_NOTE} Une date à l'intérieur d'une version la coupe ; la date de début d'une version la ` +
          "corrige (version + 1). 422 pour une date ou une valeur invalide (message et champ en clair).",
        params: ChannelParams,
        body: NewVersionBody,
        response: { 201: VersionChangeResponse },
      },
    },
    async (request, reply) => {
      refuseUnknownFields(request.body, NewVersionBody);
      const { device_id: deviceId, channel } = request.params;
      const input = {
        ...configFields(request.body),
        deviceId,
        channel: channelNumber(channel),
        effectiveFrom: request.body.effective_from,
      };
      const result = await inClientTerms(() => addChannelVersion(db, input, actorOf(request), clock.now()));
      return reply.code(201).send(changeResult(result));
    },
  );

  app.post(
    "/api/admin/channels/:device_id/:channel/versions/preview",
    {
      onRequest: admin,
      schema: {
        summary: "Simulation d'une nouvelle version : ce qu'elle changerait, sans rien enregistrer",
        description:
          `${ADMIN_NOTE} Même corps et mêmes erreurs que POST …/versions. Les chiffres « avant » et « après » ` +
          "sont ceux que /api/cycles donne pour la période `affected` avant et après l'enregistrement (jeu de " +
          "coefficients actif, cycles bruit exclus). `affected` est null quand seuls des jours futurs changent.",
        params: ChannelParams,
        body: NewVersionBody,
        response: { 200: VersionPreviewResponse },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, NewVersionBody);
      const { device_id: deviceId, channel } = request.params;
      const input = {
        ...configFields(request.body),
        deviceId,
        channel: channelNumber(channel),
        effectiveFrom: request.body.effective_from,
      };
      const factorSet = (await settings()).factorSet;
      // the meter's days are its site's: "today" and the period the preview recomputes
      const zone = await zoneOfDevice(db, deviceId, timeZone);
      const preview = await inClientTerms(() =>
        previewChannelVersion(db, input, clock.now(), zone, factorSet),
      );
      return previewResult(preview, factorSet.id);
    },
  );

  app.put(
    "/api/admin/channels/:device_id/:channel/current",
    {
      onRequest: admin,
      schema: {
        summary: "« Enregistrer tout » : modifie la configuration en vigueur aujourd'hui",
        description:
          `${ADMIN_NOTE} La version en vigueur aujourd'hui (fuseau du site) est corrigée (version + 1), ` +
          "l'historique montre donc ce que montre le formulaire ; sans historique, une première version " +
          "commence aujourd'hui.",
        params: ChannelParams,
        body: CurrentConfigBody,
        response: { 200: VersionChangeResponse },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, CurrentConfigBody);
      const { device_id: deviceId, channel } = request.params;
      const input = { ...configFields(request.body), deviceId, channel: channelNumber(channel) };
      // "today", the date of the version written, is the meter's site's
      const zone = await zoneOfDevice(db, deviceId, timeZone);
      const result = await inClientTerms(() =>
        updateCurrentChannelConfig(db, input, actorOf(request), clock.now(), zone),
      );
      return changeResult(result);
    },
  );
};
