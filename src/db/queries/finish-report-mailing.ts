import type { Queryable } from "../database.js";

export async function finishReportMailing(
  db: Queryable,
  id: string,
  outcome: { state: "sent" | "pending" | "failed"; lastError: string | null; nextAttemptAt: Date; at: Date },
): Promise<void> {
  await db.query(
    `UPDATE report_mailings SET state = $2, last_error = $3, next_attempt_at = $4, updated_at = $5 WHERE id = $1`,
    [id, outcome.state, outcome.lastError, outcome.nextAttemptAt, outcome.at],
  );
}
