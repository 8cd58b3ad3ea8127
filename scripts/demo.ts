// npm run demo — a fresh embedded database with a week of simulated readings from two devices, then the service.
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { simulateFleet } from "../simulator/index.js";
import { parseConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { startService } from "../src/service.js";

const DAYS = 7;
const base = parseConfig(process.env);
const apiKey = base.ingestApiKey ?? `demo-${randomBytes(16).toString("hex")}`;
const config = {
  ...base,
  databaseUrl: null,
  dataDir: process.env.DEMO_DATA_DIR ?? "./data-demo",
  ingestApiKey: apiKey,
};
const logger = createLogger(base.logLevel === "info" ? "warn" : base.logLevel);

await rm(config.dataDir, { recursive: true, force: true });
const now = Date.now();
const simulation = simulateFleet({
  seed: 42,
  devices: 2,
  days: DAYS,
  start: new Date(now - DAYS * 86_400_000),
});

const service = await startService(config, logger, async ({ app }) => {
  let readings = 0;
  let batches = 0;
  for (const messages of simulation.batches(1000)) {
    const response = await app.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      payload: JSON.stringify({ messages }),
    });
    if (response.statusCode !== 200)
      throw new Error(`demo ingestion failed: HTTP ${response.statusCode} ${response.body}`);
    readings += response.json().inserted;
    if (++batches % 20 === 0) process.stdout.write(`\r${readings} relevés enregistrés…`);
  }
  process.stdout.write(
    `\r${readings} relevés enregistrés (${DAYS} jours, ${simulation.devices.length} appareils, ${simulation.truth.length} cycles simulés)\n`,
  );
});

console.log(`pumpwatch (démo) : ${service.url}`);
console.log(`Base embarquée : ${config.dataDir} — clé d'ingestion : ${apiKey}`);
console.log(`Essayez : curl -H 'X-Api-Key: ${apiKey}' ${service.url}/api/stats/queue`);
