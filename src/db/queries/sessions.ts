import type { Queryable } from "../database.js";
import type { Role } from "./users.js";

export async function insertSession(
  db: Queryable,
  session: { id: Uint8Array; userId: number; createdAt: Date },
): Promise<void> {
  await db.query("INSERT INTO sessions (id, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)", [
    session.id,
    session.userId,
    session.createdAt.toISOString(),
  ]);
}

export interface LiveSessionRow {
  user_id: number;
  email: string;
  role: Role;
  site_ids: number[] | null;
  created_at: Date;
  last_seen_at: Date;
}

/**
 * The session with this id and its user, if it is still alive at `now`: seen within the idle limit,
 * created within the absolute limit, and its user not disabled.
 */
export async function liveSessionById(
  db: Queryable,
  id: Uint8Array,
  now: Date,
  limits: { idleSeconds: number; absoluteSeconds: number },
): Promise<LiveSessionRow | null> {
  const { rows } = await db.query<LiveSessionRow>(
    `SELECT s.user_id, u.email, u.role, u.site_ids, s.created_at, s.last_seen_at
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = $1 AND u.disabled_at IS NULL
       AND s.last_seen_at > $2::timestamptz - $3::int * interval '1 second'
       AND s.created_at > $2::timestamptz - $4::int * interval '1 second'`,
    [id, now.toISOString(), limits.idleSeconds, limits.absoluteSeconds],
  );
  return rows[0] ?? null;
}

/** Moves the idle deadline forward; never backwards. */
export async function touchSession(db: Queryable, id: Uint8Array, now: Date): Promise<void> {
  await db.query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2", [
    id,
    now.toISOString(),
  ]);
}

export async function deleteSession(db: Queryable, id: Uint8Array): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM sessions WHERE id = $1", [id]);
  return rowCount > 0;
}

export async function deleteSessionsOfUser(db: Queryable, userId: number): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM sessions WHERE user_id = $1", [userId]);
  return rowCount;
}

/** Removes the sessions already past one of their limits at `now`. */
export async function deleteExpiredSessions(
  db: Queryable,
  now: Date,
  limits: { idleSeconds: number; absoluteSeconds: number },
): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM sessions
     WHERE last_seen_at <= $1::timestamptz - $2::int * interval '1 second'
        OR created_at <= $1::timestamptz - $3::int * interval '1 second'`,
    [now.toISOString(), limits.idleSeconds, limits.absoluteSeconds],
  );
  return rowCount;
}
