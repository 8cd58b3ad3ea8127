import { ConfigError, parseConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { startService } from "./service.js";

try {
  const config = parseConfig(process.env);
  await startService(config, createLogger(config.logLevel));
} catch (error) {
  // Configuration and start-up errors are ours to word; no stack is needed to act on them.
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
