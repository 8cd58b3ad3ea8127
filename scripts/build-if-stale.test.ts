import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildDecision, buildState, markBuildDone, markBuildStarted, STAMP } from "./build-if-stale.mjs";

describe("buildDecision", () => {
  it.each([
    [{ stampMs: null, outputsPresent: true, newestSourceMs: 1_000 }, true, "no build stamp"],
    [{ stampMs: 2_000, outputsPresent: false, newestSourceMs: 1_000 }, true, "build output missing"],
    [{ stampMs: 2_000, outputsPresent: true, newestSourceMs: 2_001 }, true, "sources changed"],
    [{ stampMs: 2_000, outputsPresent: true, newestSourceMs: 2_000 }, false, "build up to date"],
    [{ stampMs: 2_000, outputsPresent: true, newestSourceMs: 1_000 }, false, "build up to date"],
    [{ stampMs: 2_000, outputsPresent: true, newestSourceMs: null }, false, "build up to date"],
  ])("%j → build %s (%s)", (state, build, reason) => {
    expect(buildDecision(state)).toEqual({ build, reason });
  });
});

describe("buildState on a checkout", () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  /** A checkout whose every file was last written at `ms`. */
  function checkout(files: string[], ms: number): string {
    const root = mkdtempSync(join(tmpdir(), "pumpwatch-build-"));
    roots.push(root);
    for (const file of files) {
      mkdirSync(join(root, file, ".."), { recursive: true });
      writeFileSync(join(root, file), "x");
      utimesSync(join(root, file), ms / 1000, ms / 1000);
    }
    return root;
  }
  const touch = (root: string, file: string, ms: number) => {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), "y");
    utimesSync(join(root, file), ms / 1000, ms / 1000);
  };
  const decide = (root: string) => buildDecision(buildState(root));

  const T0 = Date.parse("2026-01-01T00:00:00Z");
  const FILES = [
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "src/main.ts",
    "src/db/open.ts",
    "migrations/001.sql",
  ];

  it("builds a fresh clone, then skips until a source or build file changes", () => {
    const root = checkout(FILES, T0);
    expect(decide(root)).toEqual({ build: true, reason: "no build stamp" });
    markBuildStarted(root);
    touch(root, "dist/src/main.js", T0 + 5_000);
    markBuildDone(root);
    utimesSync(join(root, STAMP), (T0 + 1_000) / 1000, (T0 + 1_000) / 1000);
    expect(decide(root)).toEqual({ build: false, reason: "build up to date" });
    // not read by the build: migrations are read from the checkout at run time
    touch(root, "migrations/002.sql", T0 + 9_000);
    expect(decide(root).build).toBe(false);
    touch(root, "src/db/open.ts", T0 + 9_000);
    expect(decide(root)).toEqual({ build: true, reason: "sources changed" });
  });

  it.each(["tsconfig.build.json", "vite.config.ts", "package-lock.json", "web/src/App.tsx"])(
    "rebuilds when %s is newer than the stamp",
    (file) => {
      const root = checkout([...FILES, "dist/src/main.js", "dist/web/index.html", STAMP], T0);
      expect(decide(root).build).toBe(false);
      touch(root, file, T0 + 1);
      expect(decide(root).build).toBe(true);
    },
  );

  it("rebuilds when the web app has sources but no output, or the server's output is gone", () => {
    const root = checkout([...FILES, "web/index.html", "dist/src/main.js", STAMP], T0);
    expect(decide(root)).toEqual({ build: true, reason: "build output missing" });
    touch(root, "dist/web/index.html", T0);
    expect(decide(root).build).toBe(false);
    rmSync(join(root, "dist/src/main.js"));
    expect(decide(root)).toEqual({ build: true, reason: "build output missing" });
  });

  it("forgets the stamp when a build starts, so a failed build is redone", () => {
    const root = checkout([...FILES, "dist/src/main.js", STAMP], T0);
    markBuildStarted(root);
    expect(decide(root)).toEqual({ build: true, reason: "no build stamp" });
  });
});
