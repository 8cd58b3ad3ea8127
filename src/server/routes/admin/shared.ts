/** What the admin route files share: their options, the note of their OpenAPI descriptions, the mapping helpers. */
import type { FastifyRequest } from "fastify";
import { ConfigAdminError } from "../../../admin/config-errors.js";
import type {
  ChannelConfigFields,
  StoredConfigVersion,
  VersionChangeResult,
} from "../../../admin/config-versions.js";
import type { Settings, SettingsDefaults } from "../../../admin/settings.js";
import type { Clock } from "../../../clock.js";
import type { CurrentConfigBody } from "../../../contracts/admin.js";
import type { Database } from "../../../db/database.js";
import { type ConfigVersion, ConfigVersionError } from "../../../domain/config-versions/index.js";
import { type Access, currentUser } from "../../access.js";
import { AppError } from "../../errors.js";

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

export const ADMIN_NOTE =
  "Session administrateur requise (401 sans session, 403 pour un lecteur). Pour POST/PUT/DELETE : en-tête " +
  "`X-Requested-With: pumpwatch` et `Origin` identique au site (403 sinon).";

export const iso = (date: Date) => date.toISOString();
export const channelNumber = (raw: string) => Number(raw.replace("switch:", ""));
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The use cases name fields in camelCase; the client sent snake_case: the error names its own field. */
export async function inClientTerms<T>(run: () => Promise<T>): Promise<T> {
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
export function refuseUnknownFields(body: object, known: { properties: Record<string, unknown> }): void {
  const unknown = Object.keys(body).filter((key) => !Object.hasOwn(known.properties, key));
  if (unknown.length > 0) throw new AppError("unknown_field", 400, unknown.join(", "));
}

/** The same rule inside each element of an array field, naming the element: `channels.1.flow_rate`. */
export function refuseUnknownItemFields(
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
export function refuseUnknownNestedFields(
  value: object,
  path: string,
  known: { properties: Record<string, unknown> },
): void {
  const unknown = Object.keys(value).filter((key) => !Object.hasOwn(known.properties, key));
  if (unknown.length > 0) {
    throw new AppError("unknown_field", 400, unknown.map((key) => `${path}.${key}`).join(", "));
  }
}

export function actorOf(request: FastifyRequest): string {
  return sessionUserOf(request).email;
}

export function sessionUserOf(request: FastifyRequest) {
  const user = currentUser(request);
  if (!user) throw new AppError("session_required", 401);
  return user;
}

export function configFields(body: CurrentConfigBody): ChannelConfigFields {
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
    sump: body.sump,
    sumpVolumeM3: body.sump_volume_m3,
  };
}

/** A version as the API shows it, stored or only planned (a preview). */
export const plannedVersion = (v: ConfigVersion) => ({
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
  sump: v.sump,
  sump_volume_m3: v.sumpVolumeM3,
});

export const versionItem = (v: StoredConfigVersion) => ({
  id: v.id,
  ...plannedVersion(v),
  created_at: iso(v.createdAt),
  created_by: v.createdBy,
});

export const changeResult = (result: VersionChangeResult) => ({
  kind: result.kind,
  version: versionItem(result.version),
  versions: result.versions.map(versionItem),
});
