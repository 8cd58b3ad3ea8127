import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import { makeApiKeyVerifier } from "../admin/api-keys.js";
import { versionsOfChannels } from "../admin/config-versions.js";
import type { ThrottleRule } from "../admin/login-throttle.js";
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from "../admin/sessions.js";
import { makeSettingsReader } from "../admin/settings.js";
import type { ReadBudget } from "../analytics/refresh-cycles.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import { createIngestor, type Ingestor } from "../ingest/ingestor.js";
import { type MeterDirectory, openDirectory } from "../journal/meter-directory.js";
import type { MqttState } from "../mqtt/mqtt-ingestion.js";
import { createAccess, SESSION_COOKIE } from "./access.js";
import { installErrorHandling } from "./errors.js";
import { adminRoutes } from "./routes/admin/index.js";
import { alertNotificationRoutes } from "./routes/alert-notifications.js";
import { alertRoutes } from "./routes/alerts.js";
import { authRoutes } from "./routes/auth.js";
import { healthRoutes } from "./routes/health.js";
import { ingestRoutes } from "./routes/ingest.js";
import { journalRoutes } from "./routes/journal.js";
import { pumpHealthRoutes } from "./routes/pump-health.js";
import { readRoutes } from "./routes/read.js";
import { reportRoutes } from "./routes/reports.js";
import { shareRoutes } from "./routes/share.js";
import { siteRoutes } from "./routes/site.js";
import { sitesRoutes } from "./routes/sites.js";
import { statsRoutes } from "./routes/stats.js";
import { registerWebApp } from "./web.js";

export interface AppOptions {
  /** IANA zone in which dates are read and shown (APP_TIMEZONE) */
  timeZone?: string;
  /** GRID_CO2E_KG_PER_KWH + GRID_CO2E_SOURCE: the electricity line of the summary */
  gridFactor?: { kgCo2ePerKwh: number; source: string } | null;
  /** what a read may spend on pending cycle refreshes before answering with `refreshing` (decision 0009) */
  cycleReadBudget?: ReadBudget;
  db: Database;
  clock: Clock;
  logger: Logger;
  ingestApiKey: string | null;
  bodyLimitBytes: number;
  /** INGEST_MAX_CONCURRENT_BATCHES: ingestion batches processed at once (default 4) */
  ingestMaxConcurrentBatches?: number;
  /** how many migrations the code expects to find applied, for /api/ready */
  migrationCount: number;
  /** PUBLIC_DASHBOARD: reading endpoints open to anyone (default false) */
  publicDashboard?: boolean;
  /** SESSION_IDLE_MINUTES / SESSION_ABSOLUTE_HOURS (default 2 h / 12 h) */
  sessionPolicy?: SessionPolicy;
  /** TRUST_PROXY: which proxies' X-Forwarded-For/-Host/-Proto to believe (default none) */
  trustProxy?: boolean | number | string[];
  /** login throttling numbers (default 5 per account, 20 per address, in 15 min) */
  loginThrottle?: ThrottleRule;
  /** WEB_DIR: the built web application; absent or not built: the API alone */
  webDir?: string | null;
  /** the process's ingestion path, when something besides HTTP (MQTT) feeds it too; default: one of its own */
  ingestor?: Ingestor;
  /** who sees which meters and sites, and their zones (default: every meter, APP_TIMEZONE, no site) */
  meterDirectory?: MeterDirectory;
  /** the MQTT subscriber's state for /api/ready (default: "off") */
  mqttState?: () => MqttState;
}

/**
 * Content-Security-Policy of every response: the web UI is static files from this origin, with no inline
 * script or style. `data:`/`blob:` images serve chart exports.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  // the Rapports page shows the PDF it fetched (a blob: URL) in a frame
  frameSrc: ["'self'", "blob:"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Flags the process shares with its routes; `draining` turns /api/ready to 503 during shutdown. */
export interface Lifecycle {
  draining: boolean;
}

export type App = FastifyInstance & { lifecycle: Lifecycle };

/** Fastify takes a hop count only at runtime; its types want a function. */
function trustProxy(setting: AppOptions["trustProxy"]) {
  if (typeof setting === "number") return (_address: string, hop: number) => hop < setting;
  return setting ?? false;
}

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
    trustProxy: trustProxy(options.trustProxy),
    // A form field that is a number, a text or null (the débit of a device card) is one `type` array:
    // anyOf would let coercion turn null into 0. Fastify's other Ajv defaults are kept (merged).
    ajv: { customOptions: { allowUnionTypes: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const lifecycle: Lifecycle = { draining: false };
  app.decorate("lifecycle", lifecycle);
  // Anything but JSON is refused with 415 (Fastify would otherwise accept text/plain as a string).
  app.removeContentTypeParser("text/plain");
  // The web app's fallback exists only once its files are registered, below.
  let serveApp: Awaited<ReturnType<typeof registerWebApp>> = null;
  installErrorHandling(app, { serveApp: (request, reply) => serveApp?.(request, reply) ?? false });
  // A keep-alive socket left open after the last in-flight response would hold server.close() until its
  // idle timeout; while draining, every response closes its connection.
  app.addHook("onSend", async (_request, reply) => {
    if (lifecycle.draining) reply.header("connection", "close");
  });

  await app.register(cookie);
  // useDefaults off: the list above is the whole policy (no upgrade-insecure-requests, which would break
  // a plain-http LAN install). Helmet's other headers keep their defaults (nosniff, frame, referrer…).
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES } });

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
          session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
        },
      },
    },
  });

  const verifyKey = makeApiKeyVerifier(options.db, options.ingestApiKey);
  const sessionPolicy = options.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  // Read routes take `access.requireReader`, admin routes `access.requireSession("admin")`.
  const access = createAccess({
    db: options.db,
    clock: options.clock,
    sessionPolicy,
    publicDashboard: options.publicDashboard ?? false,
    verifyKey,
  });
  // Routes that admit their caller before the body is read (onRequest) get it confined here, once parsed.
  app.addHook("preHandler", access.confine);
  // …and every answer's meter lists, once built (decision 0012: one place, not one check per route).
  app.addHook("preSerialization", access.confineReply);
  await app.register(healthRoutes, {
    db: options.db,
    lifecycle,
    migrationCount: options.migrationCount,
    mqttState: options.mqttState ?? (() => "off"),
  });
  await app.register(ingestRoutes, {
    clock: options.clock,
    verifyKey,
    ingestor:
      options.ingestor ??
      createIngestor({
        db: options.db,
        clock: options.clock,
        ...(options.ingestMaxConcurrentBatches
          ? { maxConcurrentBatches: options.ingestMaxConcurrentBatches }
          : {}),
      }),
  });
  await app.register(statsRoutes, { db: options.db, clock: options.clock, access });
  await app.register(authRoutes, {
    db: options.db,
    clock: options.clock,
    access,
    sessionPolicy,
    ...(options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
  });

  // GRID_CO2E_* are the defaults of a fresh install; the settings stored from the admin area win.
  const settingsDefaults = { gridFactor: options.gridFactor ?? null };
  const settings = makeSettingsReader(options.db, settingsDefaults);
  await app.register(readRoutes, {
    db: options.db,
    clock: options.clock,
    access,
    timeZone: options.timeZone ?? "UTC",
    settings,
    versions: { versionsOf: (channels) => versionsOfChannels(options.db, channels) },
    ...(options.cycleReadBudget ? { cycleReadBudget: options.cycleReadBudget } : {}),
  });
  await app.register(adminRoutes, {
    db: options.db,
    clock: options.clock,
    access,
    timeZone: options.timeZone ?? "UTC",
    settings,
    settingsDefaults,
  });

  await app.register(alertRoutes, {
    db: options.db,
    clock: options.clock,
    access,
    timeZone: options.timeZone ?? "UTC",
    ...(options.cycleReadBudget ? { cycleReadBudget: options.cycleReadBudget } : {}),
  });
  await app.register(alertNotificationRoutes, { db: options.db, clock: options.clock, access });
  const directory = options.meterDirectory ?? openDirectory(options.db, options.timeZone ?? "UTC");
  await app.register(journalRoutes, { db: options.db, clock: options.clock, access, directory });
  await app.register(sitesRoutes, { db: options.db, access });
  await app.register(shareRoutes, { db: options.db, clock: options.clock });
  await app.register(pumpHealthRoutes, {
    db: options.db,
    clock: options.clock,
    timeZone: options.timeZone ?? "UTC",
    access,
    directory,
    versions: { versionsOf: (channels) => versionsOfChannels(options.db, channels) },
    ...(options.cycleReadBudget ? { cycleReadBudget: options.cycleReadBudget } : {}),
  });
  await app.register(reportRoutes, {
    db: options.db,
    clock: options.clock,
    access,
    directory,
    settings,
    versions: { versionsOf: (channels) => versionsOfChannels(options.db, channels) },
    ...(options.cycleReadBudget ? { refreshBudget: options.cycleReadBudget } : {}),
  });
  await app.register(siteRoutes, {
    timeZone: options.timeZone ?? "UTC",
    publicDashboard: options.publicDashboard ?? false,
  });
  serveApp = await registerWebApp(app, options.webDir ?? null);

  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app as unknown as App;
}
