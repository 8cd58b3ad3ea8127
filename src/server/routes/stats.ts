import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Clock } from "../../clock.js";
import type { Database } from "../../db/database.js";
import { readingsReceivedInLastDay } from "../../db/queries/queue-stats.js";
import { type Access, visibleMeterIds } from "../access.js";

const QueueStats = Type.Object({
  period: Type.Literal("24h"),
  total_logs: Type.Integer({ description: "relevés reçus sur les dernières 24 h" }),
  from_queue: Type.Integer({ description: "dont reçus par la file (tous, pour l'instant)" }),
  devices: Type.Integer(),
  last_insert: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

export const statsRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  clock: Clock;
  access: Access;
}> = async (app, { db, clock, access }) => {
  app.get(
    "/api/stats/queue",
    {
      schema: {
        summary: "Activité d'ingestion des dernières 24 h (clé d'API ou session)",
        security: [{ apiKey: [] }, { bearer: [] }, { session: [] }],
        response: { 200: QueueStats },
      },
      preHandler: access.requireKeyOrSession,
    },
    async (request) => {
      const visible = await visibleMeterIds(db, request);
      const stats = await readingsReceivedInLastDay(db, clock.now(), visible === null ? null : [...visible]);
      return {
        period: "24h" as const,
        total_logs: stats.total_logs,
        from_queue: stats.total_logs,
        devices: stats.devices,
        last_insert: stats.last_insert ? stats.last_insert.toISOString() : null,
      };
    },
  );
};
