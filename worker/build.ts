import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const WORKER_ENTRY = fileURLToPath(new URL("./src/index.ts", import.meta.url));
export const WORKER_BUNDLE = fileURLToPath(new URL("./dist/index.js", import.meta.url));

/** worker/src → one ES module, worker/dist/index.js, as Cloudflare (and Miniflare) load it. */
export async function buildWorker(): Promise<string> {
  await build({
    entryPoints: [WORKER_ENTRY],
    outfile: WORKER_BUNDLE,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    logLevel: "warning",
  });
  return WORKER_BUNDLE;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWorker();
  console.log("built worker/dist/index.js");
}
