import { randomBytes } from "node:crypto";
import { type Algorithm, hash, verify } from "@node-rs/argon2";
import type { Database, Queryable } from "../db/database.js";
import { deleteSessionsOfUser } from "../db/queries/sessions.js";
import {
  countUsers,
  insertUser,
  insertUserIfNoneExists,
  markUserDisabled,
  type Role,
  type UserRow,
  userByEmail,
} from "../db/queries/users.js";

export type { Role } from "../db/queries/users.js";
export const ROLES: readonly Role[] = ["admin", "operator", "viewer"];

/** OWASP's first argon2id choice: 19 MiB of memory, 2 passes, 1 lane. */
export const PASSWORD_HASH_OPTIONS = {
  // `Algorithm` is an ambient const enum, which isolatedModules cannot read: 2 is Argon2id.
  algorithm: 2 as Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface User {
  id: number;
  email: string;
  role: Role;
  createdAt: Date;
  disabledAt: Date | null;
  /** null: every site */
  siteIds: number[] | null;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
    siteIds: row.site_ids,
  };
}

export type UserErrorCode = "invalid_email" | "weak_password" | "invalid_role" | "email_taken";

const USER_ERRORS: Record<UserErrorCode, string> = {
  invalid_email: "adresse e-mail invalide",
  weak_password: `le mot de passe doit compter de ${PASSWORD_MIN_LENGTH} à ${PASSWORD_MAX_LENGTH} caractères`,
  invalid_role: "rôle inconnu (admin, operator ou viewer)",
  email_taken: "un compte existe déjà avec cette adresse e-mail",
};

export class UserError extends Error {
  override readonly name = "UserError";
  constructor(readonly code: UserErrorCode) {
    super(USER_ERRORS[code]);
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_HASH_OPTIONS);
}

function checkNewUser(input: { email: string; password: string; role: string }): string {
  const email = input.email.trim();
  if (email.length < 3 || email.length > 254 || !EMAIL.test(email)) throw new UserError("invalid_email");
  if (input.password.length < PASSWORD_MIN_LENGTH || input.password.length > PASSWORD_MAX_LENGTH) {
    throw new UserError("weak_password");
  }
  if (!ROLES.includes(input.role as Role)) throw new UserError("invalid_role");
  return email;
}

export interface NewUserInput {
  email: string;
  password: string;
  role: Role;
  createdBy?: string | null;
  /** null or absent: every site */
  siteIds?: readonly number[] | null;
}

/** Creates an account; UserError for a malformed e-mail, a short password, or an e-mail already taken. */
export async function createUser(db: Queryable, input: NewUserInput, now: Date): Promise<User> {
  const email = checkNewUser(input);
  const row = await insertUser(db, {
    email,
    passwordHash: await hashPassword(input.password),
    role: input.role,
    createdAt: now,
    createdBy: input.createdBy ?? null,
    siteIds: input.siteIds ?? null,
  });
  if (!row) throw new UserError("email_taken");
  return toUser(row);
}

/**
 * The first administrator, from ADMIN_EMAIL / ADMIN_PASSWORD, when no user exists yet. Two instances
 * starting together create it once. Returns the user created, or null when there already were users.
 */
export async function ensureFirstAdmin(
  db: Queryable,
  admin: { email: string; password: string } | null,
  now: Date,
): Promise<User | null> {
  if (!admin || (await countUsers(db)) > 0) return null;
  const email = checkNewUser({ ...admin, role: "admin" });
  const row = await insertUserIfNoneExists(db, {
    email,
    passwordHash: await hashPassword(admin.password),
    role: "admin",
    createdAt: now,
    createdBy: "ADMIN_EMAIL",
  });
  return row ? toUser(row) : null;
}

export type CredentialCheck =
  | { ok: true; user: User }
  | { ok: false; reason: "unknown_user" | "wrong_password" | "disabled"; userId?: number };

// Verified when the e-mail is unknown, so that answer takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;
function decoyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString("base64url"));
  return dummyHash;
}

/**
 * Checks an e-mail and password. Unknown e-mail, wrong password and disabled account cost one argon2
 * verification each and differ only in `reason`, which is for the log, never for the client.
 */
export async function verifyCredentials(
  db: Queryable,
  email: string,
  password: string,
): Promise<CredentialCheck> {
  const row = await userByEmail(db, email.trim());
  const stored = row?.password_hash ?? (await decoyHash());
  let matches = false;
  try {
    matches = await verify(stored, password);
  } catch {
    matches = false;
  }
  if (!row) return { ok: false, reason: "unknown_user" };
  if (!matches) return { ok: false, reason: "wrong_password", userId: row.id };
  if (row.disabled_at !== null) return { ok: false, reason: "disabled", userId: row.id };
  return { ok: true, user: toUser(row) };
}

/** Disables an account and ends all its sessions at once. False when it did not exist or was disabled. */
export async function disableUser(db: Database, userId: number, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const changed = await markUserDisabled(tx, userId, now);
    await deleteSessionsOfUser(tx, userId);
    return changed;
  });
}

/** Looks a user up by e-mail (any case): for scripts and admin screens. */
export async function findUser(db: Queryable, email: string): Promise<User | null> {
  const row = await userByEmail(db, email.trim());
  return row ? toUser(row) : null;
}
