import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { SitesResponse } from "../../contracts/sites.js";
import type { Database } from "../../db/database.js";
import { listSites, type Site } from "../../sites/sites.js";
import { type Access, scopeOf } from "../access.js";

export const siteItem = (s: Site) => ({
  id: s.id,
  name: s.name,
  time_zone: s.timeZone,
  device_ids: s.deviceIds,
  population_equivalent: s.populationEquivalent,
  sandre_code: s.sandreCode,
  location: s.location,
  latitude: s.latitude,
  longitude: s.longitude,
  filter_stage_surfaces_m2: s.filterStageSurfacesM2,
});

/** The sites the caller may see, each with its meters. */
export const sitesRoutes: FastifyPluginAsyncTypebox<{ db: Database; access: Access }> = async (
  app,
  { db, access },
) => {
  app.get(
    "/api/sites",
    {
      preHandler: access.requireReader,
      schema: {
        summary: "Les sites (stations) que l'utilisateur peut voir, avec leurs compteurs",
        response: { 200: SitesResponse },
      },
    },
    async (request) => ({ sites: (await listSites(db, scopeOf(request))).map(siteItem) }),
  );
};
