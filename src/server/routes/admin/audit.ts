import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { auditLog } from "../../../admin/audit-log.js";
import { AuditQuery, AuditResponse } from "../../../contracts/admin.js";
import { auditSummary } from "../../../i18n/fr.js";
import { ADMIN_NOTE, type AdminRoutesOptions, iso } from "./shared.js";

/** The audit log of every change, newest first. */
export const auditRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, access } = options;
  const admin = access.requireSession("admin");

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
