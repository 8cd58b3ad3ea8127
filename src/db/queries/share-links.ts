import type { Queryable } from "../database.js";

export interface ShareLinkRow {
  id: number;
  site_id: number;
  label: string | null;
  created_at: Date;
  created_by: string;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = "id, site_id, label, created_at, created_by, expires_at, revoked_at, last_used_at";

export async function insertShareLink(
  db: Queryable,
  link: {
    siteId: number;
    tokenHash: Uint8Array;
    label: string | null;
    createdAt: Date;
    createdBy: string;
    expiresAt: Date;
  },
): Promise<ShareLinkRow> {
  const { rows } = await db.query<ShareLinkRow>(
    `INSERT INTO share_links (site_id, token_hash, label, created_at, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING ${COLUMNS}`,
    [
      link.siteId,
      link.tokenHash,
      link.label,
      link.createdAt.toISOString(),
      link.createdBy,
      link.expiresAt.toISOString(),
    ],
  );
  const row = rows[0];
  if (!row) throw new Error("INSERT … RETURNING gave no row");
  return row;
}

/** A site's links, the newest first (revoked and expired ones too: the administrator sees their history). */
export async function shareLinksOfSite(db: Queryable, siteId: number): Promise<ShareLinkRow[]> {
  const { rows } = await db.query<ShareLinkRow>(
    `SELECT ${COLUMNS} FROM share_links WHERE site_id = $1 ORDER BY created_at DESC, id DESC`,
    [siteId],
  );
  return rows;
}

export async function shareLinkById(db: Queryable, id: number): Promise<ShareLinkRow | null> {
  const { rows } = await db.query<ShareLinkRow>(`SELECT ${COLUMNS} FROM share_links WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The link a token opens, live or not (the caller tells an expired or revoked link from an unknown one). */
export async function shareLinkByTokenHash(
  db: Queryable,
  tokenHash: Uint8Array,
): Promise<ShareLinkRow | null> {
  const { rows } = await db.query<ShareLinkRow>(`SELECT ${COLUMNS} FROM share_links WHERE token_hash = $1`, [
    tokenHash,
  ]);
  return rows[0] ?? null;
}

/** Revokes a link not yet revoked; null when there is no such link or it was revoked already. */
export async function revokeShareLinkRow(db: Queryable, id: number, at: Date): Promise<ShareLinkRow | null> {
  const { rows } = await db.query<ShareLinkRow>(
    `UPDATE share_links SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
    [id, at.toISOString()],
  );
  return rows[0] ?? null;
}

/** Notes a use of the link; written at most once a minute, so reads do not all turn into writes. */
export async function touchShareLink(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query(
    `UPDATE share_links SET last_used_at = $2
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
    [id, at.toISOString()],
  );
}
