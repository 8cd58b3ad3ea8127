import { resolve } from "node:path";
import { type Static, Type } from "typebox";
import { Value } from "typebox/value";
import { DEFAULT_MAX_CONCURRENT_BATCHES } from "./ingest/semaphore.js";
import type { MqttSettings } from "./mqtt/mqtt-ingestion.js";

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

/** Every setting of the service, from the environment. Secrets have no default. */
export const ConfigSchema = Type.Object({
  PORT: Type.Optional(Port),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
  DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  APP_TIMEZONE: Type.Optional(Type.String({ minLength: 1 })),
  INGEST_API_KEY: Type.Optional(Type.String({ minLength: 16 })),
  ADMIN_EMAIL: Type.Optional(Type.String({ minLength: 3 })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 12 })),
  LOG_LEVEL: Type.Optional(
    Type.Union(["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l))),
  ),
  BODY_LIMIT_BYTES: Type.Optional(Type.Integer({ minimum: 1024 })),
  SHUTDOWN_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 100 })),
  DB_POOL_SIZE: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  INGEST_MAX_CONCURRENT_BATCHES: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  PUBLIC_DASHBOARD: Type.Optional(Type.Union([Type.Literal("true"), Type.Literal("false")])),
  GRID_CO2E_KG_PER_KWH: Type.Optional(Type.String({ pattern: "^\\d+(\\.\\d+)?$" })),
  GRID_CO2E_SOURCE: Type.Optional(Type.String({ minLength: 3, maxLength: 300 })),
  SESSION_IDLE_MINUTES: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
  SESSION_ABSOLUTE_HOURS: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
  TRUST_PROXY: Type.Optional(Type.String({ minLength: 1 })),
  WEB_DIR: Type.Optional(Type.String({ minLength: 1 })),
  MQTT_URL: Type.Optional(Type.String({ pattern: "^mqtts?://" })),
  MQTT_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
  MQTT_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  MQTT_TOPIC_PREFIXES: Type.Optional(Type.String({ minLength: 1 })),
  MQTT_CLIENT_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  ALERT_ROUND_SECONDS: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  NODE_ENV: Type.Optional(Type.String({ minLength: 1 })),
  SMTP_URL: Type.Optional(Type.String({ pattern: "^smtps?://" })),
  SMTP_FROM: Type.Optional(Type.String({ minLength: 3, maxLength: 300 })),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: "^https?://[^/]" })),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  timeZone: string;
  ingestApiKey: string | null;
  admin: { email: string; password: string } | null;
  logLevel: string;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  dbPoolSize: number;
  /** ingestion batches processed at once; the others wait (their bodies are already read) */
  ingestMaxConcurrentBatches: number;
  /** reading endpoints and the dashboard open to anyone (ingestion and administration never are) */
  publicDashboard: boolean;
  session: { idleMinutes: number; absoluteHours: number };
  /** which reverse proxies to believe for the client address, host and scheme */
  trustProxy: boolean | number | string[];
  /** the site's electricity emission factor, with its source; null: the electricity line is not computed */
  gridFactor: { kgCo2ePerKwh: number; source: string } | null;
  /** the built web application (`npm run build`), served at / */
  webDir: string;
  /** MQTT_URL…: Shelly's native topics feed ingestion too; null: no MQTT */
  mqtt: MqttSettings | null;
  /** alert evaluation rounds: every `intervalMs`; the evaluator lease lasts `leaseMs` (1.5 rounds) */
  alerts: { intervalMs: number; leaseMs: number };
  /** NODE_ENV=production: the embedded database then draws a warning at start */
  production: boolean;
  /** SMTP_URL + SMTP_FROM: alert e-mails; null: no e-mail (the webhook and the web app still notify) */
  smtp: { url: string; from: string } | null;
  /** PUBLIC_URL: the address users open, base of the links in notifications (default http://localhost:PORT) */
  publicUrl: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const NUMERIC = new Set([
  "PORT",
  "BODY_LIMIT_BYTES",
  "SHUTDOWN_TIMEOUT_MS",
  "DB_POOL_SIZE",
  "INGEST_MAX_CONCURRENT_BATCHES",
  "SESSION_IDLE_MINUTES",
  "SESSION_ABSOLUTE_HOURS",
  "ALERT_ROUND_SECONDS",
]);

/** `true`/`false`, a number of proxy hops, or a comma-separated list of proxy addresses / CIDR ranges. */
function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === "") continue;
    raw[key] = NUMERIC.has(key) && /^\d+$/.test(value) ? Number(value) : value;
  }
  if (!Value.Check(ConfigSchema, raw)) {
    const problems = [...Value.Errors(ConfigSchema, raw)].map((e) => `${e.instancePath || "/"} ${e.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const c = raw as Static<typeof ConfigSchema>;
  const timeZone = c.APP_TIMEZONE ?? "UTC";
  try {
    new Intl.DateTimeFormat("fr-FR", { timeZone });
  } catch {
    throw new ConfigError(`APP_TIMEZONE is not a known IANA time zone: ${timeZone}`);
  }
  if ((c.ADMIN_EMAIL === undefined) !== (c.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError("ADMIN_EMAIL and ADMIN_PASSWORD go together");
  }
  const session = {
    idleMinutes: c.SESSION_IDLE_MINUTES ?? 120,
    absoluteHours: c.SESSION_ABSOLUTE_HOURS ?? 12,
  };
  if ((c.GRID_CO2E_KG_PER_KWH === undefined) !== (c.GRID_CO2E_SOURCE === undefined)) {
    throw new ConfigError(
      "GRID_CO2E_KG_PER_KWH and GRID_CO2E_SOURCE go together: a factor is shown with its source",
    );
  }
  if (session.idleMinutes > session.absoluteHours * 60) {
    throw new ConfigError("SESSION_IDLE_MINUTES cannot exceed SESSION_ABSOLUTE_HOURS");
  }
  if (!c.MQTT_URL && (c.MQTT_USERNAME || c.MQTT_PASSWORD || c.MQTT_TOPIC_PREFIXES || c.MQTT_CLIENT_ID)) {
    throw new ConfigError(
      "MQTT_USERNAME, MQTT_PASSWORD, MQTT_TOPIC_PREFIXES and MQTT_CLIENT_ID need MQTT_URL",
    );
  }
  if ((c.SMTP_URL === undefined) !== (c.SMTP_FROM === undefined)) {
    throw new ConfigError("SMTP_URL and SMTP_FROM go together: alert e-mails need a server and a sender");
  }
  const prefixes = (c.MQTT_TOPIC_PREFIXES ?? "+")
    .split(",")
    .map((prefix) => prefix.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  return {
    port: c.PORT ?? 3000,
    host: c.HOST ?? "0.0.0.0",
    databaseUrl: c.DATABASE_URL ?? null,
    dataDir: c.DATA_DIR ?? "./data",
    timeZone,
    ingestApiKey: c.INGEST_API_KEY ?? null,
    admin: c.ADMIN_EMAIL && c.ADMIN_PASSWORD ? { email: c.ADMIN_EMAIL, password: c.ADMIN_PASSWORD } : null,
    logLevel: c.LOG_LEVEL ?? "info",
    bodyLimitBytes: c.BODY_LIMIT_BYTES ?? 8 * 1024 * 1024,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS ?? 10_000,
    dbPoolSize: c.DB_POOL_SIZE ?? 10,
    ingestMaxConcurrentBatches: c.INGEST_MAX_CONCURRENT_BATCHES ?? DEFAULT_MAX_CONCURRENT_BATCHES,
    publicDashboard: c.PUBLIC_DASHBOARD === "true",
    session,
    trustProxy: parseTrustProxy(c.TRUST_PROXY),
    gridFactor:
      c.GRID_CO2E_KG_PER_KWH && c.GRID_CO2E_SOURCE
        ? { kgCo2ePerKwh: Number(c.GRID_CO2E_KG_PER_KWH), source: c.GRID_CO2E_SOURCE }
        : null,
    webDir: resolve(c.WEB_DIR ?? "dist/web"),
    mqtt: c.MQTT_URL
      ? {
          url: c.MQTT_URL,
          username: c.MQTT_USERNAME ?? null,
          password: c.MQTT_PASSWORD ?? null,
          topicPrefixes: prefixes.length > 0 ? prefixes : ["+"],
          clientId: c.MQTT_CLIENT_ID ?? "pumpwatch-ingest",
        }
      : null,
    // The holder renews its lease every round: half a round of slack before another instance may take over.
    alerts: {
      intervalMs: (c.ALERT_ROUND_SECONDS ?? 60) * 1000,
      leaseMs: (c.ALERT_ROUND_SECONDS ?? 60) * 1500,
    },
    production: c.NODE_ENV === "production",
    smtp: c.SMTP_URL && c.SMTP_FROM ? { url: c.SMTP_URL, from: c.SMTP_FROM } : null,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT ?? 3000}`).replace(/\/+$/, ""),
  };
}
