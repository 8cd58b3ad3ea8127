import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { FactorSetsResponse } from "../../../contracts/admin.js";
import {
  DEFAULT_FACTOR_SET_ID,
  FACTOR_SET_IDS,
  type FactorSet,
  FP_2026,
  type GwpChoice,
  type IpccReference,
  ipcc2019Vf,
} from "../../../domain/impact/index.js";
import { ADMIN_NOTE, type AdminRoutesOptions } from "./shared.js";

const IPCC_REFERENCES: readonly IpccReference[] = ["untreated", "septic", "aerobic"];
const GWP_CHOICES: readonly GwpChoice[] = ["ar5", "ar6"];

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

/** The CO₂e factor sets with the choices they offer (the methodology page). */
export const factorSetRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { access } = options;
  const admin = access.requireSession("admin");

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
};
