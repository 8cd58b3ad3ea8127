import type { Queryable } from "../database.js";

export interface ApiKeyRow {
  id: number;
  name: string;
  lookup_id: string;
  secret_hash: Uint8Array;
  created_at: Date;
  created_by: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export async function insertApiKey(
  db: Queryable,
  key: { name: string; lookupId: string; secretHash: Uint8Array; createdBy: string | null },
): Promise<ApiKeyRow> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (name, lookup_id, secret_hash, created_by) VALUES ($1, $2, $3, $4)
     RETURNING id, name, lookup_id, secret_hash, created_at, created_by, last_used_at, revoked_at`,
    [key.name, key.lookupId, key.secretHash, key.createdBy],
  );
  return rows[0] as ApiKeyRow;
}

export async function apiKeyByLookupId(db: Queryable, lookupId: string): Promise<ApiKeyRow | null> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT id, name, lookup_id, secret_hash, created_at, created_by, last_used_at, revoked_at
     FROM api_keys WHERE lookup_id = $1`,
    [lookupId],
  );
  return rows[0] ?? null;
}

/** At most one write a minute per key: concurrent batches must not queue behind each other on this row. */
export async function touchApiKey(db: Queryable, id: number, now: Date): Promise<void> {
  await db.query(
    `UPDATE api_keys SET last_used_at = $2
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
    [id, now.toISOString()],
  );
}

export async function listApiKeys(db: Queryable): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT id, name, lookup_id, secret_hash, created_at, created_by, last_used_at, revoked_at
     FROM api_keys ORDER BY created_at DESC, id DESC`,
  );
  return rows;
}

export async function revokeApiKey(db: Queryable, id: number, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
    [id, now.toISOString()],
  );
  return rowCount > 0;
}
