import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, LogCapture, type TestDatabase } from "./harness.js";

/*
 * The dashboard aborts the previous view's requests when its filters change (issue 21, item 5); the service
 * then stops the report of a request whose client has gone, instead of running its statements on PGlite's one
 * connection ahead of the new view's. The request is held behind a transaction that locks the meters, its
 * client leaves, and once the lock goes the report stops before its reads, logged as such, never as a
 * failure.
 */
let t: TestDatabase;
let app: App;
const logs = new LogCapture();

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { migrationCount: t.migrationCount, publicDashboard: true, logs });
  await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("a request whose client has gone", () => {
  it("stops its report before reading, and is not logged as a failure", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding = t.db.transaction(async (tx) => {
      await tx.query("LOCK TABLE devices IN ACCESS EXCLUSIVE MODE");
      await gate;
    });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("not listening");
    const client = httpRequest({
      host: "127.0.0.1",
      port: address.port,
      path: "/api/cycles?limit=100",
      headers: { accept: "application/json" },
    });
    client.on("error", () => {}); // destroyed on purpose
    client.end();
    await expect
      .poll(() => logs.text.includes('"url":"/api/cycles?limit=100"'), { timeout: 60_000 })
      .toBe(true);
    client.destroy();
    await expect
      .poll(() => logs.text.includes("client closed the connection before the answer"), { timeout: 60_000 })
      .toBe(true);
    release();
    await holding;
    await expect
      .poll(() => logs.text.includes("client closed the request: its reads stopped"), { timeout: 60_000 })
      .toBe(true);
    expect(logs.text).not.toContain("request failed");
  });
});
