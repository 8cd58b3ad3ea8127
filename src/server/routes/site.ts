import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { SiteResponse } from "../../contracts/read.js";

/** What the web application needs before anyone signs in: the zone its dates are shown in. */
export const siteRoutes: FastifyPluginAsyncTypebox<{ timeZone: string; publicDashboard: boolean }> = async (
  app,
  { timeZone, publicDashboard },
) => {
  app.get(
    "/api/site",
    {
      schema: {
        summary: "Réglages publics du site (fuseau horaire, tableau de bord public)",
        response: { 200: SiteResponse },
      },
    },
    async () => ({ time_zone: timeZone, public_dashboard: publicDashboard }),
  );
};
