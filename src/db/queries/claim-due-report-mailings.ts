import type { Queryable } from "../database.js";

export interface ClaimedReportMailing {
  id: string;
  user_id: number;
  month: string;
  subject: string;
  target: string;
  attempts: number;
  role: string;
  site_ids: number[] | null;
}

/**
 * Claims due mailings (counting the attempt, due again only after `until`), with the account's role and sites
 * as they are now: a user who lost a site no longer gets its report.
 */
export async function claimDueReportMailings(
  db: Queryable,
  now: Date,
  until: Date,
  limit: number,
): Promise<ClaimedReportMailing[]> {
  const { rows } = await db.query<ClaimedReportMailing>(
    `UPDATE report_mailings m SET attempts = m.attempts + 1, next_attempt_at = $2, updated_at = $1
     FROM users u
     WHERE u.id = m.user_id AND m.id IN (
       SELECT id FROM report_mailings WHERE state = 'pending' AND next_attempt_at <= $1
       ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING m.id::text AS id, m.user_id, to_char(m.month, 'YYYY-MM') AS month, m.subject, m.target,
               m.attempts, u.role, u.site_ids`,
    [now, until, limit],
  );
  return rows;
}
