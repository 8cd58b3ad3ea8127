// Fallback launcher, used only when `node dist/src/main.js` cannot start: the service's own parts (config,
// openAndMigrate, buildApp, cycle upkeep) put together as src/service.ts does, minus the one call that fails
// there (`app.addHook("onClose", …)` after buildApp has already run `app.ready()`). Run with `node --import tsx`.
import { sessionPolicy } from "../../src/admin/sessions.js";
import { startCycleUpkeep } from "../../src/analytics/cycle-upkeep.js";
import { systemClock } from "../../src/clock.js";
import { parseConfig } from "../../src/config.js";
import { openAndMigrate } from "../../src/db/open.js";
import { createLogger } from "../../src/logger.js";
import { buildApp } from "../../src/server/app.js";

const config = parseConfig(process.env);
const logger = createLogger(config.logLevel);
const { db, migrationCount } = await openAndMigrate({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  poolSize: config.dbPoolSize,
  onPoolError: (error) => logger.warn({ err: error }, "database connection lost"),
});
const app = await buildApp({
  db,
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
});
const upkeep = startCycleUpkeep({
  db,
  clock: systemClock,
  timeZone: config.timeZone,
  logger,
  intervalMs: 5_000,
});
const stop = async () => {
  await upkeep.stop();
  await app.close();
  await db.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
await app.listen({ port: config.port, host: config.host });
