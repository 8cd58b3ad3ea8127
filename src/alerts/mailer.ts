/** E-mail of the alert notifications through the SMTP server of SMTP_URL (nodemailer). */
import { createTransport } from "nodemailer";
import { DELIVERY_ERRORS, type MailText } from "../i18n/fr.js";
import type { AttemptResult } from "./webhook.js";

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface Mailer {
  send(to: string, mail: MailText, attachments?: readonly MailAttachment[]): Promise<AttemptResult>;
  close(): void;
}

/** Why the SMTP server did not take a message; a 5xx answer is final (no point in trying again). */
export function smtpReason(error: unknown): { reason: string; final: boolean } {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const status = typeof e.responseCode === "number" ? e.responseCode : null;
  if (e.code === "EAUTH") return { reason: DELIVERY_ERRORS.smtp_auth, final: false };
  if (status !== null && status >= 500) return { reason: DELIVERY_ERRORS.smtp_rejected(status), final: true };
  if (status !== null && status >= 400)
    return { reason: DELIVERY_ERRORS.smtp_deferred(status), final: false };
  if (["ECONNECTION", "ESOCKET", "ETIMEDOUT", "EDNS", "ECONNREFUSED", "EPROXY"].includes(String(e.code))) {
    return { reason: DELIVERY_ERRORS.smtp_unreachable, final: false };
  }
  return { reason: DELIVERY_ERRORS.smtp_failed, final: false };
}

/** `url`: smtp://[user:password@]host:port or smtps://…; `from`: the sender (SMTP_FROM). */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = createTransport(
    {
      url,
      // nodemailer waits minutes by default; a dispatcher round should not.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    },
    { from },
  );
  return {
    async send(to, mail, attachments = []) {
      try {
        await transport.sendMail({
          to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          ...(attachments.length > 0 ? { attachments: [...attachments] } : {}),
        });
        return { ok: true };
      } catch (error) {
        return { ok: false, ...smtpReason(error) };
      }
    },
    close() {
      transport.close();
    },
  };
}
