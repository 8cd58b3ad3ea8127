import type { Queryable } from "../database.js";

export type Role = "admin" | "viewer";

export interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  role: Role;
  created_at: Date;
  created_by: string | null;
  disabled_at: Date | null;
}

const COLUMNS = "id, email, password_hash, role, created_at, created_by, disabled_at";

export interface NewUser {
  email: string;
  passwordHash: string;
  role: Role;
  createdAt: Date;
  createdBy: string | null;
}

/** Inserts a user; null when the e-mail (in any case) is already taken. */
export async function insertUser(db: Queryable, user: NewUser): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (email, password_hash, role, created_at, created_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT ((lower(email))) DO NOTHING
     RETURNING ${COLUMNS}`,
    [user.email, user.passwordHash, user.role, user.createdAt.toISOString(), user.createdBy],
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
