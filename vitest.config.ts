import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "src/**/*.test.ts",
      "test/**/*.test.ts",
      "simulator/**/*.test.ts",
      "scripts/**/*.test.ts",
      "web/**/*.test.ts",
    ],
    // Builds the app once for the browser tests (web/test/*.browser.test.ts), when Chromium is installed.
    globalSetup: ["web/test/global-setup.ts"],
    // Each file opens its own database (PGlite in memory or a fresh PostgreSQL database).
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for a page or a background job to catch up; its default second is too short on a busy
    // 2-core machine (CI runs beside other work). A poll that succeeds returns at once, so this costs nothing.
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});
