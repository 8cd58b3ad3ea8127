// The code of another revision, to measure "before" and "after" in one run.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The tree of `ref` in a temporary folder (`git archive`, no worktree is added to the repository), with this
 * checkout's node_modules linked in: the revision must not need other dependencies.
 */
export function checkoutOf(repo: string, ref: string): string {
  const sha = execFileSync("git", ["rev-parse", "--short", ref], { cwd: repo, encoding: "utf8" }).trim();
  const dir = join(tmpdir(), `pumpwatch-before-${sha}`);
  if (!existsSync(join(dir, "package.json"))) {
    mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${sha} | tar -x -C '${dir}'`], { cwd: repo });
  }
  if (!existsSync(join(dir, "node_modules")))
    symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  return dir;
}
