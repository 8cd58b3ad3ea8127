// npm run restore -- --from FILE [--force]
// Restores the embedded database from a backup, the service stopped; the database that was there is kept
// beside it (docs/decisions/0010-embedded-backups.md).
// Exit: 0 restored, 1 failed (bad or truncated file; nothing changed), 2 bad arguments, 3 refused (the
// service holds the folder, or a database is there and no --force), 4 DATABASE_URL set.
import { parseArgs } from "node:util";
import { BackupError, EXIT, exitCodeOf, POSTGRES_RECIPE } from "../src/backup/errors.js";
import { parseConfig } from "../src/config.js";

const USAGE = "usage : npm run restore -- --from FICHIER.tar.gz [--force]";

let values: { from?: string; force?: boolean };
try {
  ({ values } = parseArgs({
    options: { from: { type: "string" }, force: { type: "boolean", default: false } },
  }));
} catch {
  console.error(USAGE);
  process.exit(EXIT.usage);
}
if (!values.from) {
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
  const { restoreEmbedded } = await import("../src/backup/embedded.js");
  const result = await restoreEmbedded({
    dataDir: config.dataDir,
    from: values.from,
    force: values.force === true,
  });
  const total = Object.values(result.tables).reduce((sum, n) => sum + n, 0);
  console.log(
    `Base restaurée dans ${config.dataDir} : ${result.migrations} migrations, ${total.toLocaleString("fr-FR")} lignes.`,
  );
  for (const [table, n] of Object.entries(result.tables))
    console.log(`  ${table} : ${n.toLocaleString("fr-FR")}`);
  if (result.previous) {
    console.log(`L'ancienne base est gardée dans ${result.previous} ; supprimez-la quand tout va bien.`);
  }
} catch (error) {
  console.error(`Restauration impossible : ${error instanceof Error ? error.message : error}`);
  process.exit(error instanceof BackupError ? exitCodeOf(error.failure) : EXIT.failed);
}
