/** Command-line parsing of `npm run simulate -- …` (kept apart from cli.ts so it can be tested). */
import { parseArgs } from "node:util";
import { MAX_MESSAGES_PER_BATCH } from "../src/contracts/ingest.js";

export const USAGE = `Shelly Pro 4PM fleet simulator (deterministic, seeded)

Usage: npm run simulate -- [options]

Fleet:
  --seed N          PRNG seed (default 1); same options → identical output
  --devices N       number of devices (default 2)
  --days N          days of history, fractions allowed (default 1)
  --start ISO       start of the range, floored to the minute (default: now − days)
Perturbations (all seeded):
  --duplicates P    probability that a message is sent twice (default 0)
  --reorder K       shuffle consecutive chunks of K messages (default 0 = in order)
  --loss P          probability that a whole device-minute is lost (default 0)
  --reboots N       reboots per device per day: counter reset + NotifyFullStatus (default 0)
Output:
  --truth FILE      write the ground truth (devices, reboots, pump cycles) as JSON
  --print           JSONL of queue messages on stdout (default mode)
  --post URL        POST batches {"messages":[…]} to URL (e.g. http://127.0.0.1:3000/api/ingest/batch)
  --key KEY         API key for --post (header X-Api-Key)
  --batch N         messages per request (default 100, max ${MAX_MESSAGES_PER_BATCH})
  --concurrency N   requests in flight (default 2)
  --help            this text

Examples:
  npm run simulate -- --devices 2 --days 1 --print | head
  npm run simulate -- --post http://127.0.0.1:3000/api/ingest/batch --key $KEY --days 7 --truth truth.json
`;

export interface CliOptions {
  help: boolean;
  mode: "print" | "post";
  seed: number;
  devices: number;
  days: number;
  /** unix seconds, a whole minute */
  startS: number;
  duplicates: number;
  reorder: number;
  loss: number;
  reboots: number;
  truth: string | null;
  url: string | null;
  key: string | null;
  batch: number;
  concurrency: number;
}

/** A usage error: the CLI prints the message and the usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

function num(
  name: string,
  raw: string | undefined,
  fallback: number,
  check: (n: number) => boolean,
  what: string,
) {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || !check(n)) {
    throw new UsageError(`--${name} must be ${what}, got "${raw}"`);
  }
  return n;
}

const isInt = (min: number) => (n: number) => Number.isInteger(n) && n >= min;
const isProb = (n: number) => n >= 0 && n <= 1;

/** Parses argv (without `node` and the script); `nowMs` gives the default start. */
export function parseCliArgs(argv: string[], nowMs: number): CliOptions {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const days = num("days", values.days, 1, (n) => n * 1440 >= 1, "a positive number of days (≥ 1 minute)");
  let startS: number;
  if (values.start !== undefined) {
    const ms = Date.parse(values.start);
    if (Number.isNaN(ms)) throw new UsageError(`--start must be an ISO date, got "${values.start}"`);
    startS = Math.floor(ms / 60_000) * 60;
  } else {
    startS = Math.floor((nowMs / 1000 - days * 86_400) / 60) * 60;
  }
  if (values.print && values.post !== undefined)
    throw new UsageError("--print and --post exclude each other");
  const mode = values.post !== undefined ? "post" : "print";
  if (mode === "post") {
    try {
      new URL(values.post as string);
    } catch {
      throw new UsageError(`--post must be a URL, got "${values.post}"`);
    }
    if (!values.key) throw new UsageError("--post needs --key KEY");
  }
  return {
    help: values.help === true,
    mode,
    seed: num("seed", values.seed, 1, (n) => Number.isInteger(n), "an integer"),
    devices: num("devices", values.devices, 2, isInt(1), "an integer ≥ 1"),
    days,
    startS,
    duplicates: num("duplicates", values.duplicates, 0, isProb, "a probability in [0, 1]"),
    reorder: num("reorder", values.reorder, 0, isInt(0), "an integer ≥ 0"),
    loss: num("loss", values.loss, 0, isProb, "a probability in [0, 1]"),
    reboots: num("reboots", values.reboots, 0, (n) => n >= 0, "a number ≥ 0"),
    truth: values.truth ?? null,
    url: values.post ?? null,
    key: values.key ?? null,
    batch: num(
      "batch",
      values.batch,
      100,
      (n) => isInt(1)(n) && n <= MAX_MESSAGES_PER_BATCH,
      `1…${MAX_MESSAGES_PER_BATCH}`,
    ),
    concurrency: num("concurrency", values.concurrency, 2, isInt(1), "an integer ≥ 1"),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      seed: { type: "string" },
      devices: { type: "string" },
      days: { type: "string" },
      start: { type: "string" },
      duplicates: { type: "string" },
      reorder: { type: "string" },
      loss: { type: "string" },
      reboots: { type: "string" },
      truth: { type: "string" },
      print: { type: "boolean" },
      post: { type: "string" },
      key: { type: "string" },
      batch: { type: "string" },
      concurrency: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
