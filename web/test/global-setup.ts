import { execFileSync } from "node:child_process";
import { chromiumPath } from "./browser";

/**
 * The browser tests drive the service exactly as `npm start` runs it (`npm run build` when stale, then
 * `node dist/src/main.js`); build once for the whole run, and only when Chromium is there to use it.
 */
export default function setup(): void {
  if (!chromiumPath()) return;
  // The same check as `npm start`: build only when dist is missing or older than a source.
  // Vitest sets NODE_ENV=test, which would give Vite a development-flavoured bundle: test what ships.
  execFileSync(process.execPath, ["scripts/build-if-stale.mjs"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
}
