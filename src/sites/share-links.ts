/**
 * Read-only share links of a site (issue 18 item 5, decision 0018): an administrator's use cases, and the
 * resolution of a presented token into the one site it opens. The token (32 random bytes, base64url) is shown
 * once at creation; only its SHA-256 is stored, as for sessions.
 */
import { createHash, randomBytes } from "node:crypto";
import { ConfigAdminError } from "../admin/config-errors.js";
import type { Database, Queryable } from "../db/database.js";
import { appendConfigAudit } from "../db/queries/config-audit.js";
import {
  insertShareLink,
  revokeShareLinkRow,
  type ShareLinkRow,
  shareLinkById,
  shareLinkByTokenHash,
  shareLinksOfSite,
  touchShareLink,
} from "../db/queries/share-links.js";
import { siteById } from "../db/queries/sites.js";
import {
  isValidShareLinkDays,
  SHARE_LINK_DEFAULT_DAYS,
  SHARE_LINK_MAX_DAYS,
  type ShareLinkState,
  shareLinkExpiry,
  shareLinkState,
} from "../domain/share-link.js";

export interface ShareLink {
  id: number;
  siteId: number;
  label: string | null;
  createdAt: Date;
  createdBy: string;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  state: ShareLinkState;
}

/** What a live link opens: its site, and what the visitor's banner says. */
export interface OpenShareLink {
  id: number;
  siteId: number;
  siteName: string;
  timeZone: string;
  label: string | null;
  createdBy: string;
  expiresAt: Date;
}

// 32 random bytes, base64url without padding (as a session token).
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (token: string) => createHash("sha256").update(token, "utf8").digest();

const toLink = (row: ShareLinkRow, now: Date): ShareLink => ({
  id: row.id,
  siteId: row.site_id,
  label: row.label,
  createdAt: row.created_at,
  createdBy: row.created_by,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  lastUsedAt: row.last_used_at,
  state: shareLinkState({ expiresAt: row.expires_at, revokedAt: row.revoked_at }, now),
});

const audited = (row: ShareLinkRow) => ({
  site_id: row.site_id,
  label: row.label,
  expires_at: row.expires_at.toISOString(),
  revoked_at: row.revoked_at?.toISOString() ?? null,
});

const siteNotFound = () => new ConfigAdminError("site_not_found", "Site inconnu.", { field: "site_id" });

export interface NewShareLinkInput {
  expires_in_days?: unknown;
  label?: unknown;
}

/** Creates a link to one site; returns it with its token, which is never stored nor shown again. */
export async function createShareLink(
  db: Database,
  siteId: number,
  input: NewShareLinkInput,
  actor: string,
  now: Date,
): Promise<{ link: ShareLink; token: string }> {
  const days = input.expires_in_days ?? SHARE_LINK_DEFAULT_DAYS;
  if (!isValidShareLinkDays(days))
    throw new ConfigAdminError(
      "invalid_share_link",
      `Durée du lien invalide : un nombre entier de jours de 1 à ${SHARE_LINK_MAX_DAYS} est attendu.`,
      { field: "expires_in_days" },
    );
  let label: string | null = null;
  if (input.label !== undefined && input.label !== null) {
    label = typeof input.label === "string" ? input.label.trim() : "";
    if (label.length > 120)
      throw new ConfigAdminError("invalid_share_link", "Libellé trop long (120 caractères au plus).", {
        field: "label",
      });
    if (label === "") label = null;
  }
  const token = randomBytes(32).toString("base64url");
  return db.transaction(async (tx) => {
    if (!(await siteById(tx, siteId))) throw siteNotFound();
    const row = await insertShareLink(tx, {
      siteId,
      tokenHash: hashOf(token),
      label,
      createdAt: now,
      createdBy: actor,
      expiresAt: shareLinkExpiry(now, days),
    });
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "share_link",
        entityKey: String(row.id),
        action: "create",
        before: null,
        after: audited(row),
      },
    ]);
    return { link: toLink(row, now), token };
  });
}

export async function listShareLinks(db: Queryable, siteId: number, now: Date): Promise<ShareLink[]> {
  if (!(await siteById(db, siteId))) throw siteNotFound();
  return (await shareLinksOfSite(db, siteId)).map((row) => toLink(row, now));
}

/** Revokes a link (kept, for the list and the audit); revoking it again changes nothing. 404 if unknown. */
export async function revokeShareLink(
  db: Database,
  id: number,
  actor: string,
  now: Date,
): Promise<ShareLink> {
  return db.transaction(async (tx) => {
    const revoked = await revokeShareLinkRow(tx, id, now);
    if (!revoked) {
      const existing = await shareLinkById(tx, id);
      if (!existing)
        throw new ConfigAdminError("share_link_not_found", "Lien de partage introuvable.", { field: "id" });
      return toLink(existing, now);
    }
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "share_link",
        entityKey: String(id),
        action: "revoke",
        before: { ...audited(revoked), revoked_at: null },
        after: audited(revoked),
      },
    ]);
    return toLink(revoked, now);
  });
}

/**
 * What a presented token opens: `unknown` (malformed or no such link), `gone` (expired or revoked), or the
 * live link with its site. A live link's last use is noted (at most once a minute).
 */
export async function openShareLink(
  db: Queryable,
  token: string,
  now: Date,
): Promise<{ kind: "unknown" } | { kind: "gone" } | { kind: "open"; link: OpenShareLink }> {
  if (!TOKEN_FORMAT.test(token)) return { kind: "unknown" };
  const row = await shareLinkByTokenHash(db, hashOf(token));
  if (!row) return { kind: "unknown" };
  if (shareLinkState({ expiresAt: row.expires_at, revokedAt: row.revoked_at }, now) !== "live")
    return { kind: "gone" };
  const site = await siteById(db, row.site_id);
  if (!site) return { kind: "gone" };
  await touchShareLink(db, row.id, now);
  return {
    kind: "open",
    link: {
      id: row.id,
      siteId: row.site_id,
      siteName: site.name,
      timeZone: site.time_zone,
      label: row.label,
      createdBy: row.created_by,
      expiresAt: row.expires_at,
    },
  };
}
