/**
 * Read-only share links (issue 18 item 5, decision 0018): how long one may live and whether it still opens.
 * A link is a bearer credential sent by e-mail or message to a client without an account, so it always ends:
 * 30 days unless the administrator says otherwise, a year at most (a yearly report's reader, and no longer:
 * a forgotten link must not stay open for ever).
 */
export const SHARE_LINK_DEFAULT_DAYS = 30;
export const SHARE_LINK_MAX_DAYS = 365;

const DAY_MS = 86_400_000;

/** When a link created at `createdAt` for `days` days expires (24-hour days: an instant, not a calendar date). */
export function shareLinkExpiry(createdAt: Date, days: number): Date {
  return new Date(createdAt.getTime() + days * DAY_MS);
}

export function isValidShareLinkDays(days: unknown): days is number {
  return typeof days === "number" && Number.isInteger(days) && days >= 1 && days <= SHARE_LINK_MAX_DAYS;
}

export type ShareLinkState = "live" | "expired" | "revoked";

/** Revoked wins over expired: the administrator's act is what the list shows. */
export function shareLinkState(link: { expiresAt: Date; revokedAt: Date | null }, now: Date): ShareLinkState {
  if (link.revokedAt !== null && link.revokedAt.getTime() <= now.getTime()) return "revoked";
  return now.getTime() < link.expiresAt.getTime() ? "live" : "expired";
}
