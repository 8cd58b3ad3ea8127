import type { Queryable } from "../database.js";

export async function saveReportPreference(
  db: Queryable,
  userId: number,
  monthlyEmail: boolean,
  now: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO report_preferences (user_id, monthly_email, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET monthly_email = EXCLUDED.monthly_email, updated_at = EXCLUDED.updated_at`,
    [userId, monthlyEmail, now],
  );
}
