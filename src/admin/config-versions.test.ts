import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/harness.js";
import type { Database } from "../db/database.js";
import { auditOf } from "../db/queries/config-audit.js";
import {
  addDays,
  type ChannelConfig,
  ConfigVersionError,
  DEFAULT_CHANNEL_CONFIG,
  sortedHistory,
  versionAt,
} from "../domain/config-versions/index.js";
import { ConfigAdminError } from "./config-errors.js";
import {
  addChannelVersion,
  listChannelVersions,
  type StoredConfigVersion,
  updateCurrentChannelConfig,
  versionsInForce,
  versionsOfChannels,
} from "./config-versions.js";

const NOW = new Date("2026-02-19T10:00:00Z");
const ACTOR = "admin@example.org";
let t: TestDatabase;
let deviceCount = 0;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

/** A device registered as by its first reading; each test uses its own, so no cleanup is needed. */
async function newDevice(): Promise<string> {
  deviceCount += 1;
  const deviceId = `shellypro4pm-test${String(deviceCount).padStart(4, "0")}`;
  await t.db.query(
    "INSERT INTO devices (device_id, model, first_seen, last_seen) VALUES ($1, 'SPSW-104PE16EU', $2, $2)",
    [deviceId, "2025-10-08T00:00:00Z"],
  );
  return deviceId;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

const periods = (versions: StoredConfigVersion[]) =>
  versions.map((v) => [v.effectiveFrom, v.effectiveTo, v.version]);

async function rowCount(deviceId: string): Promise<{ all: number; superseded: number }> {
  const { rows } = await t.db.query<{ all: number; superseded: number }>(
    `SELECT count(*)::int AS all, count(*) FILTER (WHERE superseded_at IS NOT NULL)::int AS superseded
     FROM channel_config_versions WHERE device_id = $1`,
    [deviceId],
  );
  return rows[0] ?? { all: 0, superseded: 0 };
}

async function channelAudit(deviceId: string) {
  return (await auditOf(t.db, "channel_version", null)).filter(
    (e) =>
      (e.after as { deviceId?: string } | null)?.deviceId === deviceId ||
      (e.before as { deviceId?: string } | null)?.deviceId === deviceId,
  );
}

describe("addChannelVersion", () => {
  it("creates the first version from the defaults, stored and returned as domain values", async () => {
    const deviceId = await newDevice();
    const result = await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2025-10-21", flowRateM3h: 18, name: " PR1 ", pumpModelId: 1 },
      ACTOR,
      NOW,
    );
    expect(result.kind).toBe("create");
    expect(result.version).toEqual({
      ...DEFAULT_CHANNEL_CONFIG,
      id: expect.any(Number),
      deviceId,
      channel: 0,
      effectiveFrom: "2025-10-21",
      effectiveTo: null,
      version: 1,
      name: "PR1",
      flowRateM3h: 18,
      pumpModelId: 1,
      createdAt: NOW,
      createdBy: ACTOR,
    });
    expect(result.versions).toEqual([result.version]);
    expect(await listChannelVersions(t.db, deviceId, 0)).toEqual([result.version]);
    expect(await listChannelVersions(t.db, deviceId, 1)).toEqual([]);
  });

  it("bug 11: the flow changes from 18 to 9 on 10/02: 09/02 keeps 18, 10/02 uses 9", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      ACTOR,
      NOW,
    );
    const split = await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-02-10", flowRateM3h: 9 },
      ACTOR,
      NOW,
    );
    expect(split.kind).toBe("split");
    const inForce = (await versionsInForce(t.db, [{ deviceId, channel: 0 }], "2026-02-01", "2026-02-28")).get(
      `${deviceId}_0`,
    );
    expect(versionAt(inForce ?? [], "2026-02-09")?.flowRateM3h).toBe(18);
    expect(versionAt(inForce ?? [], "2026-02-10")?.flowRateM3h).toBe(9);
  });

  it("defect 1 / bug 12: no one-day hole: the previous version ends at D exclusive, so D − 1 keeps its flow", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      { deviceId, channel: 1, effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      ACTOR,
      NOW,
    );
    await addChannelVersion(
      t.db,
      { deviceId, channel: 1, effectiveFrom: "2026-02-15", flowRateM3h: 9.5 },
      ACTOR,
      NOW,
    );
    const stored = await listChannelVersions(t.db, deviceId, 1);
    expect(periods(stored)).toEqual([
      ["2025-10-21", "2026-02-15", 1],
      ["2026-02-15", null, 1],
    ]);
    expect(versionAt(stored, "2026-02-14")?.flowRateM3h).toBe(18);
    expect(versionAt(stored, "2026-02-15")?.flowRateM3h).toBe(9.5);
  });

  it("defect 2: a version the day after the previous one stores a valid one-day period", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-02-14", flowRateM3h: 18 },
      ACTOR,
      NOW,
    );
    const next = await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-02-15", flowRateM3h: 9 },
      ACTOR,
      NOW,
    );
    expect(periods(next.versions)).toEqual([
      ["2026-02-14", "2026-02-15", 1],
      ["2026-02-15", null, 1],
    ]);
  });

  it("defect 3: dates before the first version use the first version, also in versionsInForce", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      ACTOR,
      NOW,
    );
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-02-10", flowRateM3h: 9 },
      ACTOR,
      NOW,
    );
    const before = (await versionsInForce(t.db, [{ deviceId, channel: 0 }], "2025-01-01", "2025-01-31")).get(
      `${deviceId}_0`,
    );
    expect(before?.map((v) => v.flowRateM3h)).toEqual([18]);
    expect(versionAt(before ?? [], "2025-01-15")?.flowRateM3h).toBe(18);
  });

  it("defect 4: back-dating before the first version prepends, inside a closed version splits it; nothing is erased", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      ACTOR,
      NOW,
    );
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-02-10", flowRateM3h: 9 },
      ACTOR,
      NOW,
    );
    const prepend = await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2025-09-01", flowRateM3h: 12 },
      ACTOR,
      NOW,
    );
    expect(prepend.kind).toBe("prepend");
    const split = await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2025-12-01", dbo5MgL: 400 },
      ACTOR,
      NOW,
    );
    expect(split.kind).toBe("split");
    expect(split.versions.map((v) => [v.effectiveFrom, v.effectiveTo, v.flowRateM3h, v.dbo5MgL])).toEqual([
      ["2025-09-01", "2025-10-21", 12, 570],
      ["2025-10-21", "2025-12-01", 18, 570],
      ["2025-12-01", "2026-02-10", 18, 400],
      ["2026-02-10", null, 9, 570],
    ]);
    expect(await rowCount(deviceId)).toEqual({ all: 4, superseded: 0 });
  });

  it("bug 16 / defect 4: an effective date such as the year 206, or not a real date, is rejected", async () => {
    const deviceId = await newDevice();
    for (const [effectiveFrom, code] of [
      ["0206-02-19", "date_out_of_range"],
      ["206-02-19", "invalid_date"],
      ["2026-02-30", "invalid_date"],
      ["2101-01-01", "date_out_of_range"],
      ["1999-12-31", "date_out_of_range"],
    ] as const) {
      const error = await rejection(
        addChannelVersion(t.db, { deviceId, channel: 0, effectiveFrom }, ACTOR, NOW),
      );
      expect(error).toBeInstanceOf(ConfigVersionError);
      expect((error as ConfigVersionError).code).toBe(code);
      expect((error as ConfigVersionError).message).toMatch(/date d'effet/);
    }
    expect(await rowCount(deviceId)).toEqual({ all: 0, superseded: 0 });
  });

  it("bug 13: two versions on the same date keep one live version, the last one, at version + 1; the first is kept superseded", async () => {
    const deviceId = await newDevice();
    const first = await addChannelVersion(
      t.db,
      { deviceId, channel: 2, effectiveFrom: "2026-02-15", flowRateM3h: 9.5 },
      ACTOR,
      NOW,
    );
    const second = await addChannelVersion(
      t.db,
      { deviceId, channel: 2, effectiveFrom: "2026-02-15", flowRateM3h: 20 },
      ACTOR,
      NOW,
    );
    expect(second.kind).toBe("correct");
    expect(periods(second.versions)).toEqual([["2026-02-15", null, 2]]);
    expect(second.version.flowRateM3h).toBe(20);
    expect(versionAt(await listChannelVersions(t.db, deviceId, 2), "2026-03-01")?.flowRateM3h).toBe(20);
    expect(await rowCount(deviceId)).toEqual({ all: 2, superseded: 1 });
    const { rows } = await t.db.query<{ supersedes_id: number | null }>(
      "SELECT supersedes_id FROM channel_config_versions WHERE id = $1",
      [second.version.id],
    );
    expect(rows[0]?.supersedes_id).toBe(first.version.id);
  });

  it("bug 14: a version with only the flow copies the type and DBO5/DCO/MES of the version in force", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      {
        deviceId,
        channel: 2,
        effectiveFrom: "2025-10-21",
        pumpType: "sortie",
        dbo5MgL: 400,
        dcoMgL: 900,
        mesMgL: 300,
        name: "PS",
        pumpModelId: 2,
      },
      ACTOR,
      NOW,
    );
    const result = await addChannelVersion(
      t.db,
      { deviceId, channel: 2, effectiveFrom: "2026-01-01", flowRateM3h: 15 },
      ACTOR,
      NOW,
    );
    expect(result.version).toMatchObject({
      pumpType: "sortie",
      dbo5MgL: 400,
      dcoMgL: 900,
      mesMgL: 300,
      name: "PS",
      pumpModelId: 2,
      flowRateM3h: 15,
    });
  });

  it("defect 6: a flow of 0 is refused like any non-positive flow; null means no flow", async () => {
    const deviceId = await newDevice();
    for (const flowRateM3h of [0, -1, Number.NaN]) {
      const error = await rejection(
        addChannelVersion(
          t.db,
          { deviceId, channel: 0, effectiveFrom: "2026-01-01", flowRateM3h },
          ACTOR,
          NOW,
        ),
      );
      expect((error as ConfigVersionError).code).toBe("invalid_flow_rate");
    }
    const ok = await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-01-01", flowRateM3h: null },
      ACTOR,
      NOW,
    );
    expect(ok.version.flowRateM3h).toBeNull();
  });

  it("refuses an unknown device, a channel outside 0–3 and an unknown pump model, with coded errors", async () => {
    const deviceId = await newDevice();
    const unknown = await rejection(
      addChannelVersion(
        t.db,
        { deviceId: "shellypro4pm-nope", channel: 0, effectiveFrom: "2026-01-01" },
        ACTOR,
        NOW,
      ),
    );
    expect(unknown).toBeInstanceOf(ConfigAdminError);
    expect((unknown as ConfigAdminError).code).toBe("unknown_device");
    expect((unknown as ConfigAdminError).message).toMatch(/Appareil inconnu/);
    for (const channel of [-1, 4, 1.5]) {
      const error = await rejection(
        addChannelVersion(t.db, { deviceId, channel, effectiveFrom: "2026-01-01" }, ACTOR, NOW),
      );
      expect((error as ConfigAdminError).code).toBe("invalid_channel");
    }
    const model = await rejection(
      addChannelVersion(
        t.db,
        { deviceId, channel: 0, effectiveFrom: "2026-01-01", pumpModelId: 999 },
        ACTOR,
        NOW,
      ),
    );
    expect((model as ConfigAdminError).code).toBe("unknown_pump_model");
    expect(await rejection(listChannelVersions(t.db, "shellypro4pm-nope", 0))).toMatchObject({
      code: "unknown_device",
    });
    expect(await rowCount(deviceId)).toEqual({ all: 0, superseded: 0 });
  });
});

describe("updateCurrentChannelConfig (Enregistrer tout)", () => {
  it("bug 15: edits the version in force today, so the history shows what the row shows", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2025-10-21", flowRateM3h: 18 },
      ACTOR,
      NOW,
    );
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-02-15", flowRateM3h: 9.5 },
      ACTOR,
      NOW,
    );
    const result = await updateCurrentChannelConfig(
      t.db,
      { deviceId, channel: 0, flowRateM3h: 20, name: "PR1" },
      ACTOR,
      NOW,
      "UTC",
    );
    expect(result.kind).toBe("correct");
    expect(
      result.versions.map((v) => [v.effectiveFrom, v.effectiveTo, v.version, v.flowRateM3h, v.name]),
    ).toEqual([
      ["2025-10-21", "2026-02-15", 1, 18, null],
      ["2026-02-15", null, 2, 20, "PR1"],
    ]);
  });

  it("defect 5: an explicit null clears the flow rate; a field left out is kept", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-01-01", flowRateM3h: 18, pumpType: "sortie" },
      ACTOR,
      NOW,
    );
    const cleared = await updateCurrentChannelConfig(
      t.db,
      { deviceId, channel: 0, flowRateM3h: null },
      ACTOR,
      NOW,
      "UTC",
    );
    expect(cleared.version).toMatchObject({ flowRateM3h: null, pumpType: "sortie", version: 2 });
  });

  it("with no history, creates a first version from today in the site's time zone", async () => {
    const deviceId = await newDevice();
    const lateEvening = new Date("2026-02-14T23:30:00Z"); // already the 15th in Paris
    const result = await updateCurrentChannelConfig(
      t.db,
      { deviceId, channel: 3, pumpType: "autre" },
      ACTOR,
      lateEvening,
      "Europe/Paris",
    );
    expect(result.kind).toBe("create");
    expect(periods(result.versions)).toEqual([["2026-02-15", null, 1]]);
  });

  it("'today' is the local date: at 23:30 UTC in Paris it corrects the version starting the next day", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-01-01", flowRateM3h: 18 },
      ACTOR,
      NOW,
    );
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-02-15", flowRateM3h: 9 },
      ACTOR,
      NOW,
    );
    const lateEvening = new Date("2026-02-14T23:30:00Z");
    const paris = await updateCurrentChannelConfig(
      t.db,
      { deviceId, channel: 0, flowRateM3h: 10 },
      ACTOR,
      lateEvening,
      "Europe/Paris",
    );
    expect(paris.version).toMatchObject({ effectiveFrom: "2026-02-15", flowRateM3h: 10, version: 2 });
    const utc = await updateCurrentChannelConfig(
      t.db,
      { deviceId, channel: 0, flowRateM3h: 17 },
      ACTOR,
      lateEvening,
      "UTC",
    );
    expect(utc.version).toMatchObject({ effectiveFrom: "2026-01-01", flowRateM3h: 17, version: 2 });
  });

  it("writes nothing when nothing differs (saving every channel must not pile up versions)", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-01-01", flowRateM3h: 18 },
      ACTOR,
      NOW,
    );
    const auditBefore = (await channelAudit(deviceId)).length;
    const result = await updateCurrentChannelConfig(
      t.db,
      { deviceId, channel: 0, flowRateM3h: 18, pumpType: "relevage", name: "  " },
      ACTOR,
      NOW,
      "UTC",
    );
    expect(result.kind).toBe("unchanged");
    expect(result.version.version).toBe(1);
    expect(await rowCount(deviceId)).toEqual({ all: 1, superseded: 0 });
    expect((await channelAudit(deviceId)).length).toBe(auditBefore);
  });

  it("defect 6: a flow of 0 is refused here too", async () => {
    const deviceId = await newDevice();
    const error = await rejection(
      updateCurrentChannelConfig(t.db, { deviceId, channel: 0, flowRateM3h: 0 }, ACTOR, NOW, "UTC"),
    );
    expect((error as ConfigVersionError).code).toBe("invalid_flow_rate");
  });
});

describe("versionsInForce", () => {
  it("returns, per requested channel, the versions meeting the dates (both ends included) and the first one", async () => {
    const deviceId = await newDevice();
    const other = await newDevice();
    for (const effectiveFrom of ["2025-01-01", "2025-03-01", "2025-06-01", "2025-09-01"]) {
      await addChannelVersion(t.db, { deviceId, channel: 0, effectiveFrom }, ACTOR, NOW);
    }
    await addChannelVersion(t.db, { deviceId: other, channel: 1, effectiveFrom: "2025-05-01" }, ACTOR, NOW);
    const map = await versionsInForce(
      t.db,
      [
        { deviceId, channel: 0 },
        { deviceId: other, channel: 1 },
        { deviceId: other, channel: 2 },
        { deviceId, channel: 0 },
      ],
      "2025-05-31",
      "2025-06-01",
    );
    expect([...map.keys()]).toEqual([`${deviceId}_0`, `${other}_1`, `${other}_2`]);
    expect(map.get(`${deviceId}_0`)?.map((v) => v.effectiveFrom)).toEqual([
      "2025-01-01",
      "2025-03-01",
      "2025-06-01",
    ]);
    expect(map.get(`${other}_1`)?.map((v) => v.effectiveFrom)).toEqual(["2025-05-01"]);
    expect(map.get(`${other}_2`)).toEqual([]);
    const all = await versionsOfChannels(t.db, [{ deviceId, channel: 0 }]);
    expect(all.get(`${deviceId}_0`)).toHaveLength(4);
    const reversed = await versionsInForce(t.db, [{ deviceId, channel: 0 }], "2025-07-01", "2025-06-01");
    expect(reversed.get(`${deviceId}_0`)).toEqual([]);
    expect(
      await rejection(versionsInForce(t.db, [{ deviceId, channel: 0 }], "2025-13-01", "2025-06-01")),
    ).toMatchObject({ code: "invalid_date" });
  });
});

describe("audit", () => {
  it("writes one row per row changed, in the transaction of the change: create, close + create, supersede + create", async () => {
    const deviceId = await newDevice();
    const a = await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-01-01", flowRateM3h: 18 },
      ACTOR,
      NOW,
    );
    const b = await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-02-01", flowRateM3h: 9 },
      ACTOR,
      NOW,
    );
    const c = await addChannelVersion(
      t.db,
      { deviceId, channel: 0, effectiveFrom: "2026-02-01", flowRateM3h: 8 },
      ACTOR,
      NOW,
    );
    const audit = await channelAudit(deviceId);
    expect(audit.map((e) => [e.action, e.entityKey, e.actor])).toEqual([
      ["create", String(a.version.id), ACTOR],
      ["close", String(a.version.id), ACTOR],
      ["create", String(b.version.id), ACTOR],
      ["supersede", String(b.version.id), ACTOR],
      ["create", String(c.version.id), ACTOR],
    ]);
    expect(audit[1]?.before).toMatchObject({
      effectiveFrom: "2026-01-01",
      effectiveTo: null,
      flowRateM3h: 18,
    });
    expect(audit[1]?.after).toMatchObject({ effectiveFrom: "2026-01-01", effectiveTo: "2026-02-01" });
    expect(audit[3]?.before).toMatchObject({ flowRateM3h: 9, version: 1 });
    expect(audit[3]?.after).toMatchObject({ supersededBy: c.version.id, supersededAt: NOW.toISOString() });
    expect(audit[4]?.after).toMatchObject({
      flowRateM3h: 8,
      version: 2,
      kind: "correct",
      supersedes: b.version.id,
    });
    expect(audit.every((e) => e.at.getTime() === NOW.getTime())).toBe(true);
  });

  it("a change that fails writes no audit row and no version", async () => {
    const deviceId = await newDevice();
    await addChannelVersion(t.db, { deviceId, channel: 0, effectiveFrom: "2026-01-01" }, ACTOR, NOW);
    const before = (await channelAudit(deviceId)).length;
    await rejection(
      addChannelVersion(
        t.db,
        { deviceId, channel: 0, effectiveFrom: "2026-02-01", pumpModelId: 999 },
        ACTOR,
        NOW,
      ),
    );
    // A failure after the versions were written (here, on the audit insert) undoes them too.
    const failing = failOn(t.db, /INSERT INTO config_audit/);
    const error = await rejection(
      addChannelVersion(failing, { deviceId, channel: 0, effectiveFrom: "2026-02-01" }, ACTOR, NOW),
    );
    expect((error as Error).message).toBe("injected failure");
    expect((await channelAudit(deviceId)).length).toBe(before);
    expect(periods(await listChannelVersions(t.db, deviceId, 0))).toEqual([["2026-01-01", null, 1]]);
    expect(await rowCount(deviceId)).toEqual({ all: 1, superseded: 0 });
  });
});

/** The same database, whose transactions fail on the first statement matching `pattern`. */
function failOn(db: Database, pattern: RegExp): Database {
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          exec: (sql) => tx.exec(sql),
          query: <R>(sql: string, params?: readonly unknown[]) =>
            pattern.test(sql) ? Promise.reject(new Error("injected failure")) : tx.query<R>(sql, params),
        }),
      ),
  };
}

describe("concurrency", () => {
  it("10 changes at once on one empty channel leave a tiling with no gap and no overlap", async () => {
    const deviceId = await newDevice();
    const dates = [
      "2026-01-10",
      "2026-01-05",
      "2026-01-20",
      "2026-01-10",
      "2026-01-01",
      "2026-01-15",
      "2026-01-10",
      "2026-01-25",
      "2026-01-05",
      "2026-01-30",
    ];
    const results = await Promise.all(
      dates.map((effectiveFrom, i) =>
        addChannelVersion(t.db, { deviceId, channel: 1, effectiveFrom, dbo5MgL: 100 + i }, ACTOR, NOW),
      ),
    );
    expect(results.filter((r) => r.kind === "create")).toHaveLength(1);
    const stored = await listChannelVersions(t.db, deviceId, 1);
    expect(() => sortedHistory(stored)).not.toThrow();
    expect(stored.map((v) => v.effectiveFrom)).toEqual([...new Set(dates)].sort());
    expect(stored.at(-1)?.effectiveTo).toBeNull();
    const versionOf = (d: string) => stored.find((v) => v.effectiveFrom === d)?.version;
    expect([versionOf("2026-01-10"), versionOf("2026-01-05"), versionOf("2026-01-01")]).toEqual([3, 2, 1]);
    expect(await rowCount(deviceId)).toEqual({ all: 10, superseded: 3 });
    // Every change was audited once as a creation.
    expect((await channelAudit(deviceId)).filter((e) => e.action === "create")).toHaveLength(10);
  });
});

// ---- property: random change requests through the use cases agree with a day-by-day model --------------

const BASE_DATE = "2026-01-01";
const HORIZON_DAYS = 60;
const TODAY = 30;

const fieldsArb = fc.record(
  {
    name: fc.constantFrom(null, "PR1", "PS"),
    pumpType: fc.constantFrom("relevage" as const, "sortie" as const, "autre" as const),
    flowRateM3h: fc.constantFrom(null, 5, 18, 22.5),
    pumpModelId: fc.constantFrom(null, 1, 2),
    dbo5MgL: fc.integer({ min: 0, max: 1000 }),
    stopGapMin: fc.constantFrom(3, 4),
  },
  { requiredKeys: [] },
);

const opArb = fc.oneof(
  fc.record({
    op: fc.constant("add" as const),
    day: fc.integer({ min: 3, max: HORIZON_DAYS - 4 }),
    fields: fieldsArb,
  }),
  fc.record({ op: fc.constant("current" as const), fields: fieldsArb }),
);

type ModelDay = (ChannelConfig & { version: number }) | undefined;

function configOf(c: ChannelConfig): ChannelConfig {
  return {
    name: c.name,
    pumpType: c.pumpType,
    flowRateM3h: c.flowRateM3h,
    pumpModelId: c.pumpModelId,
    dbo5MgL: c.dbo5MgL,
    dcoMgL: c.dcoMgL,
    mesMgL: c.mesMgL,
    activityThresholdW: c.activityThresholdW,
    stopGapMin: c.stopGapMin,
    minCycleMin: c.minCycleMin,
    sump: c.sump,
    sumpVolumeM3: c.sumpVolumeM3,
  };
}

/** The rules restated per day: a change at d rewrites every day from d up to the next version start. */
class NaiveHistory {
  readonly days: ModelDay[] = Array.from({ length: HORIZON_DAYS }, () => undefined);
  readonly starts: boolean[] = Array.from({ length: HORIZON_DAYS }, () => false);

  firstDefined(): ModelDay {
    return this.days.find((d) => d !== undefined);
  }

  apply(day: number, fields: Partial<ChannelConfig>, skipUnchanged: boolean): void {
    const base = this.days[day] ?? this.firstDefined() ?? DEFAULT_CHANNEL_CONFIG;
    const merged: ChannelConfig = { ...configOf(base) };
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
    const current = this.days[day];
    if (
      skipUnchanged &&
      this.starts[day] &&
      current &&
      JSON.stringify(configOf(current)) === JSON.stringify(merged)
    ) {
      return;
    }
    const version = this.starts[day] ? (current?.version ?? 0) + 1 : 1;
    let end = day + 1;
    while (end < HORIZON_DAYS && !this.starts[end]) end++;
    for (let i = day; i < end; i++) this.days[i] = { ...merged, version };
    this.starts[day] = true;
  }

  /** "Enregistrer tout" at TODAY: the start of the version in force today (the first one if later). */
  applyCurrent(fields: Partial<ChannelConfig>): void {
    let day = TODAY;
    if (this.days[TODAY] !== undefined) {
      while (!this.starts[day]) day--;
    } else {
      const first = this.starts.indexOf(true);
      if (first !== -1) day = first;
    }
    this.apply(day, fields, true);
  }
}

describe("history properties, through the database", () => {
  it("any sequence of changes stores live versions that tile [first, ∞) and agree with a per-day model", async () => {
    const now = new Date(`${addDays(BASE_DATE, TODAY)}T12:00:00Z`);
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), async (ops) => {
        const deviceId = await newDevice();
        const model = new NaiveHistory();
        for (const o of ops) {
          if (o.op === "add") {
            await addChannelVersion(
              t.db,
              { deviceId, channel: 0, effectiveFrom: addDays(BASE_DATE, o.day), ...o.fields },
              ACTOR,
              now,
            );
            model.apply(o.day, o.fields, false);
          } else {
            await updateCurrentChannelConfig(t.db, { deviceId, channel: 0, ...o.fields }, ACTOR, now, "UTC");
            model.applyCurrent(o.fields);
          }
        }
        const stored = await listChannelVersions(t.db, deviceId, 0);
        stored.forEach((v, i) => {
          const next = stored[i + 1];
          expect(v.effectiveTo).toBe(next === undefined ? null : next.effectiveFrom);
        });
        const firstDefined = model.firstDefined();
        for (let day = 0; day < HORIZON_DAYS; day++) {
          const found = versionAt(stored, addDays(BASE_DATE, day));
          expect(found && { ...configOf(found), version: found.version }).toEqual(
            model.days[day] ?? firstDefined,
          );
        }
      }),
      { numRuns: 40 },
    );
  });
});
