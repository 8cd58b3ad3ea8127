import { type Static, Type } from "typebox";

/* Bodies: nullable fields are one JSON-schema `type` array (see contracts/admin.ts); values are checked by
 * the use case, which answers 400 with a French message naming the field. */
const nullable = <T>(
  type: "string" | "number" | "integer" | "array",
  options: Record<string, unknown> = {},
) => Type.Unsafe<T | null>({ type: [type, "null"], ...options });

const siteFields = {
  population_equivalent: Type.Optional(
    nullable<number>("integer", { description: "équivalent-habitants (EH) de la station" }),
  ),
  sandre_code: Type.Optional(nullable<string>("string", { description: "code SANDRE de la station" })),
  location: Type.Optional(nullable<string>("string", { description: "commune, lieu-dit" })),
  latitude: Type.Optional(nullable<number>("number", { description: "degrés, WGS 84" })),
  longitude: Type.Optional(nullable<number>("number", { description: "degrés, WGS 84" })),
  filter_stage_surfaces_m2: Type.Optional(
    nullable<number[]>("array", {
      items: { type: "number" },
      description: "surfaces des étages de filtres plantés, m², premier étage d'abord",
    }),
  ),
};

export const NewSiteBody = Type.Object({
  name: Type.String({ description: "nom de la station" }),
  time_zone: Type.String({ description: "fuseau IANA (Africa/Dakar, Europe/Paris)" }),
  ...siteFields,
});
export type NewSiteBody = Static<typeof NewSiteBody>;

export const SiteChangeBody = Type.Object({
  name: Type.Optional(Type.String()),
  time_zone: Type.Optional(Type.String()),
  ...siteFields,
});

export const SiteParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export const DeviceSiteBody = Type.Object({
  site_id: nullable<number>("integer", { description: "null : sur aucun site (fuseau APP_TIMEZONE)" }),
});

export const SiteItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  time_zone: Type.String(),
  device_ids: Type.Array(Type.String()),
  population_equivalent: Type.Union([Type.Integer(), Type.Null()]),
  sandre_code: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.String(), Type.Null()]),
  latitude: Type.Union([Type.Number(), Type.Null()]),
  longitude: Type.Union([Type.Number(), Type.Null()]),
  filter_stage_surfaces_m2: Type.Array(Type.Number()),
});
export type SiteItem = Static<typeof SiteItem>;

export const SitesResponse = Type.Object({ sites: Type.Array(SiteItem) });

export const DeviceSiteResponse = Type.Object({
  device_id: Type.String(),
  site_id: Type.Union([Type.Integer(), Type.Null()]),
});
