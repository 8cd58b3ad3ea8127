import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Database, Queryable } from "../db/database.js";
import { apiKeyByLookupId, insertApiKey, revokeApiKey, touchApiKey } from "../db/queries/api-keys.js";
import { appendConfigAudit } from "../db/queries/config-audit.js";

const KEY_FORMAT = /^pwk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

export interface CreatedApiKey {
  id: number;
  name: string;
  /** shown once, never stored */
  key: string;
  createdAt: Date;
}

export async function createApiKey(
  db: Queryable,
  name: string,
  createdBy: string | null,
): Promise<CreatedApiKey> {
  const lookupId = randomBytes(9).toString("base64url").replace(/[-_]/g, "x").slice(0, 12);
  const secret = randomBytes(32).toString("base64url");
  const row = await insertApiKey(db, { name, lookupId, secretHash: sha256(secret), createdBy });
  return { id: row.id, name: row.name, key: `pwk_${lookupId}_${secret}`, createdAt: row.created_at };
}

export type KeyCheck = { ok: true; keyId: number | null } | { ok: false };

/**
 * Checks a presented key against the bootstrap key and the stored keys. Hashes are compared in constant
 * time, and a malformed or unknown key still costs a comparison, so timing tells nothing about which
 * part was wrong.
 */
export function makeApiKeyVerifier(db: Queryable, bootstrapKey: string | null) {
  const bootstrapHash = bootstrapKey ? sha256(bootstrapKey) : null;
  const decoy = sha256("decoy");
  return async function verify(presented: string | undefined, now: Date): Promise<KeyCheck> {
    if (!presented) return { ok: false };
    const presentedHash = sha256(presented);
    if (bootstrapHash && timingSafeEqual(presentedHash, bootstrapHash)) return { ok: true, keyId: null };
    const match = KEY_FORMAT.exec(presented);
    const row = match?.[1] ? await apiKeyByLookupId(db, match[1]) : null;
    const secretHash = match?.[2] ? sha256(match[2]) : decoy;
    const stored = row ? Buffer.from(row.secret_hash) : decoy;
    const equal = stored.length === secretHash.length && timingSafeEqual(stored, secretHash);
    if (!row || !equal || row.revoked_at !== null) return { ok: false };
    await touchApiKey(db, row.id, now);
    return { ok: true, keyId: row.id };
  };
}

/** createApiKey from the admin area, audited as `api_key` `create` (the name, never the secret). */
export function createAuditedApiKey(
  db: Database,
  name: string,
  actor: string,
  now: Date,
): Promise<CreatedApiKey> {
  return db.transaction(async (tx) => {
    const created = await createApiKey(tx, name, actor);
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "api_key",
        entityKey: String(created.id),
        action: "create",
        before: null,
        after: { name: created.name },
      },
    ]);
    return created;
  });
}

/** Revokes a key (false: unknown or already revoked), audited as `api_key` `revoke`. */
export function revokeAuditedApiKey(db: Database, id: number, actor: string, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await revokeApiKey(tx, id, now))) return false;
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "api_key",
        entityKey: String(id),
        action: "revoke",
        before: null,
        after: { revoked: true },
      },
    ]);
    return true;
  });
}
