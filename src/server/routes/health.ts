import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Database } from "../../db/database.js";
import { countAppliedMigrations } from "../../db/queries/count-applied-migrations.js";
import type { Lifecycle } from "../app.js";

const READY_TIMEOUT_MS = 2_000;

export const healthRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  lifecycle: Lifecycle;
  migrationCount: number;
}> = async (app, { db, lifecycle, migrationCount }) => {
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
        summary: "La base répond et les migrations sont appliquées",
        response: {
          200: Type.Object({ status: Type.Literal("ready") }),
          503: Type.Object({ status: Type.Literal("unavailable") }),
        },
      },
    },
    async (_request, reply) => {
      const ok =
        !lifecycle.draining &&
        (await withTimeout(countAppliedMigrations(db), READY_TIMEOUT_MS)) === migrationCount;
      if (ok) return { status: "ready" as const };
      return reply.code(503).send({ status: "unavailable" as const });
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
