import { createHash, randomBytes } from "node:crypto";
import type { Queryable } from "../db/database.js";
import {
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfUser,
  insertSession,
  liveSessionById,
  touchSession,
} from "../db/queries/sessions.js";
import { type Role, setLastLogin } from "../db/queries/users.js";

/** How long a session lives: `idleMs` without a request, `absoluteMs` in all. */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export function sessionPolicy(idleMinutes: number, absoluteHours: number): SessionPolicy {
  return { idleMs: idleMinutes * 60_000, absoluteMs: absoluteHours * 3_600_000 };
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = sessionPolicy(120, 12);

/**
 * last_seen_at is written at most this often per session (or a quarter of the idle limit if shorter), so
 * reads do not all turn into writes. A session may thus end up to that much before its exact idle limit.
 */
export const TOUCH_INTERVAL_MS = 60_000;

// 32 random bytes, base64url without padding.
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export interface SessionUser {
  id: number;
  email: string;
  role: Role;
  /** null: every site */
  siteIds: readonly number[] | null;
}

/** The stored id of a session: SHA-256 of the token the cookie carries. */
export function sessionIdOf(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

function limits(policy: SessionPolicy) {
  return {
    idleSeconds: Math.max(1, Math.floor(policy.idleMs / 1000)),
    absoluteSeconds: Math.max(1, Math.floor(policy.absoluteMs / 1000)),
  };
}

/**
 * Opens a session for a user (a login, which the users list shows); returns the token for the cookie
 * (never stored, never logged).
 */
export async function createSession(db: Queryable, userId: number, now: Date): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await insertSession(db, { id: sessionIdOf(token), userId, createdAt: now });
  await setLastLogin(db, userId, now);
  return token;
}

/**
 * The user behind a session token, or null when the token is malformed, unknown, expired (idle or
 * absolute), or its user is disabled. A live session's idle deadline slides forward.
 */
export async function resolveSession(
  db: Queryable,
  token: string | undefined,
  now: Date,
  policy: SessionPolicy,
): Promise<SessionUser | null> {
  if (!token || !TOKEN_FORMAT.test(token)) return null;
  const id = sessionIdOf(token);
  const row = await liveSessionById(db, id, now, limits(policy));
  if (!row) return null;
  const touchEvery = Math.min(TOUCH_INTERVAL_MS, policy.idleMs / 4);
  if (now.getTime() - row.last_seen_at.getTime() >= touchEvery) await touchSession(db, id, now);
  return { id: row.user_id, email: row.email, role: row.role, siteIds: row.site_ids };
}

/** Ends one session (logout). */
export async function revokeSession(db: Queryable, token: string | undefined): Promise<boolean> {
  if (!token || !TOKEN_FORMAT.test(token)) return false;
  return deleteSession(db, sessionIdOf(token));
}

/** Ends every session of a user; returns how many. */
export function revokeUserSessions(db: Queryable, userId: number): Promise<number> {
  return deleteSessionsOfUser(db, userId);
}

/** Deletes the sessions that have expired (they are refused anyway; this keeps the table small). */
export function purgeExpiredSessions(db: Queryable, now: Date, policy: SessionPolicy): Promise<number> {
  return deleteExpiredSessions(db, now, limits(policy));
}
