import type { Queryable } from "../database.js";

export async function countAppliedMigrations(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
  return rows[0]?.n ?? 0;
}
