import type { Queryable } from "../database.js";

/** Queues one mailing per (user, month, subject); those already queued (another round, instance) are kept. */
export async function queueReportMailings(
  db: Queryable,
  month: string,
  rows: readonly { userId: number; subject: string; target: string }[],
  now: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  // Counted from RETURNING, not rowCount: Citus reports the rows an INSERT … SELECT offered, conflicts included.
  const { rows: queued } = await db.query(
    `INSERT INTO report_mailings (user_id, month, subject, target, state, attempts, next_attempt_at, created_at, updated_at)
     SELECT r.user_id, $1::date, r.subject, r.target, 'pending', 0, $5, $5, $5
     FROM unnest($2::int4[], $3::text[], $4::text[]) AS r(user_id, subject, target)
     ON CONFLICT ON CONSTRAINT report_mailings_once DO NOTHING
     RETURNING 1`,
    [`${month}-01`, rows.map((r) => r.userId), rows.map((r) => r.subject), rows.map((r) => r.target), now],
  );
  return queued.length;
}
