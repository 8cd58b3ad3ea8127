/** `npm run simulate -- …`: prints or posts a simulated Shelly Pro 4PM fleet. See README.md. */
import { writeFile } from "node:fs/promises";
import { type CliOptions, parseCliArgs, USAGE, UsageError } from "./args.js";
import { type PostTotals, postBatches, type Simulation, simulateFleet } from "./index.js";

function describe(o: CliOptions, sim: Simulation): string {
  const start = new Date(sim.startS * 1000).toISOString();
  const end = new Date(sim.endS * 1000).toISOString();
  return `seed ${o.seed}, ${o.devices} device(s), ${start} → ${end}`;
}

async function printMessages(sim: Simulation): Promise<number> {
  const out = process.stdout;
  let closed = false;
  out.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") closed = true;
    else throw err;
  });
  let count = 0;
  let buffer = "";
  const flush = async (): Promise<void> => {
    if (buffer === "" || closed) return;
    const ok = out.write(buffer);
    buffer = "";
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          out.off("drain", done);
          out.off("close", done);
          out.off("error", done);
          resolve();
        };
        out.on("drain", done);
        out.on("close", done);
        out.on("error", done);
      });
    }
  };
  for (const message of sim.messages()) {
    if (closed) break;
    buffer += `${JSON.stringify(message)}\n`;
    count++;
    if (buffer.length > 64 * 1024) await flush();
  }
  await flush();
  if (closed) process.stderr.write("stdout closed, stopping\n");
  return count;
}

function progressLine(t: PostTotals, pct: number): string {
  return (
    `[${pct.toFixed(1).padStart(5)}%] ${t.batches} batches, ${t.messages} messages, ` +
    `inserted ${t.inserted}, duplicates ${t.duplicates}, errors ${t.errors}, retries ${t.retries}, ` +
    `${t.batchesPerSecond.toFixed(1)} batches/s`
  );
}

async function post(o: CliOptions, sim: Simulation): Promise<void> {
  const url = o.url as string;
  let lastPrint = 0;
  let simTime = sim.startS;
  const pct = (): number => (100 * (simTime - sim.startS)) / (sim.endS - sim.startS);
  const totals = await postBatches(url, o.key as string, sim.batches(o.batch), {
    concurrency: o.concurrency,
    onRetry: ({ attempt, reason, waitMs }) => {
      process.stderr.write(`retry ${attempt} of a batch in ${(waitMs / 1000).toFixed(1)} s: ${reason}\n`);
    },
    onProgress: (t, batch) => {
      const last = batch[batch.length - 1];
      if (last?.timestamp !== undefined && last.timestamp > simTime)
        simTime = Math.min(last.timestamp, sim.endS);
      if (t.elapsedMs - lastPrint >= 1000) {
        lastPrint = t.elapsedMs;
        process.stderr.write(`${progressLine(t, pct())}\n`);
      }
    },
  });
  const s = totals.elapsedMs / 1000;
  process.stdout.write(
    `${[
      `posted ${totals.messages} messages in ${totals.batches} batches to ${url}`,
      `readings inserted ${totals.inserted}, duplicates ${totals.duplicates}, rejected messages ${totals.errors}`,
      `retries ${totals.retries}, elapsed ${s.toFixed(1)} s, ${totals.batchesPerSecond.toFixed(1)} batches/s, ` +
        `${totals.messagesPerSecond.toFixed(0)} messages/s`,
    ].join("\n")}\n`,
  );
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  let o: CliOptions;
  try {
    o = parseCliArgs(argv, Date.now());
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  const sim = simulateFleet({
    seed: o.seed,
    devices: o.devices,
    days: o.days,
    start: o.startS,
    duplicates: o.duplicates,
    reorder: o.reorder,
    loss: o.loss,
    reboots: o.reboots,
  });
  process.stderr.write(`simulating ${describe(o, sim)}\n`);
  if (o.truth !== null) {
    const report = sim.truthReport();
    await writeFile(o.truth, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(
      `truth: ${report.cycles.length} cycles, ${report.reboots.length} reboots → ${o.truth}\n`,
    );
  }
  if (o.mode === "print") {
    const count = await printMessages(sim);
    process.stderr.write(`${count} messages\n`);
  } else {
    await post(o, sim);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
