import type { Queryable } from "../db/database.js";
import { type AuditEntity, type AuditRecord, auditPage } from "../db/queries/config-audit.js";

export interface AuditLogQuery {
  deviceId?: string | undefined;
  kind?: AuditEntity | undefined;
  limit: number;
  offset: number;
}

/** Who changed what and when, newest first, one page of it, with how many entries match in all. */
export function auditLog(
  db: Queryable,
  q: AuditLogQuery,
): Promise<{ entries: AuditRecord[]; total: number }> {
  return auditPage(db, {
    deviceId: q.deviceId ?? null,
    entity: q.kind ?? null,
    limit: q.limit,
    offset: q.offset,
  });
}
