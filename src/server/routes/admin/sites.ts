import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { DeviceParams } from "../../../contracts/admin.js";
import {
  DeviceSiteBody,
  DeviceSiteResponse,
  NewSiteBody,
  SiteChangeBody,
  SiteItem,
  SiteParams,
} from "../../../contracts/sites.js";
import { changeSite, createSite, placeDevice, removeSite } from "../../../sites/sites.js";
import { siteItem } from "../sites.js";
import { ADMIN_NOTE, type AdminRoutesOptions, actorOf, refuseUnknownFields } from "./shared.js";

/** Sites (treatment plants) and where the meters are. */
export const siteAdminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, clock, access } = options;
  const admin = access.requireSession("admin");

  app.post(
    "/api/admin/sites",
    {
      onRequest: admin,
      schema: {
        summary: "Crée un site (station) : nom, fuseau IANA, EH, code SANDRE, lieu, surfaces des filtres",
        description: `${ADMIN_NOTE} 400 avec \`field\` (time_zone pour un fuseau inconnu) ; 409 pour un nom déjà pris.`,
        body: NewSiteBody,
        response: { 201: SiteItem },
      },
    },
    async (request, reply) => {
      refuseUnknownFields(request.body, NewSiteBody);
      const site = await createSite(db, request.body, actorOf(request), clock.now());
      return reply.code(201).send(siteItem(site));
    },
  );

  app.put(
    "/api/admin/sites/:id",
    {
      onRequest: admin,
      schema: {
        summary: "Modifie un site (les champs absents gardent leur valeur)",
        description: `${ADMIN_NOTE} 400 avec \`field\` ; 404 pour un site inconnu ; 409 pour un nom déjà pris.`,
        params: SiteParams,
        body: SiteChangeBody,
        response: { 200: SiteItem },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, SiteChangeBody);
      return siteItem(await changeSite(db, request.params.id, request.body, actorOf(request), clock.now()));
    },
  );

  app.delete(
    "/api/admin/sites/:id",
    {
      onRequest: admin,
      schema: {
        summary: "Supprime un site sans compteur (ses liens de partage avec lui)",
        description: `${ADMIN_NOTE} 404 pour un site inconnu ; 409 tant qu'un compteur y est placé.`,
        params: SiteParams,
      },
    },
    async (request, reply) => {
      await removeSite(db, request.params.id, actorOf(request), clock.now());
      return reply.code(204).send();
    },
  );

  app.put(
    "/api/admin/devices/:device_id/site",
    {
      onRequest: admin,
      schema: {
        summary: "Place un compteur sur un site (null : sur aucun) à partir de maintenant",
        description:
          `${ADMIN_NOTE} Le passé du compteur garde les jours du fuseau du site où il était. 404 pour un ` +
          "compteur ou un site inconnu.",
        params: DeviceParams,
        body: DeviceSiteBody,
        response: { 200: DeviceSiteResponse },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, DeviceSiteBody);
      const placed = await placeDevice(
        db,
        request.params.device_id,
        request.body.site_id,
        actorOf(request),
        clock.now(),
      );
      return { device_id: placed.deviceId, site_id: placed.siteId };
    },
  );
};
