import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/harness.js";
import { auditOf } from "../db/queries/config-audit.js";
import { ConfigAdminError } from "./config-errors.js";
import { addChannelVersion } from "./config-versions.js";
import { renameDevice } from "./device-names.js";
import { createPumpModel, deletePumpModel, listPumpModels, updatePumpModel } from "./pump-models.js";

const NOW = new Date("2026-02-19T10:00:00Z");
const LATER = new Date("2026-02-20T10:00:00Z");
const ACTOR = "admin@example.org";
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  for (const deviceId of ["dev-a", "dev-b"]) {
    await t.db.query("INSERT INTO devices (device_id, first_seen, last_seen) VALUES ($1, $2, $2)", [
      deviceId,
      "2025-10-08T00:00:00Z",
    ]);
  }
});
afterAll(async () => {
  await t.drop();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigAdminError) return error.code;
    throw error;
  }
  throw new Error("expected a ConfigAdminError");
}

describe("pump models", () => {
  it("lists the seeded models by name", async () => {
    const models = await listPumpModels(t.db);
    expect(models.map((m) => [m.id, m.name, m.powerKw, m.currentA, m.nominalFlowM3hHmt8])).toEqual([
      [2, "Pedrollo DM/8", 0.55, 3.2, null],
      [1, "Pedrollo VXM 10/35", 0.75, 4.8, 18],
    ]);
  });

  it("creates a model (trimmed name, optional nominal flow) and audits it", async () => {
    const model = await createPumpModel(
      t.db,
      { name: "  Grundfos SEG 40  ", powerKw: 0.9, currentA: 5.5, nominalFlowM3hHmt8: null },
      ACTOR,
      NOW,
    );
    expect(model).toMatchObject({
      name: "Grundfos SEG 40",
      powerKw: 0.9,
      currentA: 5.5,
      nominalFlowM3hHmt8: null,
    });
    const audit = await auditOf(t.db, "pump_model", String(model.id));
    expect(audit.map((e) => [e.action, e.actor, e.before])).toEqual([["create", ACTOR, null]]);
    expect(audit[0]?.after).toMatchObject({ name: "Grundfos SEG 40", powerKw: 0.9 });
  });

  it("requires a name, a power and a current > 0; the nominal flow is optional but never 0 (defect 6)", async () => {
    const valid = { name: "X", powerKw: 1, currentA: 2 };
    expect(await codeOf(createPumpModel(t.db, { ...valid, name: "   " }, ACTOR, NOW))).toBe(
      "invalid_pump_model_name",
    );
    expect(await codeOf(createPumpModel(t.db, { ...valid, name: undefined }, ACTOR, NOW))).toBe(
      "invalid_pump_model_name",
    );
    expect(await codeOf(createPumpModel(t.db, { ...valid, name: "n".repeat(101) }, ACTOR, NOW))).toBe(
      "invalid_pump_model_name",
    );
    expect(await codeOf(createPumpModel(t.db, { ...valid, powerKw: 0 }, ACTOR, NOW))).toBe("invalid_power");
    expect(await codeOf(createPumpModel(t.db, { ...valid, powerKw: "0.75" }, ACTOR, NOW))).toBe(
      "invalid_power",
    );
    expect(await codeOf(createPumpModel(t.db, { ...valid, currentA: -1 }, ACTOR, NOW))).toBe(
      "invalid_current",
    );
    expect(await codeOf(createPumpModel(t.db, { ...valid, currentA: null }, ACTOR, NOW))).toBe(
      "invalid_current",
    );
    expect(await codeOf(createPumpModel(t.db, { ...valid, nominalFlowM3hHmt8: 0 }, ACTOR, NOW))).toBe(
      "invalid_nominal_flow",
    );
    expect(
      await codeOf(createPumpModel(t.db, { ...valid, nominalFlowM3hHmt8: Number.NaN }, ACTOR, NOW)),
    ).toBe("invalid_nominal_flow");
    expect((await listPumpModels(t.db)).some((m) => m.name === "X")).toBe(false);
  });

  it("refuses a second model with the same name, whatever its case", async () => {
    expect(
      await codeOf(createPumpModel(t.db, { name: "pedrollo dm/8", powerKw: 1, currentA: 1 }, ACTOR, NOW)),
    ).toBe("pump_model_name_taken");
    expect(
      await codeOf(updatePumpModel(t.db, 1, { name: "PEDROLLO DM/8", powerKw: 1, currentA: 1 }, ACTOR, NOW)),
    ).toBe("pump_model_name_taken");
  });

  it("updates every field of a model and audits before and after; an unknown id is pump_model_not_found", async () => {
    const created = await createPumpModel(
      t.db,
      { name: "Lowara DOMO 7", powerKw: 0.55, currentA: 4 },
      ACTOR,
      NOW,
    );
    const updated = await updatePumpModel(
      t.db,
      created.id,
      { name: "Lowara DOMO 7/B", powerKw: 0.6, currentA: 4.2, nominalFlowM3hHmt8: 12 },
      ACTOR,
      LATER,
    );
    expect(updated).toMatchObject({
      id: created.id,
      name: "Lowara DOMO 7/B",
      powerKw: 0.6,
      currentA: 4.2,
      nominalFlowM3hHmt8: 12,
      createdAt: NOW,
      updatedAt: LATER,
    });
    const audit = await auditOf(t.db, "pump_model", String(created.id));
    expect(audit.map((e) => e.action)).toEqual(["create", "update"]);
    expect(audit[1]?.before).toMatchObject({ name: "Lowara DOMO 7", nominalFlowM3hHmt8: null });
    expect(audit[1]?.after).toMatchObject({ name: "Lowara DOMO 7/B", nominalFlowM3hHmt8: 12 });
    expect(
      await codeOf(updatePumpModel(t.db, 9999, { name: "Y", powerKw: 1, currentA: 1 }, ACTOR, NOW)),
    ).toBe("pump_model_not_found");
    expect(await codeOf(deletePumpModel(t.db, 9999, ACTOR, NOW))).toBe("pump_model_not_found");
  });

  it("bug 40: a model used by channels cannot be deleted (409-worthy code, with the number of channels); an unused one can", async () => {
    const used = await createPumpModel(t.db, { name: "Used", powerKw: 1, currentA: 2 }, ACTOR, NOW);
    await addChannelVersion(
      t.db,
      { deviceId: "dev-a", channel: 0, effectiveFrom: "2026-01-01", pumpModelId: used.id },
      ACTOR,
      NOW,
    );
    await addChannelVersion(t.db, { deviceId: "dev-a", channel: 0, effectiveFrom: "2026-02-01" }, ACTOR, NOW);
    await addChannelVersion(
      t.db,
      { deviceId: "dev-b", channel: 2, effectiveFrom: "2026-01-01", pumpModelId: used.id },
      ACTOR,
      NOW,
    );
    let error: unknown;
    try {
      await deletePumpModel(t.db, used.id, ACTOR, NOW);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigAdminError);
    expect(error).toMatchObject({ code: "pump_model_in_use", count: 2 });
    expect((error as Error).message).toContain("utilisé par 2 canaux");
    expect((await listPumpModels(t.db)).some((m) => m.id === used.id)).toBe(true);
    expect((await auditOf(t.db, "pump_model", String(used.id))).map((e) => e.action)).toEqual(["create"]);

    const unused = await createPumpModel(t.db, { name: "Unused", powerKw: 1, currentA: 2 }, ACTOR, NOW);
    const deleted = await deletePumpModel(t.db, unused.id, ACTOR, LATER);
    expect(deleted.name).toBe("Unused");
    expect((await listPumpModels(t.db)).some((m) => m.id === unused.id)).toBe(false);
    const audit = await auditOf(t.db, "pump_model", String(unused.id));
    expect(audit.map((e) => [e.action, e.after])).toEqual([
      ["create", expect.anything()],
      ["delete", null],
    ]);
  });

  it("a model referenced only by a past (closed or superseded) version still counts as used", async () => {
    const old = await createPumpModel(t.db, { name: "Old one", powerKw: 1, currentA: 2 }, ACTOR, NOW);
    await addChannelVersion(
      t.db,
      { deviceId: "dev-b", channel: 3, effectiveFrom: "2026-01-01", pumpModelId: old.id },
      ACTOR,
      NOW,
    );
    await addChannelVersion(
      t.db,
      { deviceId: "dev-b", channel: 3, effectiveFrom: "2026-01-01", pumpModelId: null },
      ACTOR,
      NOW,
    );
    expect(await codeOf(deletePumpModel(t.db, old.id, ACTOR, NOW))).toBe("pump_model_in_use");
  });
});

describe("renameDevice", () => {
  it("sets, trims and clears the custom name, audits changes only, and refuses unknown devices", async () => {
    expect(await renameDevice(t.db, "dev-a", "  Client 1 ", ACTOR, NOW)).toEqual({
      deviceId: "dev-a",
      name: "Client 1",
    });
    expect(await renameDevice(t.db, "dev-a", "Client 1", ACTOR, NOW)).toEqual({
      deviceId: "dev-a",
      name: "Client 1",
    });
    expect(await renameDevice(t.db, "dev-a", "", ACTOR, LATER)).toEqual({ deviceId: "dev-a", name: null });
    const { rows } = await t.db.query<{ name: string | null }>(
      "SELECT name FROM devices WHERE device_id = 'dev-a'",
    );
    expect(rows[0]?.name).toBeNull();
    const audit = await auditOf(t.db, "device", "dev-a");
    expect(audit.map((e) => [e.action, e.before, e.after])).toEqual([
      ["rename", { name: null }, { name: "Client 1" }],
      ["rename", { name: "Client 1" }, { name: null }],
    ]);
    expect(await codeOf(renameDevice(t.db, "nope", "X", ACTOR, NOW))).toBe("unknown_device");
    expect(await codeOf(renameDevice(t.db, "dev-a", "x".repeat(101), ACTOR, NOW))).toBe(
      "invalid_device_name",
    );
    expect(await codeOf(renameDevice(t.db, "dev-a", 42, ACTOR, NOW))).toBe("invalid_device_name");
  });
});
