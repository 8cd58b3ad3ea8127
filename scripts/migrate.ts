// npm run migrate — brings the database of DATABASE_URL (or the embedded one in DATA_DIR) up to date.
import { parseConfig } from "../src/config.js";
import { openAndMigrate } from "../src/db/open.js";

const config = parseConfig(process.env);
try {
  const { db, applied, migrationCount } = await openAndMigrate({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
  });
  await db.close();
  console.log(
    applied.length
      ? `applied migrations ${applied.join(", ")}`
      : `schema up to date (${migrationCount} migrations)`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
