import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, type TestDatabase } from "./harness.js";

let t: TestDatabase;
let app: App;
beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { migrationCount: t.migrationCount });
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe("service endpoints", () => {
  it("serves an OpenAPI document describing the contract's paths from the route schemas", async () => {
    const response = await app.inject({ url: "/api/openapi.json" });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/health", "/api/ready", "/api/ingest/batch", "/api/stats/queue"]),
    );
    const batch = doc.paths["/api/ingest/batch"].post;
    const body = batch.requestBody.content["application/json"].schema;
    expect(body.properties.messages.maxItems).toBe(1000);
    expect(body.properties.messages.items.properties.src).toBeDefined();
    expect(batch.responses["200"].content["application/json"].schema.properties.results).toBeDefined();
  });

  it("documents the backtest's threshold to try (rule, threshold), both optional", async () => {
    const doc = (await app.inject({ url: "/api/openapi.json" })).json();
    const params = doc.paths["/api/alerts/backtest"].get.parameters as { name: string; required?: boolean }[];
    for (const name of ["rule", "threshold"]) {
      expect(params.find((p) => p.name === name)?.required ?? false, name).toBe(false);
    }
  });

  it("answers health and readiness", async () => {
    expect((await app.inject({ url: "/api/health" })).json()).toEqual({ status: "ok" });
    expect((await app.inject({ url: "/api/ready" })).json()).toEqual({ status: "ready", mqtt: "off" });
  });

  it("answers an unknown path with a French 404 in the error format", async () => {
    const response = await app.inject({ url: "/api/nope" });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: "not_found", message: "Ressource introuvable." });
  });
});
