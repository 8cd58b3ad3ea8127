// Command-line options of the benchmarks: parsed with node:util, checked with a usage message on error.
import { type ParseArgsConfig, parseArgs } from "node:util";

/** A bad option: the bench prints the message and its help, and exits 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed values; `--help` prints `help` and exits. */
export function parseOptions<const O extends Options>(options: O, help: string) {
  let values: ReturnType<typeof parseArgs<{ options: O }>>["values"];
  try {
    values = parseArgs({ options }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if ((values as { help?: unknown }).help === true) {
    console.log(help);
    process.exit(0);
  }
  return values;
}

export function intOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: integer ${min}–${max}`);
  return n;
}

export function positiveOption(name: string, value: string): number {
  const n = Number(value);
  if (!(n > 0 && Number.isFinite(n))) throw new UsageError(`--${name}: positive number`);
  return n;
}
