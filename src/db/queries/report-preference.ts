import type { Queryable } from "../database.js";

/** Whether a user chose the monthly report by e-mail (no row: no). */
export async function reportPreferenceOf(db: Queryable, userId: number): Promise<boolean> {
  const { rows } = await db.query<{ monthly_email: boolean }>(
    "SELECT monthly_email FROM report_preferences WHERE user_id = $1",
    [userId],
  );
  return rows[0]?.monthly_email ?? false;
}
