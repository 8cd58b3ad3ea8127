// npm run backup -- --to FILE [--force] [--timeout SECONDS]
// Backs up the embedded database, the service running or not (docs/decisions/0010-embedded-backups.md).
// Exit: 0 written, 1 failed (nothing written), 2 bad arguments, 3 FILE exists (no --force), 4 DATABASE_URL set.
import { parseArgs } from "node:util";
import { BackupError, EXIT, exitCodeOf, POSTGRES_RECIPE } from "../src/backup/errors.js";
import { parseConfig } from "../src/config.js";

const USAGE = "usage : npm run backup -- --to FICHIER.tar.gz [--force] [--timeout SECONDES]";

let values: { to?: string; force?: boolean; timeout?: string };
try {
  ({ values } = parseArgs({
    options: {
      to: { type: "string" },
      force: { type: "boolean", default: false },
      timeout: { type: "string", default: "300" },
    },
  }));
} catch {
  console.error(USAGE);
  process.exit(EXIT.usage);
}
const timeoutSeconds = Number(values.timeout);
if (!values.to || !Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
  console.error(USAGE);
  process.exit(EXIT.usage);
}
const config = parseConfig(process.env);
if (config.databaseUrl) {
  console.error(POSTGRES_RECIPE);
  process.exit(EXIT.postgres);
}
try {
  // Loaded only now: PGlite takes a while to load, and the checks above need none of it.
  const { backupEmbedded } = await import("../src/backup/embedded.js");
  const result = await backupEmbedded({
    dataDir: config.dataDir,
    to: values.to,
    force: values.force === true,
    timeoutMs: timeoutSeconds * 1000,
    onWaiting: (pid) => console.log(`Le service (processus ${pid}) tient la base : il écrit l'instantané…`),
  });
  const size = (result.bytes / 1024 / 1024).toLocaleString("fr-FR", { maximumFractionDigits: 1 });
  console.log(`Sauvegarde écrite : ${values.to} (${size} Mo).`);
} catch (error) {
  console.error(`Sauvegarde impossible : ${error instanceof Error ? error.message : error}`);
  process.exit(error instanceof BackupError ? exitCodeOf(error.failure) : EXIT.failed);
}
