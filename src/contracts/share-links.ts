import { type Static, Type } from "typebox";
import { SHARE_LINK_DEFAULT_DAYS, SHARE_LINK_MAX_DAYS } from "../domain/share-link.js";

/* Read-only share links of a site (issue 18 item 5, decision 0018). Values are checked by the use case, which
 * answers 400 with a French message naming the field. */

export const NewShareLinkBody = Type.Object({
  expires_in_days: Type.Optional(
    Type.Integer({
      description: `durée de vie du lien en jours (défaut ${SHARE_LINK_DEFAULT_DAYS}, ${SHARE_LINK_MAX_DAYS} au plus)`,
    }),
  ),
  label: Type.Optional(
    Type.Unsafe<string | null>({
      type: ["string", "null"],
      description: "pour qui (« Mairie de Ndiassane »), 120 caractères au plus",
    }),
  ),
});
export type NewShareLinkBody = Static<typeof NewShareLinkBody>;

export const ShareLinkParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export const ShareLinkItem = Type.Object({
  id: Type.Integer(),
  site_id: Type.Integer(),
  label: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: "date-time" }),
  created_by: Type.String(),
  expires_at: Type.String({ format: "date-time" }),
  revoked_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  last_used_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  state: Type.Union([Type.Literal("live"), Type.Literal("expired"), Type.Literal("revoked")]),
});
export type ShareLinkItem = Static<typeof ShareLinkItem>;

export const ShareLinksResponse = Type.Object({ links: Type.Array(ShareLinkItem) });

export const NewShareLinkResponse = Type.Object({
  link: ShareLinkItem,
  token: Type.String({ description: "montré cette fois seulement : seule son empreinte est gardée" }),
  path: Type.String({ description: "/partage/<token> : l'adresse à envoyer, sur ce site" }),
});
export type NewShareLinkResponse = Static<typeof NewShareLinkResponse>;

export const ShareTokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });

/** What the visitor of a link is shown: the site and the banner's words. */
export const ShareOpened = Type.Object({
  site_id: Type.Integer(),
  site_name: Type.String(),
  time_zone: Type.String(),
  label: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.String(),
  expires_at: Type.String({ format: "date-time" }),
});
export type ShareOpened = Static<typeof ShareOpened>;
