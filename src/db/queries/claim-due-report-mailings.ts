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

/** Up to `limit` mailings that are due, the longest waiting first (read without locks: the claim decides). */
export async function dueReportMailings(db: Queryable, now: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id::text AS id FROM report_mailings WHERE state = 'pending' AND next_attempt_at <= $1
     ORDER BY next_attempt_at, id LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Claims some due mailings (counting the attempt, due again only after `until`), with the account's role and
 * sites as they are now: a user who lost a site no longer gets its report. A mailing another instance claimed
 * first is no longer due once its update commits (re-checked after its row lock) and is left out: what
 * `FOR UPDATE SKIP LOCKED` gave on one server, which Citus refuses here (decision 0014). The month comes back as
 * days since 1970-01-01, since Citus allows only immutable expressions in RETURNING.
 */
export async function claimReportMailings(
  db: Queryable,
  ids: readonly string[],
  now: Date,
  until: Date,
): Promise<ClaimedReportMailing[]> {
  const { rows } = await db.query<Omit<ClaimedReportMailing, "month"> & { month_day: number }>(
    `UPDATE report_mailings m SET attempts = m.attempts + 1, next_attempt_at = $3, updated_at = $2
     FROM users u
     WHERE u.id = m.user_id AND m.id = ANY($1::int8[]) AND m.state = 'pending' AND m.next_attempt_at <= $2
     RETURNING m.id::text AS id, m.user_id, m.month - DATE '1970-01-01' AS month_day, m.subject, m.target,
               m.attempts, u.role, u.site_ids`,
    [ids, now, until],
  );
  return rows.map(({ month_day, ...r }) => ({
    ...r,
    month: new Date(Number(month_day) * 86_400_000).toISOString().slice(0, 7),
  }));
}
