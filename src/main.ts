import { systemClock } from "./clock.js";
import { ConfigError, parseConfig } from "./config.js";
import { openAndMigrate } from "./db/open.js";
import { createLogger } from "./logger.js";
import { buildApp } from "./server/app.js";
import { shutdown } from "./server/lifecycle.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
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

  const app = await buildApp({
    db,
    clock: systemClock,
    logger,
    ingestApiKey: config.ingestApiKey,
    bodyLimitBytes: config.bodyLimitBytes,
    migrationCount,
  });

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    shutdown(app, db, config.shutdownTimeoutMs).then(
      (clean) => process.exit(clean ? 0 : 1),
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
