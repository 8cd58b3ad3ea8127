import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChannelVersion } from "../src/admin/config-versions.js";
import { createTestDatabase, type TestDatabase } from "./harness.js";

// What the database itself guarantees about the configuration (migration 0004), whatever the code does.

const NOW = new Date("2026-02-19T10:00:00Z");
const DEVICE = "shellypro4pm-a0dd6c9ef474";
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.query("INSERT INTO devices (device_id, first_seen, last_seen) VALUES ($1, $2, $2)", [
    DEVICE,
    "2025-10-08T00:00:00Z",
  ]);
});
afterAll(async () => {
  await t.drop();
});

async function sqlStateOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

/** Inserts a version row by hand, as a careless script would. */
function insertByHand(channel: number, from: string, to: string | null, extra: Record<string, unknown> = {}) {
  const values = { flow_rate_m3h: null, pump_model_id: null, ...extra };
  return t.db.query(
    `INSERT INTO channel_config_versions (device_id, channel, effective_from, effective_to, version, pump_type,
       flow_rate_m3h, pump_model_id, dbo5_mg_l, dco_mg_l, mes_mg_l, activity_threshold_w, stop_gap_min,
       min_cycle_min, created_at)
     VALUES ($1, $2, $3, $4, 1, 'relevage', $5, $6, 570, 1250, 650, 10, 4, 2, now())`,
    [DEVICE, channel, from, to, values.flow_rate_m3h, values.pump_model_id],
  );
}

describe("migration 0004", () => {
  it("seeds the predecessor's two pump models with ids 1 and 2", async () => {
    const { rows } = await t.db.query(
      "SELECT id, name, power_kw, current_a, nominal_flow_m3h_hmt8 FROM pump_models ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 1, name: "Pedrollo VXM 10/35", power_kw: 0.75, current_a: 4.8, nominal_flow_m3h_hmt8: 18 },
      { id: 2, name: "Pedrollo DM/8", power_kw: 0.55, current_a: 3.2, nominal_flow_m3h_hmt8: null },
    ]);
  });

  it("refuses an overlapping version inserted by hand (exclusion constraint, 23P01)", async () => {
    await addChannelVersion(t.db, { deviceId: DEVICE, channel: 0, effectiveFrom: "2026-01-01" }, "a", NOW);
    await addChannelVersion(t.db, { deviceId: DEVICE, channel: 0, effectiveFrom: "2026-02-01" }, "a", NOW);
    expect(await sqlStateOf(insertByHand(0, "2026-01-15", "2026-01-20"))).toBe("23P01");
    expect(await sqlStateOf(insertByHand(0, "2025-12-01", "2026-01-02"))).toBe("23P01");
    expect(await sqlStateOf(insertByHand(0, "2026-03-01", null))).toBe("23P01");
    // Touching is not overlapping: [2025-12-01, 2026-01-01) fits before the first version.
    expect(await sqlStateOf(insertByHand(0, "2025-12-01", "2026-01-01"))).toBeUndefined();
  });

  it("refuses a gap or a second open version when the transaction commits", async () => {
    // A lone closed version: nothing continues it.
    expect(await sqlStateOf(insertByHand(1, "2026-01-01", "2026-02-01"))).toBe("23514");
    expect(await sqlStateOf(insertByHand(1, "2026-01-01", null))).toBeUndefined();
    // A version after the open one would leave the open one overlapping it (23P01) …
    expect(await sqlStateOf(insertByHand(1, "2026-03-01", null))).toBe("23P01");
    // … and closing the open one by hand leaves no open version.
    expect(
      await sqlStateOf(
        t.db.query(
          "UPDATE channel_config_versions SET effective_to = '2026-02-01' WHERE device_id = $1 AND channel = 1",
          [DEVICE],
        ),
      ),
    ).toBe("23514");
    // Deleting the middle version of three leaves a gap.
    await addChannelVersion(t.db, { deviceId: DEVICE, channel: 1, effectiveFrom: "2026-02-01" }, "a", NOW);
    await addChannelVersion(t.db, { deviceId: DEVICE, channel: 1, effectiveFrom: "2026-03-01" }, "a", NOW);
    expect(
      await sqlStateOf(
        t.db.query(
          "DELETE FROM channel_config_versions WHERE device_id = $1 AND channel = 1 AND effective_from = '2026-02-01'",
          [DEVICE],
        ),
      ),
    ).toBe("23514");
  });

  it("checks dates (year 206, end not after start), channel, type, flow > 0, device and pump model", async () => {
    expect(await sqlStateOf(insertByHand(2, "0206-02-19", null))).toBe("23514");
    expect(await sqlStateOf(insertByHand(2, "2101-01-01", null))).toBe("23514");
    expect(await sqlStateOf(insertByHand(2, "2026-01-01", "2026-01-01"))).toBe("23514");
    expect(await sqlStateOf(insertByHand(4, "2026-01-01", null))).toBe("23514");
    expect(await sqlStateOf(insertByHand(2, "2026-01-01", null, { flow_rate_m3h: 0 }))).toBe("23514");
    expect(await sqlStateOf(insertByHand(2, "2026-01-01", null, { pump_model_id: 999 }))).toBe("23503");
    expect(
      await sqlStateOf(
        t.db.query(
          `INSERT INTO channel_config_versions (device_id, channel, effective_from, version, pump_type, dbo5_mg_l,
             dco_mg_l, mes_mg_l, activity_threshold_w, stop_gap_min, min_cycle_min, created_at)
           VALUES ('unknown-device', 0, '2026-01-01', 1, 'pompe', 570, 1250, 650, 10, 4, 2, now())`,
        ),
      ),
    ).toBe("23514");
    expect(
      await sqlStateOf(
        t.db.query(
          `INSERT INTO channel_config_versions (device_id, channel, effective_from, version, pump_type, dbo5_mg_l,
             dco_mg_l, mes_mg_l, activity_threshold_w, stop_gap_min, min_cycle_min, created_at)
           VALUES ('unknown-device', 0, '2026-01-01', 1, 'relevage', 570, 1250, 650, 10, 4, 2, now())`,
        ),
      ),
    ).toBe("23503");
  });

  it("keeps a version's content fixed: only effective_to and superseded_at may change, and a superseded row never", async () => {
    const a = await addChannelVersion(
      t.db,
      { deviceId: DEVICE, channel: 3, effectiveFrom: "2026-01-01" },
      "a",
      NOW,
    );
    const b = await addChannelVersion(
      t.db,
      { deviceId: DEVICE, channel: 3, effectiveFrom: "2026-01-01" },
      "a",
      NOW,
    );
    expect(
      await sqlStateOf(
        t.db.query("UPDATE channel_config_versions SET flow_rate_m3h = 5 WHERE id = $1", [b.version.id]),
      ),
    ).toBe("55000");
    expect(
      await sqlStateOf(
        t.db.query("UPDATE channel_config_versions SET effective_to = '2026-06-01' WHERE id = $1", [
          a.version.id,
        ]),
      ),
    ).toBe("55000");
  });

  it("config_audit is append-only: UPDATE, DELETE and TRUNCATE are refused", async () => {
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM config_audit");
    const count = rows[0]?.n ?? 0;
    expect(count).toBeGreaterThan(0);
    expect(await sqlStateOf(t.db.query("UPDATE config_audit SET actor = 'someone else'"))).toBe("55000");
    expect(await sqlStateOf(t.db.query("DELETE FROM config_audit"))).toBe("55000");
    expect(await sqlStateOf(t.db.query("TRUNCATE config_audit"))).toBe("55000");
    const after = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM config_audit");
    expect(after.rows[0]?.n).toBe(count);
    expect(
      await sqlStateOf(
        t.db.query(
          "INSERT INTO config_audit (at, actor, entity, entity_key, action, before, after) VALUES (now(), 'x', 'device', 'd', 'rename', NULL, '{}')",
        ),
      ),
    ).toBeUndefined();
  });
});
