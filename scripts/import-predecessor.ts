// npm run import:predecessor -- --from <postgres URL> [--dry-run] [--report FILE]
// Imports the predecessor's database (Shelly_Collector_FP) into the database of DATABASE_URL, or the embedded
// one in DATA_DIR (service stopped). Never writes to the source. Exit 0 done, 1 nothing imported, 2 bad arguments.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import { parseConfig } from "../src/config.js";
import { openAndMigrate } from "../src/db/open.js";
import { type ImportReport, importPredecessor, PredecessorImportError } from "../src/import/predecessor.js";
import { progressReporter } from "../src/import/progress.js";

const USAGE =
  "usage: npm run import:predecessor -- --from postgres://…/ancienne_base [--dry-run] [--report rapport.json]";

let values: { from?: string; "dry-run"?: boolean; report?: string; "batch-rows"?: string };
try {
  ({ values } = parseArgs({
    options: {
      from: { type: "string" },
      "dry-run": { type: "boolean" },
      report: { type: "string" },
      "batch-rows": { type: "string" },
    },
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  process.exit(2);
}
const batchRows = values["batch-rows"] === undefined ? 5000 : Number(values["batch-rows"]);
if (
  !values.from ||
  !/^postgres(ql)?:\/\//.test(values.from) ||
  !Number.isInteger(batchRows) ||
  batchRows < 1
) {
  console.error(USAGE);
  process.exit(2);
}
const config = parseConfig(process.env);
const dryRun = values["dry-run"] === true;

const source = new pg.Client({ connectionString: values.from, application_name: "pumpwatch-import" });
let report: ImportReport;
try {
  await source.connect();
  // one snapshot of every table, and the source refuses any write from this session
  await source.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
} catch (error) {
  console.error(`base source injoignable : ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
try {
  const { db } = await openAndMigrate({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    report = await importPredecessor({
      source,
      target: db,
      dryRun,
      timeZone: config.timeZone,
      now: new Date(),
      batchRows,
      onProgress: progressReporter(process.stderr),
    });
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(
    error instanceof PredecessorImportError
      ? error.message
      : `import interrompu : ${error instanceof Error ? error.message : error}`,
  );
  await source.end().catch(() => {});
  process.exit(1);
}
await source.query("ROLLBACK").catch(() => {});
await source.end().catch(() => {});

const text = JSON.stringify(report, null, 2);
if (values.report) writeFileSync(values.report, `${text}\n`);
console.log(text);
const r = report.readings;
console.error(
  `${dryRun ? "Simulation (rien n'est écrit) : " : ""}${r.read} relevés lus, ${r.stored} ${dryRun ? "seraient enregistrés" : "enregistrés"}, ` +
    `${r.duplicates} déjà présents, ${r.merged_in_minute} fusionnés dans leur minute, ` +
    `${Object.values(r.skipped).reduce((a, b) => a + (b ?? 0), 0)} ignorés ; ` +
    `${report.versions.imported} versions de configuration, ${report.versions.repaired.length} réparations, ` +
    `${report.versions.refused.length} refus.` +
    (dryRun ? "" : " Les cycles de la période importée sont calculés par le service."),
);
const nothing =
  r.stored + r.duplicates === 0 && report.versions.imported + report.versions.already_present === 0;
process.exit(nothing ? 1 : 0);
