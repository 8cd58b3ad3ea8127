// npm run apikey:create -- --name NAME — creates an ingestion key and prints it once; only its hash is kept.
import { parseArgs } from "node:util";
import { createApiKey } from "../src/admin/api-keys.js";
import { parseConfig } from "../src/config.js";
import { openAndMigrate } from "../src/db/open.js";

const { values } = parseArgs({ options: { name: { type: "string" } } });
const name = values.name?.trim();
if (!name || name.length > 100) {
  console.error("usage: npm run apikey:create -- --name NAME   (1 to 100 characters)");
  process.exit(2);
}
const config = parseConfig(process.env);
try {
  const { db } = await openAndMigrate({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const created = await createApiKey(db, name, "cli");
  await db.close();
  console.log(`Clé « ${created.name} » créée (id ${created.id}). Elle ne sera plus affichée :`);
  console.log(created.key);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
