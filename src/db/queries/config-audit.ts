import type { Queryable } from "../database.js";

export type AuditEntity = "channel_version" | "pump_model" | "device";
export type AuditAction = "create" | "close" | "supersede" | "update" | "delete" | "rename";

export interface AuditEntry {
  at: Date;
  actor: string;
  entity: AuditEntity;
  /** the row's id (versions, pump models) or the device id */
  entityKey: string;
  action: AuditAction;
  /** JSON-serialisable state before / after (null for a creation / a deletion) */
  before: unknown;
  after: unknown;
}

export interface AuditRecord extends AuditEntry {
  id: number;
}

interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  entity: AuditEntity;
  entity_key: string;
  action: AuditAction;
  before: unknown;
  after: unknown;
}

/** Appends audit entries (in the transaction of the change they describe), in the given order. */
export async function appendConfigAudit(tx: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO config_audit (at, actor, entity, entity_key, action, before, after)
     SELECT at, actor, entity, entity_key, action, before, after
     FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[])
       WITH ORDINALITY AS e(at, actor, entity, entity_key, action, before, after, n)
     ORDER BY n`,
    [
      entries.map((e) => e.at.toISOString()),
      entries.map((e) => e.actor),
      entries.map((e) => e.entity),
      entries.map((e) => e.entityKey),
      entries.map((e) => e.action),
      entries.map((e) => (e.before === null || e.before === undefined ? null : JSON.stringify(e.before))),
      entries.map((e) => (e.after === null || e.after === undefined ? null : JSON.stringify(e.after))),
    ],
  );
}

/** The audit of one entity (or of a whole kind when `entityKey` is null), oldest first. */
export async function auditOf(
  db: Queryable,
  entity: AuditEntity,
  entityKey: string | null,
): Promise<AuditRecord[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT id, at, actor, entity, entity_key, action, before, after FROM config_audit
     WHERE entity = $1 AND ($2::text IS NULL OR entity_key = $2)
     ORDER BY id`,
    [entity, entityKey],
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    entity: r.entity,
    entityKey: r.entity_key,
    action: r.action,
    before: r.before,
    after: r.after,
  }));
}
