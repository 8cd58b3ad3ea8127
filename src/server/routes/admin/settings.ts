import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Settings, updateSettings } from "../../../admin/settings.js";
import {
  SettingsBody,
  SettingsFactorSetBody,
  SettingsGridFactorBody,
  SettingsResponse,
} from "../../../contracts/admin.js";
import {
  ADMIN_NOTE,
  type AdminRoutesOptions,
  actorOf,
  inClientTerms,
  iso,
  refuseUnknownFields,
  refuseUnknownNestedFields,
} from "./shared.js";

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
  raw_retention_months: s.rawRetentionMonths,
  updated_at: s.updatedAt === null ? null : iso(s.updatedAt),
  updated_by: s.updatedBy,
});

/** Settings: the active factor set, the electricity emission factor, the retention of raw minutes. */
export const settingsRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, clock, access, settings, settingsDefaults } = options;
  const admin = access.requireSession("admin");

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
        ...(body.raw_retention_months === undefined ? {} : { rawRetentionMonths: body.raw_retention_months }),
      };
      const saved = await inClientTerms(() =>
        updateSettings(db, change, actorOf(request), clock.now(), settingsDefaults),
      );
      return settingsItem(saved);
    },
  );
};
