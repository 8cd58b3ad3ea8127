import type { Queryable } from "../database.js";

export interface ReportRecipientRow {
  id: number;
  email: string;
  role: string;
  site_ids: number[] | null;
}

/** Active users who chose the monthly report by e-mail. */
export async function monthlyReportRecipients(db: Queryable): Promise<ReportRecipientRow[]> {
  const { rows } = await db.query<ReportRecipientRow>(
    `SELECT u.id, u.email, u.role, u.site_ids
     FROM users u JOIN report_preferences p ON p.user_id = u.id
     WHERE p.monthly_email AND u.disabled_at IS NULL
     ORDER BY u.id`,
  );
  return rows;
}
