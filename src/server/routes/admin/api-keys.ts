import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { createAuditedApiKey, revokeAuditedApiKey } from "../../../admin/api-keys.js";
import {
  ApiKeyBody,
  ApiKeyParams,
  ApiKeysResponse,
  CreatedApiKeyResponse,
} from "../../../contracts/admin.js";
import { listApiKeys } from "../../../db/queries/api-keys.js";
import { AppError } from "../../errors.js";
import { ADMIN_NOTE, type AdminRoutesOptions, actorOf, iso, refuseUnknownFields } from "./shared.js";

const MAX_API_KEY_NAME_LENGTH = 100;

/** Ingestion API keys; the secret is shown once. */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, clock, access } = options;
  const admin = access.requireSession("admin");

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
};
