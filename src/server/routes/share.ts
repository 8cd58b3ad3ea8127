import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Clock } from "../../clock.js";
import { ShareOpened, ShareTokenParams } from "../../contracts/share-links.js";
import type { Database } from "../../db/database.js";
import { openShareLink } from "../../sites/share-links.js";
import { SHARE_COOKIE } from "../access.js";
import { AppError } from "../errors.js";

/** The share cookie lives as long as the link, 12 hours at most: a visit re-opens it from the link. */
const COOKIE_MAX_S = 12 * 3600;

const cookieOptions = (maxAge: number) => ({
  path: "/api",
  httpOnly: true,
  secure: true,
  // the link is opened by the page itself (same origin): the cookie never needs to cross sites
  sameSite: "strict" as const,
  maxAge,
});

/**
 * A visitor's entry by a share link (decision 0018): the token becomes an HttpOnly cookie that the reading
 * routes accept as a viewer of the link's site (`requireReader`, the same scope as a restricted account).
 */
export const shareRoutes: FastifyPluginAsyncTypebox<{ db: Database; clock: Clock }> = async (
  app,
  { db, clock },
) => {
  app.get(
    "/api/share/:token",
    {
      schema: {
        summary: "Ouvre un lien de partage : lecture seule du tableau de bord d'un site, sans compte",
        description:
          `Pose le cookie \`${SHARE_COOKIE}\` (HttpOnly, SameSite=Strict, chemin /api), que les routes de lecture ` +
          "acceptent comme un lecteur de ce seul site, et renvoie ce que le bandeau affiche. 410 pour un lien " +
          "expiré ou révoqué, 401 pour un lien inconnu (le cookie est alors effacé).",
        params: ShareTokenParams,
        response: { 200: ShareOpened },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      const now = clock.now();
      const opened = await openShareLink(db, request.params.token, now);
      if (opened.kind !== "open") {
        reply.clearCookie(SHARE_COOKIE, { path: "/api" });
        throw new AppError(
          opened.kind === "gone" ? "share_link_gone" : "share_link_unknown",
          opened.kind === "gone" ? 410 : 401,
        );
      }
      const { link } = opened;
      const left = Math.floor((link.expiresAt.getTime() - now.getTime()) / 1000);
      reply.setCookie(
        SHARE_COOKIE,
        request.params.token,
        cookieOptions(Math.max(1, Math.min(left, COOKIE_MAX_S))),
      );
      return {
        site_id: link.siteId,
        site_name: link.siteName,
        time_zone: link.timeZone,
        label: link.label,
        created_by: link.createdBy,
        expires_at: link.expiresAt.toISOString(),
      };
    },
  );
};
