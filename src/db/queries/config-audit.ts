import type { Queryable } from "../database.js";

export const AUDIT_ENTITIES = [
  "channel_version",
  "pump_model",
  "device",
  "api_key",
  "user",
  "settings",
  "journal_entry",
  "site",
  "share_link",
] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];
export type AuditAction =
  | "create"
  | "close"
  | "supersede"
  | "update"
  | "delete"
  | "rename"
  | "revoke"
  | "disable"
  | "enable"
  | "change_role"
  | "change_sites"
  | "place"
  | "reset_password";

export interface AuditEntry {
  at: Date;
  actor: string;
  entity: AuditEntity;
  /** the row's id (versions, pump models, keys, users), the device id, or the setting's key */
  entityKey: string;
  /** the device concerned (versions, device names); filled from entityKey for a device when left out */
  deviceId?: string | null;
  action: AuditAction;
  /** JSON-serialisable state before / after (null for a creation / a deletion) */
  before: unknown;
  after: unknown;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  deviceId: string | null;
}

interface AuditRow {
  id: number;
  device_id: string | null;
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
    `INSERT INTO config_audit (at, actor, entity, entity_key, action, before, after, device_id)
     SELECT at, actor, entity, entity_key, action, before, after, device_id
     FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[],
                 $8::text[])
       WITH ORDINALITY AS e(at, actor, entity, entity_key, action, before, after, device_id, n)
     ORDER BY n`,
    [
      entries.map((e) => e.at.toISOString()),
      entries.map((e) => e.actor),
      entries.map((e) => e.entity),
      entries.map((e) => e.entityKey),
      entries.map((e) => e.action),
      entries.map((e) => (e.before === null || e.before === undefined ? null : JSON.stringify(e.before))),
      entries.map((e) => (e.after === null || e.after === undefined ? null : JSON.stringify(e.after))),
      entries.map((e) => e.deviceId ?? (e.entity === "device" ? e.entityKey : null)),
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
    `SELECT id, at, actor, entity, entity_key, action, before, after, device_id FROM config_audit
     WHERE entity = $1 AND ($2::text IS NULL OR entity_key = $2)
     ORDER BY id`,
    [entity, entityKey],
  );
  return rows.map(toRecord);
}

function toRecord(r: AuditRow): AuditRecord {
  return {
    id: Number(r.id),
    deviceId: r.device_id,
    at: r.at,
    actor: r.actor,
    entity: r.entity,
    entityKey: r.entity_key,
    action: r.action,
    before: r.before,
    after: r.after,
  };
}

export interface AuditFilter {
  deviceId: string | null;
  entity: AuditEntity | null;
  limit: number;
  offset: number;
}

/** One page of the audit, newest first, with how many entries match the filter in all. */
export async function auditPage(
  db: Queryable,
  filter: AuditFilter,
): Promise<{ entries: AuditRecord[]; total: number }> {
  const { rows } = await db.query<AuditRow & { total: string | number }>(
    `SELECT id, at, actor, entity, entity_key, action, before, after, device_id, count(*) OVER () AS total
     FROM config_audit
     WHERE ($1::text IS NULL OR device_id = $1) AND ($2::text IS NULL OR entity = $2)
     ORDER BY id DESC
     LIMIT $3 OFFSET $4`,
    [filter.deviceId, filter.entity, filter.limit, filter.offset],
  );
  return { entries: rows.map(toRecord), total: rows.length === 0 ? 0 : Number(rows[0]?.total) };
}
