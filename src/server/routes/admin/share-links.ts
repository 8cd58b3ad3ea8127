import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  NewShareLinkBody,
  NewShareLinkResponse,
  ShareLinkItem,
  ShareLinkParams,
  ShareLinksResponse,
} from "../../../contracts/share-links.js";
import { SiteParams } from "../../../contracts/sites.js";
import {
  createShareLink,
  listShareLinks,
  revokeShareLink,
  type ShareLink,
} from "../../../sites/share-links.js";
import { ADMIN_NOTE, type AdminRoutesOptions, actorOf, iso, refuseUnknownFields } from "./shared.js";

const linkItem = (l: ShareLink) => ({
  id: l.id,
  site_id: l.siteId,
  label: l.label,
  created_at: iso(l.createdAt),
  created_by: l.createdBy,
  expires_at: iso(l.expiresAt),
  revoked_at: l.revokedAt ? iso(l.revokedAt) : null,
  last_used_at: l.lastUsedAt ? iso(l.lastUsedAt) : null,
  state: l.state,
});

/** Read-only share links of a site (decision 0018). */
export const shareLinkAdminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, clock, access } = options;
  const admin = access.requireSession("admin");

  app.post(
    "/api/admin/sites/:id/share-links",
    {
      onRequest: admin,
      schema: {
        summary: "Crée un lien de partage en lecture seule du site, avec une échéance",
        description:
          `${ADMIN_NOTE} \`expires_in_days\` de 1 à 365 (30 par défaut). Le jeton n'est montré qu'ici : seule ` +
          "son empreinte est gardée. 400 avec `field` ; 404 pour un site inconnu.",
        params: SiteParams,
        body: NewShareLinkBody,
        response: { 201: NewShareLinkResponse },
      },
    },
    async (request, reply) => {
      refuseUnknownFields(request.body, NewShareLinkBody);
      const { link, token } = await createShareLink(
        db,
        request.params.id,
        request.body,
        actorOf(request),
        clock.now(),
      );
      return reply.code(201).send({ link: linkItem(link), token, path: `/partage/${token}` });
    },
  );

  app.get(
    "/api/admin/sites/:id/share-links",
    {
      onRequest: admin,
      schema: {
        summary: "Les liens de partage du site (révoqués et expirés compris), du plus récent au plus ancien",
        description: `${ADMIN_NOTE} 404 pour un site inconnu.`,
        params: SiteParams,
        response: { 200: ShareLinksResponse },
      },
    },
    async (request) => ({
      links: (await listShareLinks(db, request.params.id, clock.now())).map(linkItem),
    }),
  );

  app.delete(
    "/api/admin/share-links/:id",
    {
      onRequest: admin,
      schema: {
        summary: "Révoque un lien de partage (il n'ouvre plus rien ; il reste dans la liste)",
        description: `${ADMIN_NOTE} Révoquer un lien déjà révoqué ne change rien. 404 pour un lien inconnu.`,
        params: ShareLinkParams,
        response: { 200: ShareLinkItem },
      },
    },
    async (request) => linkItem(await revokeShareLink(db, request.params.id, actorOf(request), clock.now())),
  );
};
