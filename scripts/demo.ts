// npm run demo — a fresh embedded database with a week of simulated readings from two named plants, a demo
// administrator and an ingestion key, then the service.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { parseConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { startService } from "../src/service.js";
import { startMailCapture } from "./demo-mail.js";
import { DEMO_DAYS, type DemoSeed, seedDemo } from "./demo-seed.js";
import { createProgress } from "./progress.js";

const base = parseConfig(process.env);
const dataDir = process.env.DEMO_DATA_DIR ?? "./data-demo";
await rm(dataDir, { recursive: true, force: true });
// Alert e-mails go to a local SMTP capture, one .eml file each (SMTP_URL/SMTP_FROM are not used here).
const mailbox = await startMailCapture(join(dataDir, "mails"));
const config = {
  ...base,
  databaseUrl: null,
  dataDir,
  smtp: { url: mailbox.url, from: "pumpwatch <alertes@pumpwatch.local>" },
  // The demo creates its administrator itself (from ADMIN_EMAIL / ADMIN_PASSWORD when set), to print it.
  admin: null,
};
const logger = createLogger(base.logLevel === "info" ? "warn" : base.logLevel);
const french = new Intl.NumberFormat("fr-FR");

// Piped into a log, about one line per 20 000 readings instead of one redrawn line.
const progress = createProgress(process.stdout, { lineEvery: 20 });
let seed: DemoSeed | undefined;
const service = await startService(config, logger, async ({ app, db }) => {
  seed = await seedDemo(
    { app, db },
    {
      now: new Date(),
      timeZone: config.timeZone,
      admin: base.admin,
      ingestKey: base.ingestApiKey,
      // The meters keep running after the week: the dashboard stays "en ligne" and shows new cycles live.
      liveDays: 1,
      // Three plants in two zones: two in Senegal, one in France.
      devices: 3,
      sites: true,
      onBatch: (readings) => progress.update(`${french.format(readings)} relevés enregistrés…`),
    },
  );
  progress.done(
    `${french.format(seed.readings)} relevés enregistrés (${DEMO_DAYS} jours, ${seed.devices.length} appareils, ` +
      `${french.format(seed.pastCycles)} cycles simulés)`,
  );
});

if (seed) {
  const live = seed;
  const timer = setInterval(() => {
    live
      .sendDue(Math.floor(Date.now() / 1000))
      .catch((error: unknown) => logger.warn({ err: error }, "demo live minute not sent"));
  }, 15_000);
  timer.unref();
  // Fastify reports the address it bound; the session cookie is Secure, which browsers allow over plain
  // HTTP only for localhost.
  const url = new URL(service.url);
  if (["0.0.0.0", "127.0.0.1", "[::]", "[::1]"].includes(url.hostname)) url.hostname = "localhost";
  const address = url.toString().replace(/\/$/, "");
  console.log(
    [
      "",
      "pumpwatch — démonstration prête",
      `  Adresse :              ${address}`,
      `  E-mail :               ${seed.adminEmail}`,
      `  Mot de passe :         ${seed.adminPassword ?? "(celui de ADMIN_PASSWORD)"}`,
      `  Clé d'ingestion :      ${seed.ingestKey}`,
      `  Appareils :            ${seed.devices.map((d) => d.name).join(", ")}`,
      `  Base embarquée :       ${config.dataDir} (effacée à chaque lancement de la démo)`,
      `  E-mails des alertes :  ${mailbox.dir} (un fichier .eml par message, serveur SMTP local ${mailbox.url})`,
      "  Les appareils simulés continuent d'envoyer un relevé par minute pendant 24 h.",
      "",
      `Essayez : curl -H 'X-Api-Key: ${seed.ingestKey}' ${address}/api/stats/queue`,
      "Arrêt : Ctrl+C",
    ].join("\n"),
  );
}
