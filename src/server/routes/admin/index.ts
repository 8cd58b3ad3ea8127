import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { apiKeyRoutes } from "./api-keys.js";
import { auditRoutes } from "./audit.js";
import { channelVersionRoutes } from "./channels.js";
import { deviceRoutes } from "./devices.js";
import { factorSetRoutes } from "./factor-sets.js";
import { pumpModelRoutes } from "./pump-models.js";
import { settingsRoutes } from "./settings.js";
import { shareLinkAdminRoutes } from "./share-links.js";
import type { AdminRoutesOptions } from "./shared.js";
import { siteAdminRoutes } from "./sites.js";
import { userRoutes } from "./users.js";

export type { AdminRoutesOptions } from "./shared.js";

/**
 * Administration: one file per resource, registered here. Every route needs an administrator's session;
 * each one validates, calls one use case and maps its result.
 */
export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  // Configuration and secrets: never kept by a browser or proxy cache.
  app.addHook("onSend", async (_request, reply) => {
    reply.header("cache-control", "no-store");
  });

  // The order of registration is the order of the OpenAPI document.
  await app.register(channelVersionRoutes, options);
  await app.register(deviceRoutes, options);
  await app.register(pumpModelRoutes, options);
  await app.register(apiKeyRoutes, options);
  await app.register(factorSetRoutes, options);
  await app.register(settingsRoutes, options);
  await app.register(siteAdminRoutes, options);
  await app.register(shareLinkAdminRoutes, options);
  await app.register(userRoutes, options);
  await app.register(auditRoutes, options);
};
