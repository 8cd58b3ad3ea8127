import type { Logger } from "pino";
import { versionsOfChannels } from "./admin/config-versions.js";
import { sessionPolicy } from "./admin/sessions.js";
import { makeSettingsReader } from "./admin/settings.js";
import { ensureFirstAdmin, UserError } from "./admin/users.js";
import { startNotificationDispatch } from "./alerts/dispatch.js";
import { startAlertEvaluation } from "./alerts/evaluate.js";
import { smtpMailer } from "./alerts/mailer.js";
import { startCycleUpkeep } from "./analytics/cycle-upkeep.js";
import { serveBackupRequests } from "./backup/embedded.js";
import { systemClock } from "./clock.js";
import type { Config } from "./config.js";
import type { Database } from "./db/database.js";
import { openAndMigrate } from "./db/open.js";
import { createIngestor } from "./ingest/ingestor.js";
import { openDirectory } from "./journal/meter-directory.js";
import { MqttIngestion } from "./mqtt/mqtt-ingestion.js";
import { reportMailingRound } from "./reports/mailing.js";
import { prepareReadingMonths, startReadingsUpkeep } from "./retention/upkeep.js";
import { type App, buildApp } from "./server/app.js";
import { shutdown } from "./server/lifecycle.js";

export interface RunningService {
  app: App;
  db: Database;
  url: string;
  /** The same graceful stop as SIGTERM, without exiting the process. */
  stop(): Promise<boolean>;
}

/**
 * Opens and migrates the database, builds the app, stops gracefully on SIGTERM/SIGINT, and listens.
 * `beforeListen` lets the demo fill the database first.
 */
export async function startService(
  config: Config,
  logger: Logger,
  beforeListen?: (service: Pick<RunningService, "app" | "db">) => Promise<void>,
): Promise<RunningService> {
  const { db, migrationCount, applied } = await openAndMigrate({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
    onPoolError: (error) => logger.warn({ err: error }, "database connection lost"),
  });
  logger.info(
    {
      database: db.kind === "pglite" ? `embedded (${config.dataDir})` : "postgres",
      migrationsApplied: applied,
    },
    "database ready",
  );
  if (config.production && db.kind === "pglite") {
    logger.warn(
      { dataDir: config.dataDir },
      "NODE_ENV=production on the embedded database (PGlite): one process, one connection, fsync off, " +
        "backups by npm run backup only. Set DATABASE_URL to a PostgreSQL server for production (README, Deploying)",
    );
  }
  try {
    // this month's partition and the next ones exist before the first batch arrives (migration 0019)
    await prepareReadingMonths(db, systemClock.now());
  } catch (error) {
    await db.close();
    throw error;
  }
  try {
    const admin = await ensureFirstAdmin(db, config.admin, systemClock.now());
    if (admin) logger.info({ userId: admin.id, email: admin.email }, "first administrator created");
  } catch (error) {
    await db.close();
    throw error instanceof UserError ? new Error(`ADMIN_EMAIL / ADMIN_PASSWORD: ${error.message}`) : error;
  }
  // HTTP and MQTT feed the same ingestion path (one cap on batches at once, one device cache).
  const ingestor = createIngestor({
    db,
    clock: systemClock,
    maxConcurrentBatches: config.ingestMaxConcurrentBatches,
  });
  const mqtt = config.mqtt
    ? new MqttIngestion({ settings: config.mqtt, ingestor, clock: systemClock, logger })
    : null;
  const app = await buildApp({
    db,
    ingestor,
    mqttState: () => mqtt?.state ?? "off",
    clock: systemClock,
    logger,
    ingestApiKey: config.ingestApiKey,
    bodyLimitBytes: config.bodyLimitBytes,
    migrationCount,
    publicDashboard: config.publicDashboard,
    sessionPolicy: sessionPolicy(config.session.idleMinutes, config.session.absoluteHours),
    trustProxy: config.trustProxy,
    timeZone: config.timeZone,
    gridFactor: config.gridFactor,
    webDir: config.webDir,
  });
  // Absence rules every round (ALERT_ROUND_SECONDS, a minute); cycle rules also right after each cycle refresh.
  const alerts = startAlertEvaluation({
    db,
    clock: systemClock,
    logger,
    holder: `${process.pid}-${crypto.randomUUID()}`,
    intervalMs: config.alerts.intervalMs,
    leaseMs: config.alerts.leaseMs,
    // Without SMTP no e-mail is queued; the webhook and the web app still tell.
    emails: config.smtp !== null,
    timeZone: config.timeZone,
  });
  // E-mails, webhook and digests from the outbox that evaluation fills (any instance sends; each row once).
  const notifications = startNotificationDispatch({
    db,
    clock: systemClock,
    logger,
    intervalMs: 5_000,
    timeZone: config.timeZone,
    publicUrl: config.publicUrl,
    mailer: config.smtp ? smtpMailer(config.smtp.url, config.smtp.from) : null,
    monthlyReports: (now, mailer) =>
      reportMailingRound(
        {
          db,
          directory: openDirectory(db, config.timeZone),
          versions: { versionsOf: (channels) => versionsOfChannels(db, channels) },
          settings: makeSettingsReader(db, { gridFactor: config.gridFactor ?? null }),
        },
        now,
        { timeZone: config.timeZone, mailer },
      ),
  });
  const upkeep = startCycleUpkeep({
    db,
    clock: systemClock,
    timeZone: config.timeZone,
    logger,
    intervalMs: 5_000,
    onRefreshed: alerts.poke,
  });
  const readSettings = makeSettingsReader(db, { gridFactor: config.gridFactor ?? null });
  const readingsUpkeep = startReadingsUpkeep({
    db,
    clock: systemClock,
    logger,
    intervalMs: 86_400_000,
    rawRetentionMonths: async () => (await readSettings()).rawRetentionMonths,
  });
  // The embedded database is held by this process alone: `npm run backup` asks it for a snapshot.
  const backups = db.kind === "pglite" ? serveBackupRequests({ db, dataDir: config.dataDir, logger }) : null;
  // Fastify refuses hooks once ready, so the upkeep is stopped by the shutdown path itself, after the
  // last request and before the database closes.
  let stopping: Promise<boolean> | undefined;
  const stop = () => {
    stopping ??= shutdown(app, db, config.shutdownTimeoutMs, [
      upkeep,
      readingsUpkeep,
      alerts,
      notifications,
      ...(mqtt ? [mqtt] : []),
      ...(backups ? [backups] : []),
    ]);
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    logger.info({ signal }, "shutting down");
    stop().then(
      (clean) => {
        if (!clean) logger.warn({ timeoutMs: config.shutdownTimeoutMs }, "shutdown timed out");
        process.exit(clean ? 0 : 1);
      },
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  const detachSignals = () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };

  try {
    if (beforeListen) await beforeListen({ app, db });
    const url = await app.listen({ port: config.port, host: config.host });
    mqtt?.start();
    return {
      app,
      db,
      url,
      stop: async () => {
        detachSignals();
        return stop();
      },
    };
  } catch (error) {
    detachSignals();
    await stop();
    throw error;
  }
}
