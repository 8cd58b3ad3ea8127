import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { createAuditedApiKey, revokeAuditedApiKey } from "../../admin/api-keys.js";
import { auditLog } from "../../admin/audit-log.js";
import { ConfigAdminError } from "../../admin/config-errors.js";
import {
  addChannelVersion,
  type ChannelConfigFields,
  listChannelVersions,
  type StoredConfigVersion,
  updateCurrentChannelConfig,
  type VersionChangeResult,
} from "../../admin/config-versions.js";
import {
  type DeviceConfigurationResult,
  type DeviceOverview,
  devicesOverview,
  saveDeviceConfiguration,
} from "../../admin/device-configuration.js";
import { renameDevice } from "../../admin/device-names.js";
import {
  createPumpModel,
  deletePumpModel,
  listPumpModels,
  type PumpModel,
  updatePumpModel,
} from "../../admin/pump-models.js";
import { type Settings, type SettingsDefaults, updateSettings } from "../../admin/settings.js";
import {
  type AdminUser,
  changeRole,
  createAccount,
  disableAccount,
  enableAccount,
  listAccounts,
  resetPassword,
} from "../../admin/user-admin.js";
import { previewChannelVersion, type VersionPreview } from "../../admin/version-preview.js";
import type { Clock } from "../../clock.js";
import {
  AdminDevicesResponse,
  ApiKeyBody,
  ApiKeyParams,
  ApiKeysResponse,
  AuditQuery,
  AuditResponse,
  ChannelParams,
  CreatedApiKeyResponse,
  CurrentConfigBody,
  DeviceConfigurationBody,
  DeviceConfigurationChannel,
  DeviceConfigurationResponse,
  DeviceNameBody,
  DeviceNameResponse,
  DeviceParams,
  FactorSetsResponse,
  NewUserBody,
  NewVersionBody,
  PasswordBody,
  PumpModelBody,
  PumpModelItem,
  PumpModelParams,
  PumpModelsResponse,
  SettingsBody,
  SettingsFactorSetBody,
  SettingsGridFactorBody,
  SettingsResponse,
  UserItem,
  UserParams,
  UserRoleBody,
  UsersResponse,
  UserWithPasswordResponse,
  VersionChangeResponse,
  VersionPreviewResponse,
  VersionsResponse,
} from "../../contracts/admin.js";
import type { Database } from "../../db/database.js";
import { listApiKeys } from "../../db/queries/api-keys.js";
import { addDays, type ConfigVersion, ConfigVersionError } from "../../domain/config-versions/index.js";
import type { CycleSummary } from "../../domain/impact/index.js";
import {
  DEFAULT_FACTOR_SET_ID,
  FACTOR_SET_IDS,
  type FactorSet,
  FP_2026,
  type GwpChoice,
  type IpccReference,
  ipcc2019Vf,
} from "../../domain/impact/index.js";
import { auditSummary, deviceSaveMessage, versionPreviewExplanation } from "../../i18n/fr.js";
import { type Access, currentUser } from "../access.js";
import { AppError } from "../errors.js";

export interface AdminRoutesOptions {
  db: Database;
  clock: Clock;
  access: Access;
  /** the site's zone: "today" of the current-configuration save */
  timeZone: string;
  /** the settings in force, read from the database on each call */
  settings: () => Promise<Settings>;
  /** GRID_CO2E_* of the environment: used while no value is stored */
  settingsDefaults: SettingsDefaults;
}

const ADMIN_NOTE =
  "Session administrateur requise (401 sans session, 403 pour un lecteur). Pour POST/PUT/DELETE : en-tête " +
  "`X-Requested-With: pumpwatch` et `Origin` identique au site (403 sinon).";
const MAX_API_KEY_NAME_LENGTH = 100;
const IPCC_REFERENCES: readonly IpccReference[] = ["untreated", "septic", "aerobic"];
const GWP_CHOICES: readonly GwpChoice[] = ["ar5", "ar6"];

const iso = (date: Date) => date.toISOString();
const channelNumber = (raw: string) => Number(raw.replace("switch:", ""));
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The use cases name fields in camelCase; the client sent snake_case: the error names its own field. */
async function inClientTerms<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConfigVersionError && error.field !== null) {
      throw new ConfigVersionError(error.code, error.message, snakeCase(error.field));
    }
    if (error instanceof ConfigAdminError && error.field !== null) {
      throw new ConfigAdminError(error.code, error.message, {
        field: snakeCase(error.field),
        count: error.count,
      });
    }
    throw error;
  }
}

/**
 * Fields the schema does not know are refused rather than ignored: a misspelt `flow_rate` must not quietly
 * create a version that copies the old flow rate.
 */
function refuseUnknownFields(body: object, known: { properties: Record<string, unknown> }): void {
  const unknown = Object.keys(body).filter((key) => !Object.hasOwn(known.properties, key));
  if (unknown.length > 0) throw new AppError("unknown_field", 400, unknown.join(", "));
}

/** The same rule inside each element of an array field, naming the element: `channels.1.flow_rate`. */
function refuseUnknownItemFields(
  items: readonly object[],
  path: string,
  known: { properties: Record<string, unknown> },
): void {
  items.forEach((item, index) => {
    const unknown = Object.keys(item).filter((key) => !Object.hasOwn(known.properties, key));
    if (unknown.length > 0) {
      throw new AppError("unknown_field", 400, unknown.map((key) => `${path}.${index}.${key}`).join(", "));
    }
  });
}

/** The same rule inside an object field: `grid_factor.year`. */
function refuseUnknownNestedFields(
  value: object,
  path: string,
  known: { properties: Record<string, unknown> },
): void {
  const unknown = Object.keys(value).filter((key) => !Object.hasOwn(known.properties, key));
  if (unknown.length > 0) {
    throw new AppError("unknown_field", 400, unknown.map((key) => `${path}.${key}`).join(", "));
  }
}

/** "switch:2", "2" or 2 → 2; anything else is left for the use case to refuse with the field named. */
function channelOf(raw: number | string): number {
  if (typeof raw === "number") return raw;
  const match = /^(?:switch:)?(\d+)$/.exec(raw.trim());
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * The débit field of a form (predecessor bug 42): empty saves as NULL, "9,5" is 9.5; any other text is
 * passed on for the domain to refuse with its French message.
 */
function flowRateOf(raw: number | string | null | undefined): number | string | null | undefined {
  if (typeof raw !== "string") return raw;
  const text = raw.trim();
  if (text === "") return null;
  return /^-?\d+(?:[.,]\d+)?$/.test(text) ? Number(text.replace(",", ".")) : raw;
}

function actorOf(request: FastifyRequest): string {
  return sessionUserOf(request).email;
}

function sessionUserOf(request: FastifyRequest) {
  const user = currentUser(request);
  if (!user) throw new AppError("session_required", 401);
  return user;
}

function configFields(body: CurrentConfigBody): ChannelConfigFields {
  return {
    name: body.name,
    pumpType: body.pump_type,
    flowRateM3h: body.flow_rate_m3h,
    pumpModelId: body.pump_model_id,
    dbo5MgL: body.dbo5_mg_l,
    dcoMgL: body.dco_mg_l,
    mesMgL: body.mes_mg_l,
    activityThresholdW: body.activity_threshold_w,
    stopGapMin: body.stop_gap_min,
    minCycleMin: body.min_cycle_min,
  };
}

const versionItem = (v: StoredConfigVersion) => ({
  id: v.id,
  effective_from: v.effectiveFrom,
  effective_to: v.effectiveTo,
  version: v.version,
  name: v.name,
  pump_type: v.pumpType,
  flow_rate_m3h: v.flowRateM3h,
  pump_model_id: v.pumpModelId,
  dbo5_mg_l: v.dbo5MgL,
  dco_mg_l: v.dcoMgL,
  mes_mg_l: v.mesMgL,
  activity_threshold_w: v.activityThresholdW,
  stop_gap_min: v.stopGapMin,
  min_cycle_min: v.minCycleMin,
  created_at: iso(v.createdAt),
  created_by: v.createdBy,
});

const adminDeviceItem = (d: DeviceOverview) => ({
  device_id: d.deviceId,
  name: d.name,
  model: d.model,
  last_seen: iso(d.lastSeen),
  dbo5_mg_l: d.dbo5MgL,
  dco_mg_l: d.dcoMgL,
  mes_mg_l: d.mesMgL,
  channels: d.channels.map((c) => ({
    channel: c.channel,
    seen: c.seen,
    version: c.version === null ? null : versionItem(c.version),
  })),
});

const deviceConfigurationResult = (r: DeviceConfigurationResult) => ({
  device_id: r.deviceId,
  name: r.name,
  name_changed: r.nameChanged,
  effective_from: r.effectiveFrom,
  channels: r.channels.map((c) => ({
    channel: c.channel,
    result: c.result,
    version: versionItem(c.version),
  })),
  message: deviceSaveMessage(
    r.effectiveFrom,
    r.channels.map((c) => ({ label: c.version.name ?? `switch:${c.channel}`, result: c.result })),
    r.nameChanged,
  ),
});

const plannedVersion = (v: ConfigVersion) => ({
  effective_from: v.effectiveFrom,
  effective_to: v.effectiveTo,
  version: v.version,
  name: v.name,
  pump_type: v.pumpType,
  flow_rate_m3h: v.flowRateM3h,
  pump_model_id: v.pumpModelId,
  dbo5_mg_l: v.dbo5MgL,
  dco_mg_l: v.dcoMgL,
  mes_mg_l: v.mesMgL,
  activity_threshold_w: v.activityThresholdW,
  stop_gap_min: v.stopGapMin,
  min_cycle_min: v.minCycleMin,
});

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

const userItem = (u: AdminUser) => ({
  id: u.id,
  email: u.email,
  role: u.role,
  active: u.disabledAt === null,
  disabled_at: u.disabledAt === null ? null : iso(u.disabledAt),
  created_at: iso(u.createdAt),
  created_by: u.createdBy,
  last_login_at: u.lastLoginAt === null ? null : iso(u.lastLoginAt),
});

const settingsItem = (s: Settings) => ({
  factor_set: {
    id: s.factorSetChoice.id,
    reference: s.factorSetChoice.reference,
    gwp: s.factorSetChoice.gwp,
    label: s.factorSet.label,
    reference_scenario: s.factorSet.referenceScenario,
    gwp_label: s.factorSet.gwpLabel,
    origin: s.factorSetOrigin,
  },
  grid_factor:
    s.gridFactor === null
      ? null
      : { kg_co2e_per_kwh: s.gridFactor.kgCo2ePerKwh, source: s.gridFactor.source },
  grid_factor_origin: s.gridFactorOrigin,
  updated_at: s.updatedAt === null ? null : iso(s.updatedAt),
  updated_by: s.updatedBy,
});

const changeResult = (result: VersionChangeResult) => ({
  kind: result.kind,
  version: versionItem(result.version),
  versions: result.versions.map(versionItem),
});

/** Predecessor bug 41: "Name (0.75 kW, 4.8 A, 18 m³/h si HMT 8)", or "Name (0.55 kW, 3.2 A)". */
const pumpModelLabel = (m: PumpModel) =>
  `${m.name} (${m.powerKw} kW, ${m.currentA} A${
    m.nominalFlowM3hHmt8 === null ? "" : `, ${m.nominalFlowM3hHmt8} m³/h si HMT 8`
  })`;

const pumpModelItem = (m: PumpModel) => ({
  id: m.id,
  name: m.name,
  power_kw: m.powerKw,
  current_a: m.currentA,
  nominal_flow_m3h_hmt8: m.nominalFlowM3hHmt8,
  label: pumpModelLabel(m),
  created_at: iso(m.createdAt),
  updated_at: m.updatedAt === null ? null : iso(m.updatedAt),
});

const pumpModelInput = (body: PumpModelBody) => ({
  name: body.name,
  powerKw: body.power_kw,
  currentA: body.current_a,
  nominalFlowM3hHmt8: body.nominal_flow_m3h_hmt8,
});

const coefficients = (set: FactorSet) => ({
  bo_kg_ch4_per_kg_dbo5: set.boKgCh4PerKgDbo5,
  bo_kg_ch4_per_kg_dco: set.boKgCh4PerKgDco,
  mcf_reference: set.mcfReference,
  mcf_filter: set.mcfFilter,
  effluent:
    set.effluent === null
      ? null
      : {
          mcf: set.effluent.mcf,
          outlet_dbo5_mg_l: set.effluent.outletDbo5MgL,
          outlet_dco_mg_l: set.effluent.outletDcoMgL,
        },
  gwp_ch4: set.gwpCh4,
  mes_co2e_kg_per_kg: set.mesCo2eKgPerKg,
});

const factorSetItem = (
  set: FactorSet,
  references: readonly FactorSet[],
  gwps: readonly { id: string; set: FactorSet }[],
) => ({
  id: set.id,
  label: set.label,
  reference_scenario: set.referenceScenario,
  reference_label: set.referenceLabel,
  gwp_label: set.gwpLabel,
  coefficients: coefficients(set),
  reference_scenarios: references.map((r) => ({
    id: r.referenceScenario,
    label: r.referenceLabel,
    mcf_reference: r.mcfReference,
    default: r.referenceScenario === set.referenceScenario,
  })),
  gwp_choices: gwps.map((g) => ({
    id: g.id,
    label: g.set.gwpLabel,
    gwp_ch4: g.set.gwpCh4,
    default: g.set.gwpCh4 === set.gwpCh4,
  })),
  excluded: [...set.excluded],
  sources: [...set.sources],
});

/** Every factor set with the choices it offers (the methodology page of the UI). */
function factorSets() {
  const ipcc = ipcc2019Vf();
  const sets = {
    "fp-2026": factorSetItem(FP_2026, [FP_2026], [{ id: "ar5", set: FP_2026 }]),
    "ipcc-2019-vf": factorSetItem(
      ipcc,
      IPCC_REFERENCES.map((reference) => ipcc2019Vf({ reference })),
      GWP_CHOICES.map((gwp) => ({ id: gwp, set: ipcc2019Vf({ gwp }) })),
    ),
  };
  return { default_factor_set: DEFAULT_FACTOR_SET_ID, factor_sets: FACTOR_SET_IDS.map((id) => sets[id]) };
}

/**
 * Administration: channel configuration history, device names, pump models, API keys, and the factor sets.
 * Every route needs an administrator's session; each one validates, calls one use case and maps its result.
 */
export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, clock, access, timeZone, settings, settingsDefaults } = options;
  const admin = access.requireSession("admin");

  // Configuration and secrets: never kept by a browser or proxy cache.
  app.addHook("onSend", async (_request, reply) => {
    reply.header("cache-control", "no-store");
  });

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
      const preview = await inClientTerms(() =>
        previewChannelVersion(db, input, clock.now(), timeZone, factorSet),
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
      const result = await inClientTerms(() =>
        updateCurrentChannelConfig(db, input, actorOf(request), clock.now(), timeZone),
      );
      return changeResult(result);
    },
  );

  app.get(
    "/api/admin/devices",
    {
      onRequest: admin,
      schema: {
        summary: "Appareils et canaux : chaque canal avec sa version en vigueur aujourd'hui",
        description: `${ADMIN_NOTE} Les modèles de pompes sont dans GET /api/admin/pump-models.`,
        response: { 200: AdminDevicesResponse },
      },
    },
    async () => {
      const overview = await devicesOverview(db, clock.now(), timeZone);
      return { today: overview.today, devices: overview.devices.map(adminDeviceItem) };
    },
  );

  app.put(
    "/api/admin/devices/:device_id/configuration",
    {
      onRequest: admin,
      schema: {
        summary: "« Enregistrer tout » d'une carte d'appareil : nom, canaux et qualité d'eau en une fois",
        description:
          `${ADMIN_NOTE} Une seule transaction : pour chaque canal dont une valeur change, une nouvelle version ` +
          "datée d'aujourd'hui (fuseau du site), ou la correction de celle d'aujourd'hui si elle existe. 422 " +
          "avec `field` (« channels.1.flow_rate_m3h ») pour une valeur invalide : rien n'est enregistré. 404 " +
          "pour un appareil inconnu.",
        params: DeviceParams,
        body: DeviceConfigurationBody,
        response: { 200: DeviceConfigurationResponse },
      },
    },
    async (request) => {
      const body = request.body;
      refuseUnknownFields(body, DeviceConfigurationBody);
      refuseUnknownItemFields(body.channels, "channels", DeviceConfigurationChannel);
      const input = {
        deviceId: request.params.device_id,
        ...(body.name === undefined ? {} : { name: body.name }),
        channels: body.channels.map((c) => {
          const flow = flowRateOf(c.flow_rate_m3h);
          return {
            ...configFields({ ...c, flow_rate_m3h: flow as number | null | undefined }),
            channel: channelOf(c.channel),
          };
        }),
        ...(body.dbo5_mg_l === undefined ? {} : { dbo5MgL: body.dbo5_mg_l }),
        ...(body.dco_mg_l === undefined ? {} : { dcoMgL: body.dco_mg_l }),
        ...(body.mes_mg_l === undefined ? {} : { mesMgL: body.mes_mg_l }),
      };
      const result = await inClientTerms(() =>
        saveDeviceConfiguration(db, input, actorOf(request), clock.now(), timeZone),
      );
      return deviceConfigurationResult(result);
    },
  );

  app.put(
    "/api/admin/devices/:device_id",
    {
      onRequest: admin,
      schema: {
        summary: "Renomme un appareil",
        description: `${ADMIN_NOTE} null ou "" : l'identifiant technique est affiché. 404 pour un appareil inconnu.`,
        params: DeviceParams,
        body: DeviceNameBody,
        response: { 200: DeviceNameResponse },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, DeviceNameBody);
      const { device_id: deviceId } = request.params;
      const renamed = await inClientTerms(() =>
        renameDevice(db, deviceId, request.body.name, actorOf(request), clock.now()),
      );
      return { device_id: renamed.deviceId, name: renamed.name };
    },
  );

  app.get(
    "/api/admin/pump-models",
    {
      onRequest: admin,
      schema: {
        summary: "Modèles de pompes, par nom",
        description: ADMIN_NOTE,
        response: { 200: PumpModelsResponse },
      },
    },
    async () => ({ pump_models: (await listPumpModels(db)).map(pumpModelItem) }),
  );

  app.post(
    "/api/admin/pump-models",
    {
      onRequest: admin,
      schema: {
        summary: "Ajoute un modèle de pompe",
        description: `${ADMIN_NOTE} 422 pour une valeur invalide, 409 pour un nom déjà pris.`,
        body: PumpModelBody,
        response: { 201: PumpModelItem },
      },
    },
    async (request, reply) => {
      refuseUnknownFields(request.body, PumpModelBody);
      const model = await inClientTerms(() =>
        createPumpModel(db, pumpModelInput(request.body), actorOf(request), clock.now()),
      );
      return reply.code(201).send(pumpModelItem(model));
    },
  );

  app.put(
    "/api/admin/pump-models/:id",
    {
      onRequest: admin,
      schema: {
        summary: "Remplace les caractéristiques d'un modèle de pompe",
        description: `${ADMIN_NOTE} Un débit nominal absent l'efface. 404 pour un modèle inconnu.`,
        params: PumpModelParams,
        body: PumpModelBody,
        response: { 200: PumpModelItem },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, PumpModelBody);
      const model = await inClientTerms(() =>
        updatePumpModel(db, request.params.id, pumpModelInput(request.body), actorOf(request), clock.now()),
      );
      return pumpModelItem(model);
    },
  );

  app.delete(
    "/api/admin/pump-models/:id",
    {
      onRequest: admin,
      schema: {
        summary: "Supprime un modèle de pompe qu'aucun canal n'utilise",
        description: `${ADMIN_NOTE} 409 (avec le nombre de canaux) si un canal l'utilise, même dans l'historique.`,
        params: PumpModelParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await inClientTerms(() => deletePumpModel(db, request.params.id, actorOf(request), clock.now()));
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/admin/api-keys",
    {
      onRequest: admin,
      schema: {
        summary: "Clés d'API d'ingestion (jamais le secret)",
        description: ADMIN_NOTE,
        response: { 200: ApiKeysResponse },
      },
    },
    async () => ({
      api_keys: (await listApiKeys(db)).map((k) => ({
        id: k.id,
        name: k.name,
        created_at: iso(k.created_at),
        created_by: k.created_by,
        last_used_at: k.last_used_at === null ? null : iso(k.last_used_at),
        revoked_at: k.revoked_at === null ? null : iso(k.revoked_at),
      })),
    }),
  );

  app.post(
    "/api/admin/api-keys",
    {
      onRequest: admin,
      schema: {
        summary: "Crée une clé d'API ; la clé secrète n'est montrée qu'une fois",
        description: ADMIN_NOTE,
        body: ApiKeyBody,
        response: { 201: CreatedApiKeyResponse },
      },
    },
    async (request, reply) => {
      refuseUnknownFields(request.body, ApiKeyBody);
      const name = request.body.name.trim();
      if (name.length === 0 || name.length > MAX_API_KEY_NAME_LENGTH) {
        throw new AppError("invalid_api_key_name", 422);
      }
      const created = await createAuditedApiKey(db, name, actorOf(request), clock.now());
      request.log.info({ apiKeyId: created.id }, "api key created");
      return reply
        .code(201)
        .send({ id: created.id, name: created.name, created_at: iso(created.createdAt), key: created.key });
    },
  );

  app.delete(
    "/api/admin/api-keys/:id",
    {
      onRequest: admin,
      schema: {
        summary: "Révoque une clé d'API",
        description: `${ADMIN_NOTE} 404 pour une clé inconnue ou déjà révoquée.`,
        params: ApiKeyParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      if (!(await revokeAuditedApiKey(db, request.params.id, actorOf(request), clock.now()))) {
        throw new AppError("api_key_not_found", 404);
      }
      request.log.info({ apiKeyId: request.params.id }, "api key revoked");
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/admin/factor-sets",
    {
      onRequest: admin,
      schema: {
        summary: "Jeux de coefficients CO₂e : valeurs, scénarios de référence, PRG et sources",
        description: ADMIN_NOTE,
        response: { 200: FactorSetsResponse },
      },
    },
    async () => factorSets(),
  );

  // ---- Settings (issue 7) ----

  app.get(
    "/api/admin/settings",
    {
      onRequest: admin,
      schema: {
        summary: "Réglages : jeu de coefficients CO₂e actif et facteur d'émission de l'électricité",
        description: ADMIN_NOTE,
        response: { 200: SettingsResponse },
      },
    },
    async () => settingsItem(await settings()),
  );

  app.put(
    "/api/admin/settings",
    {
      onRequest: admin,
      schema: {
        summary: "Modifie les réglages (champ absent : inchangé)",
        description:
          `${ADMIN_NOTE} Enregistrés en base, lus à chaque rapport par toutes les instances ; GRID_CO2E_* ne ` +
          "servent plus qu'à défaut de valeur enregistrée. 422 avec `field` pour une valeur invalide.",
        body: SettingsBody,
        response: { 200: SettingsResponse },
      },
    },
    async (request) => {
      const body = request.body;
      refuseUnknownFields(body, SettingsBody);
      if (body.factor_set) refuseUnknownNestedFields(body.factor_set, "factor_set", SettingsFactorSetBody);
      if (body.grid_factor)
        refuseUnknownNestedFields(body.grid_factor, "grid_factor", SettingsGridFactorBody);
      const change = {
        ...(body.factor_set === undefined ? {} : { factorSet: body.factor_set }),
        ...(body.grid_factor === undefined
          ? {}
          : {
              gridFactor:
                body.grid_factor === null
                  ? null
                  : { kgCo2ePerKwh: body.grid_factor.kg_co2e_per_kwh, source: body.grid_factor.source },
            }),
      };
      const saved = await inClientTerms(() =>
        updateSettings(db, change, actorOf(request), clock.now(), settingsDefaults),
      );
      return settingsItem(saved);
    },
  );

  // ---- Users (issue 7) ----

  app.get(
    "/api/admin/users",
    {
      onRequest: admin,
      schema: {
        summary: "Comptes : actifs d'abord, par e-mail",
        description: ADMIN_NOTE,
        response: { 200: UsersResponse },
      },
    },
    async () => ({ users: (await listAccounts(db)).map(userItem) }),
  );

  app.post(
    "/api/admin/users",
    {
      onRequest: admin,
      schema: {
        summary: "Crée un compte ; sans mot de passe fourni, un mot de passe généré est montré une fois",
        description: `${ADMIN_NOTE} 409 pour une adresse déjà prise, 422 avec \`field\` pour une valeur invalide.`,
        body: NewUserBody,
        response: { 201: UserWithPasswordResponse },
      },
    },
    async (request, reply) => {
      refuseUnknownFields(request.body, NewUserBody);
      const created = await inClientTerms(() =>
        createAccount(db, request.body, actorOf(request), clock.now()),
      );
      return reply.code(201).send({ user: userItem(created.user), password: created.generatedPassword });
    },
  );

  app.put(
    "/api/admin/users/:id/role",
    {
      onRequest: admin,
      schema: {
        summary: "Change le rôle d'un compte",
        description: `${ADMIN_NOTE} 409 last_admin pour rétrograder le dernier administrateur actif ; 404 compte inconnu.`,
        params: UserParams,
        body: UserRoleBody,
        response: { 200: UserItem },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, UserRoleBody);
      return userItem(
        await inClientTerms(() =>
          changeRole(db, request.params.id, request.body.role, actorOf(request), clock.now()),
        ),
      );
    },
  );

  app.post(
    "/api/admin/users/:id/disable",
    {
      onRequest: admin,
      schema: {
        summary: "Désactive un compte et ferme aussitôt ses sessions",
        description: `${ADMIN_NOTE} 409 last_admin pour le dernier administrateur actif ; 404 compte inconnu.`,
        params: UserParams,
        response: { 200: UserItem },
      },
    },
    async (request) =>
      userItem(
        await inClientTerms(() => disableAccount(db, request.params.id, actorOf(request), clock.now())),
      ),
  );

  app.post(
    "/api/admin/users/:id/enable",
    {
      onRequest: admin,
      schema: {
        summary: "Réactive un compte",
        description: `${ADMIN_NOTE} 404 compte inconnu.`,
        params: UserParams,
        response: { 200: UserItem },
      },
    },
    async (request) =>
      userItem(
        await inClientTerms(() => enableAccount(db, request.params.id, actorOf(request), clock.now())),
      ),
  );

  app.post(
    "/api/admin/users/:id/password",
    {
      onRequest: admin,
      schema: {
        summary: "Nouveau mot de passe (fourni, ou généré et montré une fois) ; ferme les sessions du compte",
        description:
          `${ADMIN_NOTE} Les sessions du compte sont fermées, sauf quand un administrateur change le sien. ` +
          "422 avec `field` pour un mot de passe trop court ; 404 compte inconnu.",
        params: UserParams,
        body: PasswordBody,
        response: { 200: UserWithPasswordResponse },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body ?? {}, PasswordBody);
      const user = sessionUserOf(request);
      const result = await inClientTerms(() =>
        resetPassword(db, request.params.id, request.body?.password, user, clock.now()),
      );
      return { user: userItem(result.user), password: result.generatedPassword };
    },
  );

  // ---- Audit (issue 7) ----

  app.get(
    "/api/admin/audit",
    {
      onRequest: admin,
      schema: {
        summary: "Journal des modifications, les plus récentes d'abord",
        description: `${ADMIN_NOTE} Filtrable par appareil et par type d'objet ; pagination limit/offset.`,
        querystring: AuditQuery,
        response: { 200: AuditResponse },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const offset = request.query.offset ?? 0;
      const page = await auditLog(db, {
        deviceId: request.query.device_id,
        kind: request.query.kind,
        limit,
        offset,
      });
      return {
        entries: page.entries.map((e) => {
          const state = (e.after ?? e.before ?? {}) as Record<string, unknown>;
          return {
            id: e.id,
            at: iso(e.at),
            actor: e.actor,
            kind: e.entity,
            action: e.action,
            entity_key: e.entityKey,
            device_id: e.deviceId,
            channel:
              e.entity === "channel_version" && typeof state.channel === "number" ? state.channel : null,
            summary: auditSummary({ ...e, kind: e.entity }),
            before: e.before ?? null,
            after: e.after ?? null,
          };
        }),
        total: page.total,
        limit,
        offset,
      };
    },
  );
};
