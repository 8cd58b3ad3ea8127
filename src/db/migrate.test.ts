import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/harness.js";
import type { Database } from "./database.js";
import { loadMigrations, MigrationError, migrate } from "./migrate.js";
import { migrationsDir } from "./open.js";

let t: TestDatabase | undefined;
afterEach(async () => {
  await t?.drop();
  t = undefined;
});

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pumpwatch-migrations-"));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

describe("migration runner", () => {
  it("applies the project's migrations once, in order, and nothing the second time", async () => {
    t = await createTestDatabase({ migrate: false });
    const migrations = await loadMigrations(migrationsDir());
    // numbers are reserved per branch (0007 and 0008 by other work while 0009 was written), so a branch may
    // hold a gap until it is merged: loaded in increasing order, each once, from 1
    const versions = migrations.map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions.every((v, i) => i === 0 || v > (versions[i - 1] ?? v))).toBe(true);
    expect(await migrate(t.db, migrations)).toEqual(migrations.map((m) => m.version));
    expect(await migrate(t.db, migrations)).toEqual([]);
    const tables = await t.db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(["api_keys", "devices", "readings"]),
    );
  });

  it("lets instances that start together on an empty database apply each migration once", async () => {
    const migrations = await loadMigrations(migrationsDir());
    // a race, so a few fresh databases (each runner takes its own pooled connection on PostgreSQL)
    for (let attempt = 0; attempt < 4; attempt++) {
      t = await createTestDatabase({ migrate: false });
      const runs = await Promise.all([0, 1, 2].map(() => migrate(t?.db as Database, migrations)));
      expect(runs.flat().sort((x, y) => x - y)).toEqual(migrations.map((m) => m.version));
      await t.drop();
      t = undefined;
    }
  });

  it("refuses to run when an applied migration was edited, and changes nothing", async () => {
    t = await createTestDatabase({ migrate: false });
    const dir = await folder({ "0001_first.sql": "CREATE TABLE one (id int);" });
    await migrate(t.db, await loadMigrations(dir));
    await writeFile(join(dir, "0001_first.sql"), "CREATE TABLE one (id bigint);");
    await writeFile(join(dir, "0002_second.sql"), "CREATE TABLE two (id int);");
    await expect(migrate(t.db, await loadMigrations(dir))).rejects.toThrow(/0*1 \(first\) was edited/);
    const two = await t.db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'two'");
    expect(two.rowCount).toBe(0);
  });

  it("refuses to run when an applied migration's file is gone", async () => {
    t = await createTestDatabase({ migrate: false });
    await migrate(
      t.db,
      await loadMigrations(await folder({ "0001_a.sql": "SELECT 1;", "0002_b.sql": "SELECT 2;" })),
    );
    const without = await loadMigrations(await folder({ "0001_a.sql": "SELECT 1;" }));
    await expect(migrate(t.db, without)).rejects.toBeInstanceOf(MigrationError);
  });

  it("rolls back a failing migration whole and records nothing", async () => {
    t = await createTestDatabase({ migrate: false });
    const dir = await folder({ "0001_bad.sql": "CREATE TABLE half (id int);\nSELECT * FROM no_such_table;" });
    await expect(migrate(t.db, await loadMigrations(dir))).rejects.toThrow();
    const half = await t.db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half'");
    expect(half.rowCount).toBe(0);
    const recorded = await t.db.query("SELECT 1 FROM schema_migrations");
    expect(recorded.rowCount).toBe(0);
  });

  it("rejects badly named or doubly numbered files", async () => {
    await expect(loadMigrations(await folder({ "1_x.sql": "" }))).rejects.toThrow(/NNNN_name/);
    await expect(loadMigrations(await folder({ "0001_a.sql": "", "0001_b.sql": "" }))).rejects.toThrow(
      /two migrations/,
    );
  });
});
