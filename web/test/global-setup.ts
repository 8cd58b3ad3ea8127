import { execFileSync } from "node:child_process";
import { chromiumPath } from "./browser";

/**
 * The browser tests drive the service exactly as `npm start` runs it (`npm run build`, then
 * `node dist/src/main.js`); build once for the whole run, and only when Chromium is there to use it.
 */
export default function setup(): void {
  if (!chromiumPath()) return;
  execFileSync("npm", ["run", "build", "--silent"], { stdio: "inherit" });
}
