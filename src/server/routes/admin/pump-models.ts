import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import {
  createPumpModel,
  deletePumpModel,
  listPumpModels,
  type PumpModel,
  updatePumpModel,
} from "../../../admin/pump-models.js";
import {
  PumpModelBody,
  PumpModelItem,
  PumpModelParams,
  PumpModelsResponse,
} from "../../../contracts/admin.js";
import {
  ADMIN_NOTE,
  type AdminRoutesOptions,
  actorOf,
  inClientTerms,
  iso,
  refuseUnknownFields,
} from "./shared.js";

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

/** Pump models; one in use cannot be deleted. */
export const pumpModelRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, clock, access } = options;
  const admin = access.requireSession("admin");

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
};
