// `npm start`'s prestart: runs `npm run build` only when the build is missing or older than a source.
// Plain Node on purpose: no tsx, no dependency, so it runs wherever `npm start` does.
//   node scripts/build-if-stale.mjs            build when stale (prestart)
//   node scripts/build-if-stale.mjs --started  prebuild: forget the stamp, note when this build started
//   node scripts/build-if-stale.mjs --done     postbuild: that start becomes the stamp
// The stamp is kept by `npm run build` itself (pre/postbuild), so a build run by hand counts too.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Written after a successful build; its mtime is the moment that build started. */
export const STAMP = "dist/.build-stamp";
const STARTED = "dist/.build-started";

/** What the build reads: source folders (walked) and configuration files at the root. */
export const SOURCE_DIRS = ["src", "web"];
export const CONFIG_FILE = /^(tsconfig.*\.json|vite\.config\.[cm]?[jt]s|package\.json|package-lock\.json)$/;

/**
 * The decision, from mtimes only (milliseconds; null: absent). Builds when the stamp or an output is missing,
 * or when a source or build configuration file changed after the last build started.
 * @param {{ stampMs: number | null, outputsPresent: boolean, newestSourceMs: number | null }} state
 * @returns {{ build: boolean, reason: string }}
 */
export function buildDecision({ stampMs, outputsPresent, newestSourceMs }) {
  if (stampMs === null) return { build: true, reason: "no build stamp" };
  if (!outputsPresent) return { build: true, reason: "build output missing" };
  if (newestSourceMs !== null && newestSourceMs > stampMs) return { build: true, reason: "sources changed" };
  return { build: false, reason: "build up to date" };
}

/** Newest mtime under a folder (files only; node_modules and dot-folders skipped), or null when empty. */
function newestIn(dir) {
  let newest = null;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    const ms = entry.isDirectory() ? newestIn(path) : entry.isFile() ? statSync(path).mtimeMs : null;
    if (ms !== null && (newest === null || ms > newest)) newest = ms;
  }
  return newest;
}

/**
 * Reads the state of a checkout: the stamp, whether the outputs exist (the server's entry point, and the web
 * app's folder when the checkout has a web app), and the newest mtime of what the build reads.
 * @param {string} root
 */
export function buildState(root) {
  const stampPath = join(root, STAMP);
  const stampMs = existsSync(stampPath) ? statSync(stampPath).mtimeMs : null;
  const outputs = ["dist/src/main.js"];
  if (existsSync(join(root, "web"))) outputs.push("dist/web");
  const outputsPresent = outputs.every((output) => existsSync(join(root, output)));
  let newestSourceMs = null;
  const consider = (ms) => {
    if (ms !== null && (newestSourceMs === null || ms > newestSourceMs)) newestSourceMs = ms;
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(root, dir))) consider(newestIn(join(root, dir)));
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile() && CONFIG_FILE.test(entry.name)) consider(statSync(join(root, entry.name)).mtimeMs);
  }
  return { stampMs, outputsPresent, newestSourceMs };
}

/** Builds when needed; returns the exit status (0 when nothing had to be done). */
export function buildIfStale(root, log = (line) => console.log(line)) {
  const decision = buildDecision(buildState(root));
  if (!decision.build) {
    log(`build skipped: ${decision.reason} (npm run build forces one)`);
    return 0;
  }
  log(`building: ${decision.reason}`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "build"], {
    cwd: root,
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  return result.status ?? 1;
}

/**
 * Before a build: a failed or interrupted build must leave no stamp, and files saved while it runs are newer
 * than its start, so the start time (not the end) becomes the stamp.
 */
export function markBuildStarted(root) {
  rmSync(join(root, STAMP), { force: true });
  mkdirSync(join(root, "dist"), { recursive: true });
  writeFileSync(join(root, STARTED), `${new Date().toISOString()}\n`);
}

/** After a successful build: its start time (the mtime of the note, kept by rename) becomes the stamp. */
export function markBuildDone(root) {
  if (existsSync(join(root, STARTED))) renameSync(join(root, STARTED), join(root, STAMP));
  else writeFileSync(join(root, STAMP), `${new Date().toISOString()}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const mode = process.argv[2];
  if (mode === "--started") markBuildStarted(root);
  else if (mode === "--done") markBuildDone(root);
  else process.exitCode = buildIfStale(root);
}
