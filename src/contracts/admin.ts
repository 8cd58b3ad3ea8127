import { type Static, type TSchema, Type } from "typebox";
import { ChannelParam, PumpTypeSchema } from "./read.js";

/*
 * Request bodies: a nullable field is one JSON-schema `type` array, never `anyOf [x, null]`. Fastify's Ajv
 * coerces types, and inside anyOf the first branch turns null into 0, so "clear the flow rate" would
 * arrive as 0. Values (ranges, dates, lengths) are checked by the use cases, which answer 422 with a French
 * message naming the field; the schemas check only the JSON types. Unknown fields are refused by the routes.
 */
const nullable = <T>(type: "string" | "number" | "integer", options: Record<string, unknown> = {}) =>
  Type.Unsafe<T | null>({ type: [type, "null"], ...options });

/** A list of site ids or null, as one `type` array (see above). */
const nullableList = (description: string) =>
  Type.Unsafe<number[] | null>({ type: ["array", "null"], items: { type: "integer" }, description });

/** Responses: serialisation only (no coercion there). */
const Nullable = <T extends TSchema>(t: T, options: Record<string, unknown> = {}) =>
  Type.Union([t, Type.Null()], options);

const DeviceId = Type.String({ minLength: 1, maxLength: 128, description: "identifiant Shelly (src)" });
const Instant = Type.String({ format: "date-time" });

// ---- Channel configuration versions -------------------------------------------------------------------

export const ChannelParams = Type.Object({ device_id: DeviceId, channel: ChannelParam });
export type ChannelParams = Static<typeof ChannelParams>;

const versionFields = {
  name: Type.Optional(
    nullable<string>("string", {
      description: 'nom du canal (« PR1 ») ; null ou "" : l\'identifiant technique',
    }),
  ),
  pump_type: Type.Optional(PumpTypeSchema),
  flow_rate_m3h: Type.Optional(
    nullable<number>("number", { description: "débit effectif, m³/h, > 0 ; null : aucun volume calculé" }),
  ),
  pump_model_id: Type.Optional(
    nullable<number>("integer", { description: "modèle de pompe ; null : aucun" }),
  ),
  dbo5_mg_l: Type.Optional(Type.Number({ description: "DBO5 de l'eau brute, mg/L" })),
  dco_mg_l: Type.Optional(Type.Number({ description: "DCO de l'eau brute, mg/L" })),
  mes_mg_l: Type.Optional(Type.Number({ description: "MES de l'eau brute, mg/L" })),
  activity_threshold_w: Type.Optional(Type.Number({ description: "seuil d'activité, W (> 0)" })),
  stop_gap_min: Type.Optional(Type.Number({ description: "silence qui clôt un cycle, min (> 0)" })),
  min_cycle_min: Type.Optional(Type.Number({ description: "durée minimale d'un cycle, min (> 0)" })),
  sump: Type.Optional(
    Type.String({
      description:
        "bâche (nom court, 1 à 20 caractères, défaut « 1 ») : les canaux de relevage d'un compteur qui ont la " +
        "même bâche vident le même poste",
    }),
  ),
  sump_volume_m3: Type.Optional(
    nullable<number>("number", {
      description:
        "volume utile de la bâche entre le flotteur d'arrêt et celui de démarrage, m³ (surface de la bâche × " +
        "distance entre les flotteurs), > 0 et ≤ 1000 ; null : inconnu (aucun débit mesuré)",
    }),
  ),
};

export const NewVersionBody = Type.Object(
  {
    effective_from: Type.String({
      description: "date d'effet AAAA-MM-JJ, du 2000-01-01 au 2100-12-31 (fuseau du site)",
    }),
    ...versionFields,
  },
  {
    description:
      "Champ absent : recopié de la version en vigueur à cette date ; null : effacé (nom, débit, modèle).",
  },
);
export type NewVersionBody = Static<typeof NewVersionBody>;

export const CurrentConfigBody = Type.Object(versionFields, {
  description:
    "Modifie la version en vigueur aujourd'hui (correction, version + 1). Champ absent : inchangé ; null : effacé.",
});
export type CurrentConfigBody = Static<typeof CurrentConfigBody>;

export const ConfigVersionItem = Type.Object({
  id: Type.Integer(),
  effective_from: Type.String({ description: "AAAA-MM-JJ, inclus" }),
  effective_to: Nullable(Type.String({ description: "AAAA-MM-JJ, exclu ; null : toujours en vigueur" })),
  version: Type.Integer({ description: "1, puis + 1 à chaque correction de la même date" }),
  name: Nullable(Type.String()),
  pump_type: PumpTypeSchema,
  flow_rate_m3h: Nullable(Type.Number()),
  pump_model_id: Nullable(Type.Integer()),
  dbo5_mg_l: Type.Number(),
  dco_mg_l: Type.Number(),
  mes_mg_l: Type.Number(),
  activity_threshold_w: Type.Number(),
  stop_gap_min: Type.Number(),
  min_cycle_min: Type.Number(),
  sump: Type.String(),
  sump_volume_m3: Nullable(Type.Number()),
  created_at: Instant,
  created_by: Nullable(Type.String()),
});

export const VersionsResponse = Type.Object({
  versions: Type.Array(ConfigVersionItem, {
    description: "historique en vigueur, du plus ancien au plus récent",
  }),
});

export const VersionChangeResponse = Type.Object({
  kind: Type.Union(
    [
      Type.Literal("create"),
      Type.Literal("prepend"),
      Type.Literal("split"),
      Type.Literal("correct"),
      Type.Literal("unchanged"),
    ],
    {
      description:
        "create : première version ; prepend : avant la première ; split : coupe une version ; correct : " +
        "remplace la version de cette date (version + 1) ; unchanged : rien à enregistrer",
    },
  ),
  version: ConfigVersionItem,
  versions: Type.Array(ConfigVersionItem),
});

// ---- Devices -------------------------------------------------------------------------------------------

export const DeviceParams = Type.Object({ device_id: DeviceId });
export const DeviceNameBody = Type.Object({
  name: nullable<string>("string", { description: 'nom affiché ; null ou "" : l\'identifiant technique' }),
});
export const DeviceNameResponse = Type.Object({ device_id: Type.String(), name: Nullable(Type.String()) });

// ---- Pump models ---------------------------------------------------------------------------------------

export const PumpModelParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export const PumpModelBody = Type.Object({
  name: Type.String({ description: "1 à 100 caractères, unique (sans tenir compte de la casse)" }),
  power_kw: Type.Number({ description: "puissance, kW (> 0)" }),
  current_a: Type.Number({ description: "intensité, A (> 0)" }),
  nominal_flow_m3h_hmt8: Type.Optional(
    nullable<number>("number", {
      description: "débit à HMT 8 m, m³/h (> 0), pour information ; absent ou null : aucun",
    }),
  ),
});
export type PumpModelBody = Static<typeof PumpModelBody>;

export const PumpModelItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  power_kw: Type.Number(),
  current_a: Type.Number(),
  nominal_flow_m3h_hmt8: Nullable(Type.Number()),
  label: Type.String({
    description: "« Nom (0.75 kW, 4.8 A, 18 m³/h si HMT 8) » ou « Nom (0.55 kW, 3.2 A) »",
  }),
  created_at: Instant,
  updated_at: Nullable(Instant),
});

export const PumpModelsResponse = Type.Object({ pump_models: Type.Array(PumpModelItem) });

// ---- API keys ------------------------------------------------------------------------------------------

export const ApiKeyParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

export const ApiKeyBody = Type.Object({
  name: Type.String({ description: "1 à 100 caractères (« collecteur site A »)" }),
});

export const ApiKeyItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  created_at: Instant,
  created_by: Nullable(Type.String()),
  last_used_at: Nullable(Instant),
  revoked_at: Nullable(Instant),
});

export const ApiKeysResponse = Type.Object({ api_keys: Type.Array(ApiKeyItem) });

export const CreatedApiKeyResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  created_at: Instant,
  key: Type.String({ description: "la clé secrète, montrée cette seule fois (en-tête X-Api-Key)" }),
});

// ---- Factor sets ---------------------------------------------------------------------------------------

const Coefficients = Type.Object({
  bo_kg_ch4_per_kg_dbo5: Type.Number(),
  bo_kg_ch4_per_kg_dco: Nullable(Type.Number()),
  mcf_reference: Type.Number(),
  mcf_filter: Type.Number(),
  effluent: Nullable(
    Type.Object({ mcf: Type.Number(), outlet_dbo5_mg_l: Type.Number(), outlet_dco_mg_l: Type.Number() }),
  ),
  gwp_ch4: Type.Number(),
  mes_co2e_kg_per_kg: Type.Number(),
});

export const FactorSetsResponse = Type.Object({
  default_factor_set: Type.String(),
  factor_sets: Type.Array(
    Type.Object({
      id: Type.String(),
      label: Type.String(),
      reference_scenario: Type.String({ description: "scénario de référence par défaut" }),
      reference_label: Type.String(),
      gwp_label: Type.String(),
      coefficients: Coefficients,
      reference_scenarios: Type.Array(
        Type.Object({
          id: Type.String({ description: "valeur du paramètre `reference` de /api/cycles" }),
          label: Type.String(),
          mcf_reference: Type.Number(),
          default: Type.Boolean(),
        }),
      ),
      gwp_choices: Type.Array(
        Type.Object({
          id: Type.String(),
          label: Type.String(),
          gwp_ch4: Type.Number(),
          default: Type.Boolean(),
        }),
      ),
      excluded: Type.Array(Type.String()),
      sources: Type.Array(Type.String()),
    }),
  ),
});

// ---- Devices and channels screen (issue 7) ---------------------------------------------------------------

/** The version in force today of a channel, without its period's history around it. */
export const AdminDeviceChannel = Type.Object({
  channel: Type.Integer({ minimum: 0, maximum: 3 }),
  seen: Type.Boolean({ description: "au moins un relevé de ce canal a été reçu" }),
  version: Nullable(ConfigVersionItem, {
    description: "version en vigueur aujourd'hui (fuseau du site) ; null : canal jamais configuré",
  }),
});

export const AdminDevicesResponse = Type.Object({
  today: Type.String({ description: "date du jour AAAA-MM-JJ dans le fuseau du site" }),
  devices: Type.Array(
    Type.Object({
      device_id: Type.String(),
      name: Nullable(Type.String({ description: "nom choisi ; null : l'identifiant technique est affiché" })),
      model: Nullable(Type.String()),
      last_seen: Instant,
      dbo5_mg_l: Type.Number({
        description: "qualité d'eau brute de la carte : celle du premier canal configuré, sinon 570",
      }),
      dco_mg_l: Type.Number({ description: "idem, défaut 1250" }),
      mes_mg_l: Type.Number({ description: "idem, défaut 650" }),
      channels: Type.Array(AdminDeviceChannel, { description: "les 4 canaux, 0 à 3" }),
    }),
  ),
});

const ChannelNumberInput = Type.Unsafe<number | string>({
  type: ["integer", "string"],
  description: "canal 0–3, ou « switch:N »",
});

export const DeviceConfigurationChannel = Type.Object({
  channel: ChannelNumberInput,
  name: versionFields.name,
  pump_model_id: versionFields.pump_model_id,
  pump_type: versionFields.pump_type,
  flow_rate_m3h: Type.Optional(
    Type.Unsafe<number | string | null>({
      type: ["number", "string", "null"],
      description: 'débit effectif, m³/h, > 0 ; null ou "" : aucun (enregistré NULL) ; « 9,5 » accepté',
    }),
  ),
  activity_threshold_w: versionFields.activity_threshold_w,
  sump: versionFields.sump,
  sump_volume_m3: Type.Optional(
    Type.Unsafe<number | string | null>({
      type: ["number", "string", "null"],
      description: 'volume utile de la bâche, m³, > 0 ; null ou "" : inconnu ; « 2,4 » accepté',
    }),
  ),
});
export type DeviceConfigurationChannel = Static<typeof DeviceConfigurationChannel>;

export const DeviceConfigurationBody = Type.Object(
  {
    name: Type.Optional(
      nullable<string>("string", {
        description: "nom de l'appareil ; null ou \"\" : l'identifiant ; absent : inchangé",
      }),
    ),
    channels: Type.Array(DeviceConfigurationChannel, {
      maxItems: 4,
      description: "canaux de la carte ; un canal absent n'est pas touché",
    }),
    dbo5_mg_l: Type.Optional(
      Type.Number({ description: "DBO5, mg/L, appliquée à chaque canal de la liste" }),
    ),
    dco_mg_l: Type.Optional(Type.Number({ description: "DCO, mg/L, idem" })),
    mes_mg_l: Type.Optional(Type.Number({ description: "MES, mg/L, idem" })),
  },
  {
    description:
      "Champ absent : valeur en vigueur aujourd'hui conservée. Une valeur invalide refuse toute la carte (422, " +
      "`field` = « channels.<rang dans la liste>.<champ> » ou le champ de la carte).",
  },
);
export type DeviceConfigurationBody = Static<typeof DeviceConfigurationBody>;

export const DeviceConfigurationResponse = Type.Object({
  device_id: Type.String(),
  name: Nullable(Type.String()),
  name_changed: Type.Boolean(),
  effective_from: Type.String({ description: "date des versions écrites : aujourd'hui, fuseau du site" }),
  channels: Type.Array(
    Type.Object({
      channel: Type.Integer(),
      result: Type.Union([Type.Literal("created"), Type.Literal("corrected"), Type.Literal("unchanged")], {
        description:
          "created : nouvelle version datée d'aujourd'hui ; corrected : la version d'aujourd'hui corrigée " +
          "(version + 1) ; unchanged : rien d'écrit",
      }),
      version: ConfigVersionItem,
    }),
  ),
  message: Type.String({
    description: "« Nouvelle version datée du 28/11/2026 pour PR1 ; PS inchangé. »",
  }),
});

// ---- Version preview -----------------------------------------------------------------------------------

const PlannedVersion = Type.Object({
  effective_from: Type.String(),
  effective_to: Nullable(Type.String()),
  version: Type.Integer(),
  name: Nullable(Type.String()),
  pump_type: PumpTypeSchema,
  flow_rate_m3h: Nullable(Type.Number()),
  pump_model_id: Nullable(Type.Integer()),
  dbo5_mg_l: Type.Number(),
  dco_mg_l: Type.Number(),
  mes_mg_l: Type.Number(),
  activity_threshold_w: Type.Number(),
  stop_gap_min: Type.Number(),
  min_cycle_min: Type.Number(),
  sump: Type.String(),
  sump_volume_m3: Nullable(Type.Number()),
});

const PreviewFigures = Type.Object({
  cycles: Type.Integer(),
  treated_volume_m3: Type.Number({ description: "arrondi comme /api/cycles (2 décimales)" }),
  energy_kwh: Type.Number({ description: "3 décimales" }),
  co2e_avoided_kg: Type.Number({ description: "1 décimale" }),
});

export const VersionPreviewResponse = Type.Object({
  action: Type.Union([
    Type.Literal("create"),
    Type.Literal("prepend"),
    Type.Literal("split"),
    Type.Literal("correct"),
  ]),
  explanation: Type.String({
    description: "phrase en français : ce que la version coupe ou corrige, de quand à quand",
  }),
  version: PlannedVersion,
  versions: Type.Array(PlannedVersion, {
    description: "l'historique tel qu'il serait, du plus ancien au plus récent",
  }),
  affected: Nullable(
    Type.Object(
      { from: Type.String(), to: Type.String() },
      { description: "jours passés recalculés, inclus" },
    ),
  ),
  before: Nullable(PreviewFigures),
  after: Nullable(PreviewFigures),
  detection_changed: Type.Boolean({
    description: "les réglages de détection en vigueur aujourd'hui changent : les cycles seraient redétectés",
  }),
  factor_set: Type.String(),
});

// ---- Settings ------------------------------------------------------------------------------------------

const FactorSetChoiceSchema = Type.Object({
  id: Type.String({ description: "fp-2026 ou ipcc-2019-vf" }),
  reference: Type.Optional(
    nullable<string>("string", {
      description: "ipcc-2019-vf : untreated, septic ou aerobic ; null : défaut",
    }),
  ),
  gwp: Type.Optional(
    nullable<string>("string", { description: "ipcc-2019-vf : ar5 ou ar6 ; null : défaut" }),
  ),
});

const GridFactorSchema = Type.Object({
  kg_co2e_per_kwh: Type.Number({ description: "kg CO₂e par kWh, 0 à 2" }),
  source: Type.String({ description: "source du facteur, 3 à 300 caractères" }),
});

export const SettingsBody = Type.Object(
  {
    factor_set: Type.Optional(FactorSetChoiceSchema),
    grid_factor: Type.Optional(
      Type.Unsafe<Static<typeof GridFactorSchema> | null>({
        ...GridFactorSchema,
        type: ["object", "null"],
        description: "null : aucun facteur (même si GRID_CO2E_* en donne un)",
      }),
    ),
    raw_retention_months: Type.Optional(
      nullable<number>("number", {
        description:
          "mois de relevés minute conservés (entier, au moins 1) ; null : tout garder. Les sommes horaires et " +
          "les cycles sont gardés pour toujours.",
      }),
    ),
  },
  { description: "Champ absent : inchangé." },
);
export type SettingsBody = Static<typeof SettingsBody>;
export const SettingsFactorSetBody = FactorSetChoiceSchema;
export const SettingsGridFactorBody = GridFactorSchema;

export const SettingsResponse = Type.Object({
  factor_set: Type.Object({
    id: Type.String(),
    reference: Nullable(Type.String()),
    gwp: Nullable(Type.String()),
    label: Type.String(),
    reference_scenario: Type.String({ description: "scénario de référence effectif" }),
    gwp_label: Type.String(),
    origin: Type.Union([Type.Literal("stored"), Type.Literal("default")]),
  }),
  grid_factor: Nullable(Type.Object({ kg_co2e_per_kwh: Type.Number(), source: Type.String() })),
  grid_factor_origin: Type.Union(
    [Type.Literal("stored"), Type.Literal("environment"), Type.Literal("none")],
    {
      description: "stored : enregistré ici ; environment : GRID_CO2E_* ; none : aucun facteur",
    },
  ),
  raw_retention_months: Nullable(
    Type.Integer({ description: "mois de relevés minute conservés ; null : tout est gardé (défaut)" }),
  ),
  updated_at: Nullable(Instant),
  updated_by: Nullable(Type.String()),
});

// ---- Users ---------------------------------------------------------------------------------------------

export const UserParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export const UserItem = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  role: Type.Union([Type.Literal("admin"), Type.Literal("operator"), Type.Literal("viewer")]),
  site_ids: Nullable(Type.Array(Type.Integer(), { description: "null : tous les sites" })),
  active: Type.Boolean(),
  disabled_at: Nullable(Instant),
  created_at: Instant,
  created_by: Nullable(Type.String()),
  last_login_at: Nullable(Instant),
});

export const UsersResponse = Type.Object({ users: Type.Array(UserItem) });

export const NewUserBody = Type.Object({
  email: Type.String(),
  role: Type.String({ description: "admin, operator ou viewer" }),
  site_ids: Type.Optional(
    nullableList("null ou absent : tous les sites (toujours pour un administrateur) ; une liste : ces sites"),
  ),
  password: Type.Optional(
    nullable<string>("string", {
      description: "12 à 1024 caractères ; absent ou null : un mot de passe est généré",
    }),
  ),
});

export const UserRoleBody = Type.Object({ role: Type.String({ description: "admin, operator ou viewer" }) });

export const UserSitesBody = Type.Object({
  site_ids: nullableList("null : tous les sites ; une liste : ces sites seulement"),
});

export const PasswordBody = Type.Object({
  password: Type.Optional(
    nullable<string>("string", {
      description: "12 à 1024 caractères ; absent ou null : un mot de passe est généré",
    }),
  ),
});

export const UserWithPasswordResponse = Type.Object({
  user: UserItem,
  password: Nullable(
    Type.String({ description: "le mot de passe généré, montré cette seule fois ; null s'il a été fourni" }),
  ),
});

// ---- Audit ---------------------------------------------------------------------------------------------

export const AuditQuery = Type.Object({
  device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  kind: Type.Optional(
    Type.Union(
      [
        Type.Literal("channel_version"),
        Type.Literal("pump_model"),
        Type.Literal("device"),
        Type.Literal("api_key"),
        Type.Literal("user"),
        Type.Literal("settings"),
        Type.Literal("journal_entry"),
        Type.Literal("site"),
        Type.Literal("share_link"),
      ],
      { description: "type d'objet modifié" },
    ),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditResponse = Type.Object({
  entries: Type.Array(
    Type.Object({
      id: Type.Integer(),
      at: Instant,
      actor: Type.String(),
      kind: Type.String(),
      action: Type.String(),
      entity_key: Type.String({
        description: "id de la version, du modèle, de la clé, du compte ; appareil ; clé du réglage",
      }),
      device_id: Nullable(Type.String()),
      channel: Nullable(Type.Integer()),
      summary: Type.String({ description: "résumé en français" }),
      before: Type.Unknown({ description: "état avant (objet JSON) ou null" }),
      after: Type.Unknown({ description: "état après (objet JSON) ou null" }),
    }),
  ),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});
