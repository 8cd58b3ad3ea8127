import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import { makeApiKeyVerifier } from "../admin/api-keys.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import { installErrorHandling } from "./errors.js";
import { healthRoutes } from "./routes/health.js";
import { ingestRoutes } from "./routes/ingest.js";
import { statsRoutes } from "./routes/stats.js";

export interface AppOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  ingestApiKey: string | null;
  bodyLimitBytes: number;
  /** how many migrations the code expects to find applied, for /api/ready */
  migrationCount: number;
}

/** Flags the process shares with its routes; `draining` turns /api/ready to 503 during shutdown. */
export interface Lifecycle {
  draining: boolean;
}

export type App = FastifyInstance & { lifecycle: Lifecycle };

export async function buildApp(options: AppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    genReqId: () => crypto.randomUUID(),
    logController: new LogController({
      requestIdLogLabel: "request_id",
      // Probes hit these every few seconds; logging each would drown the rest.
      disableRequestLogging: (request) => request.url === "/api/health" || request.url === "/api/ready",
    }),
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const lifecycle: Lifecycle = { draining: false };
  app.decorate("lifecycle", lifecycle);
  // Anything but JSON is refused with 415 (Fastify would otherwise accept text/plain as a string).
  app.removeContentTypeParser("text/plain");
  installErrorHandling(app);
  // A keep-alive socket left open after the last in-flight response would hold server.close() until its
  // idle timeout; while draining, every response closes its connection.
  app.addHook("onSend", async (_request, reply) => {
    if (lifecycle.draining) reply.header("connection", "close");
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "pumpwatch",
        version: "0.1.0",
        description: "Relevés des Shelly Pro 4PM, cycles de pompes, volumes traités et CO₂e.",
      },
      components: {
        securitySchemes: {
          apiKey: { type: "apiKey", in: "header", name: "X-Api-Key" },
          bearer: { type: "http", scheme: "bearer" },
        },
      },
    },
  });

  const verifyKey = makeApiKeyVerifier(options.db, options.ingestApiKey);
  await app.register(healthRoutes, { db: options.db, lifecycle, migrationCount: options.migrationCount });
  await app.register(ingestRoutes, { db: options.db, clock: options.clock, verifyKey });
  await app.register(statsRoutes, { db: options.db, clock: options.clock, verifyKey });

  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app as unknown as App;
}
