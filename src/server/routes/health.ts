import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Database } from "../../db/database.js";
import { countAppliedMigrations } from "../../db/queries/count-applied-migrations.js";
import type { MqttState } from "../../mqtt/mqtt-ingestion.js";
import type { Lifecycle } from "../app.js";

const READY_TIMEOUT_MS = 2_000;

export const healthRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  lifecycle: Lifecycle;
  migrationCount: number;
  mqttState: () => MqttState;
}> = async (app, { db, lifecycle, migrationCount, mqttState }) => {
  // The broker's state is reported, not required: HTTP ingestion works without it, and a broker outage
  // must not take the instance out of its load balancer.
  const Mqtt = Type.Union([Type.Literal("connected"), Type.Literal("connecting"), Type.Literal("off")], {
    description: "état de l'abonnement MQTT (off : MQTT_URL absent)",
  });
  app.get(
    "/api/health",
    {
      logLevel: "warn",
      schema: {
        summary: "Le processus tourne (ne consulte pas la base)",
        response: { 200: Type.Object({ status: Type.Literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/api/ready",
    {
      logLevel: "warn",
      schema: {
        summary: "La base répond et les migrations sont appliquées ; état du courtier MQTT",
        response: {
          200: Type.Object({ status: Type.Literal("ready"), mqtt: Mqtt }),
          503: Type.Object({ status: Type.Literal("unavailable"), mqtt: Mqtt }),
        },
      },
    },
    async (_request, reply) => {
      const ok =
        !lifecycle.draining &&
        (await withTimeout(countAppliedMigrations(db), READY_TIMEOUT_MS)) === migrationCount;
      const mqtt = mqttState();
      if (ok) return { status: "ready" as const, mqtt };
      return reply.code(503).send({ status: "unavailable" as const, mqtt });
    },
  );
};

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([work.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
