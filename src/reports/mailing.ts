/**
 * The monthly report by e-mail (issue 19): in the first days of a month, the dispatcher queues last month's
 * report of each site (or meter on no site) its recipients see, once per user, month and subject whatever the
 * number of rounds and instances (`report_mailings_once`); then sends the due ones, PDF attached, retried
 * like the alert e-mails.
 */
import type { Mailer } from "../alerts/mailer.js";
import { claimReportMailings, dueReportMailings } from "../db/queries/claim-due-report-mailings.js";
import { finishReportMailing } from "../db/queries/finish-report-mailing.js";
import { monthlyReportRecipients } from "../db/queries/monthly-report-recipients.js";
import { queueReportMailings } from "../db/queries/queue-report-mailings.js";
import { DEFAULT_RETRY, type RetryPolicy, retryDelayMs } from "../domain/alerts/notifications.js";
import { localDateOf } from "../domain/config-versions/index.js";
import { sitesScope } from "../domain/meter-scope.js";
import { frenchMonth, previousMonth } from "../domain/reports/period.js";
import type { Principal, PrincipalRole } from "../journal/meter-directory.js";
import { monthlyDocument } from "./document.js";
import { monthlyReport } from "./monthly.js";
import { renderPdf } from "./pdf.js";
import { type ReportDeps, ReportError } from "./targets.js";

/** Rounds queue last month's reports during these first days of a month (a service down on the 1st still sends). */
const QUEUE_DAYS = 3;

export interface ReportMailingOptions {
  /** APP_TIMEZONE: which month has just ended */
  timeZone: string;
  mailer: Mailer;
  retry?: RetryPolicy;
  batch?: number;
  claimMs?: number;
}

export interface ReportMailingSummary {
  queued: number;
  sent: number;
  retried: number;
  failed: number;
}

const principalOf = (userId: number, u: { role: string; site_ids: number[] | null }): Principal => ({
  userId,
  email: null,
  role: u.role as PrincipalRole,
  scope: sitesScope(u.site_ids),
});

export async function reportMailingRound(
  deps: ReportDeps,
  now: Date,
  options: ReportMailingOptions,
): Promise<ReportMailingSummary> {
  const summary: ReportMailingSummary = { queued: 0, sent: 0, retried: 0, failed: 0 };
  const today = localDateOf(Math.floor(now.getTime() / 1000), options.timeZone);
  const month = previousMonth(today);
  if (Number(today.slice(8, 10)) <= QUEUE_DAYS) {
    const rows: { userId: number; subject: string; target: string }[] = [];
    for (const u of await monthlyReportRecipients(deps.db)) {
      const principal = principalOf(u.id, u);
      for (const s of await deps.directory.sites(principal))
        if (s.deviceIds.length > 0) rows.push({ userId: u.id, subject: `site:${s.id}`, target: u.email });
      for (const m of await deps.directory.meters(principal))
        if (m.siteId === null) rows.push({ userId: u.id, subject: `device:${m.deviceId}`, target: u.email });
    }
    summary.queued = await queueReportMailings(deps.db, month, rows, now);
  }

  const retry = options.retry ?? DEFAULT_RETRY;
  const dueIds = await dueReportMailings(deps.db, now, options.batch ?? 5);
  const due =
    dueIds.length === 0
      ? []
      : await claimReportMailings(
          deps.db,
          dueIds,
          now,
          new Date(now.getTime() + (options.claimMs ?? 300_000)),
        );
  for (const m of due) {
    let result: { ok: true } | { ok: false; reason: string; final: boolean };
    try {
      const [kind, id] = [
        m.subject.slice(0, m.subject.indexOf(":")),
        m.subject.slice(m.subject.indexOf(":") + 1),
      ];
      const data = await monthlyReport(
        deps,
        principalOf(m.user_id, m),
        kind === "site" ? { siteId: id, month: m.month } : { deviceId: id, month: m.month },
        now,
      );
      const pdf = await renderPdf(monthlyDocument(data));
      const title = `Rapport mensuel — ${frenchMonth(m.month)} — ${data.title}`;
      const text = `Bonjour,\n\nVeuillez trouver ci-joint le rapport mensuel de ${data.title} pour ${frenchMonth(m.month)}.\n\nVous recevez ce message parce que vous l'avez demandé dans pumpwatch (page Rapports).`;
      result = await options.mailer.send(
        m.target,
        {
          subject: title,
          text,
          html: `<p>${text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/\n\n/g, "</p><p>")}</p>`,
        },
        [{ filename: `rapport_mensuel_${m.month}.pdf`, content: pdf, contentType: "application/pdf" }],
      );
    } catch (error) {
      // the user no longer sees that site or meter: nothing to send, ever
      if (error instanceof ReportError)
        result = { ok: false, reason: "Site ou compteur plus visible par ce compte.", final: true };
      else throw error;
    }
    if (result.ok) {
      summary.sent++;
      await finishReportMailing(deps.db, m.id, {
        state: "sent",
        lastError: null,
        nextAttemptAt: now,
        at: now,
      });
      continue;
    }
    const wait = retryDelayMs(retry, m.attempts, result.final);
    if (wait === null) summary.failed++;
    else summary.retried++;
    await finishReportMailing(deps.db, m.id, {
      state: wait === null ? "failed" : "pending",
      lastError: result.reason,
      nextAttemptAt: new Date(now.getTime() + (wait ?? 0)),
      at: now,
    });
  }
  return summary;
}
