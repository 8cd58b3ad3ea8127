import type { Queryable } from "../database.js";

export type Role = "admin" | "operator" | "viewer";

export interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  role: Role;
  created_at: Date;
  created_by: string | null;
  disabled_at: Date | null;
  /** null: every site */
  site_ids: number[] | null;
}

const COLUMNS = "id, email, password_hash, role, created_at, created_by, disabled_at, site_ids";

export interface NewUser {
  email: string;
  passwordHash: string;
  role: Role;
  createdAt: Date;
  createdBy: string | null;
  /** null or absent: every site */
  siteIds?: readonly number[] | null;
}

/** Inserts a user; null when the e-mail (in any case) is already taken. */
export async function insertUser(db: Queryable, user: NewUser): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (email, password_hash, role, created_at, created_by, site_ids)
     VALUES ($1, $2, $3, $4, $5, $6::int[])
     ON CONFLICT ((lower(email))) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      user.email,
      user.passwordHash,
      user.role,
      user.createdAt.toISOString(),
      user.createdBy,
      user.siteIds ? [...user.siteIds] : null,
    ],
  );
  return rows[0] ?? null;
}

/** Inserts a user only when the table is empty (the first administrator); null otherwise. */
export async function insertUserIfNoneExists(db: Queryable, user: NewUser): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (email, password_hash, role, created_at, created_by)
     SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM users)
     ON CONFLICT ((lower(email))) DO NOTHING
     RETURNING ${COLUMNS}`,
    [user.email, user.passwordHash, user.role, user.createdAt.toISOString(), user.createdBy],
  );
  return rows[0] ?? null;
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users");
  return rows[0]?.n ?? 0;
}

/** The user with this e-mail, whatever its case, disabled or not. */
export async function userByEmail(db: Queryable, email: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [
    email,
  ]);
  return rows[0] ?? null;
}

export async function userById(db: Queryable, id: number): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Marks an active user disabled; false when there is no such user or it already was. */
export async function markUserDisabled(db: Queryable, id: number, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    "UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL",
    [id, at.toISOString()],
  );
  return rowCount > 0;
}

export interface UserListRow {
  id: number;
  email: string;
  role: Role;
  created_at: Date;
  created_by: string | null;
  disabled_at: Date | null;
  last_login_at: Date | null;
  site_ids: number[] | null;
}

const LIST_COLUMNS = "id, email, role, created_at, created_by, disabled_at, last_login_at, site_ids";

/** Every account, active ones first, then by e-mail. */
export async function listUsers(db: Queryable): Promise<UserListRow[]> {
  const { rows } = await db.query<UserListRow>(
    `SELECT ${LIST_COLUMNS} FROM users ORDER BY disabled_at IS NOT NULL, lower(email), id`,
  );
  return rows;
}

/** One account, locked until the end of the transaction. */
export async function userForUpdate(tx: Queryable, id: number): Promise<UserListRow | null> {
  const { rows } = await tx.query<UserListRow>(`SELECT ${LIST_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [
    id,
  ]);
  return rows[0] ?? null;
}

/**
 * The ids of the active administrators, locked: two admins demoting each other at once are serialised,
 * so one of them is refused as the last one.
 */
export async function activeAdminIdsLocked(tx: Queryable): Promise<number[]> {
  const { rows } = await tx.query<{ id: number }>(
    "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE",
  );
  return rows.map((r) => r.id);
}

/** An administrator sees every site: promoting an account clears its list. */
export async function setUserRole(tx: Queryable, id: number, role: Role): Promise<UserListRow | null> {
  const { rows } = await tx.query<UserListRow>(
    `UPDATE users SET role = $2, site_ids = CASE WHEN $2 = 'admin' THEN NULL ELSE site_ids END
     WHERE id = $1 RETURNING ${LIST_COLUMNS}`,
    [id, role],
  );
  return rows[0] ?? null;
}

/** The sites an account sees (null: every site). */
export async function setUserSiteIds(
  tx: Queryable,
  id: number,
  siteIds: readonly number[] | null,
): Promise<UserListRow | null> {
  const { rows } = await tx.query<UserListRow>(
    `UPDATE users SET site_ids = $2::int[] WHERE id = $1 RETURNING ${LIST_COLUMNS}`,
    [id, siteIds === null ? null : [...siteIds]],
  );
  return rows[0] ?? null;
}

/** Disables (a time) or enables (null) an account. */
export async function setUserDisabledAt(
  tx: Queryable,
  id: number,
  at: Date | null,
): Promise<UserListRow | null> {
  const { rows } = await tx.query<UserListRow>(
    `UPDATE users SET disabled_at = $2 WHERE id = $1 RETURNING ${LIST_COLUMNS}`,
    [id, at === null ? null : at.toISOString()],
  );
  return rows[0] ?? null;
}

export async function setUserPasswordHash(tx: Queryable, id: number, passwordHash: string): Promise<boolean> {
  const { rowCount } = await tx.query("UPDATE users SET password_hash = $2 WHERE id = $1", [
    id,
    passwordHash,
  ]);
  return rowCount > 0;
}

export async function setLastLogin(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query("UPDATE users SET last_login_at = $2 WHERE id = $1", [id, at.toISOString()]);
}
