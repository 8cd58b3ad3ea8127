import { randomBytes } from "node:crypto";
import type { Database, Queryable } from "../db/database.js";
import { appendConfigAudit } from "../db/queries/config-audit.js";
import { deleteSessionsOfUser } from "../db/queries/sessions.js";
import {
  activeAdminIdsLocked,
  insertUser,
  listUsers,
  type Role,
  setUserDisabledAt,
  setUserPasswordHash,
  setUserRole,
  setUserSiteIds,
  type UserListRow,
  userForUpdate,
} from "../db/queries/users.js";
import { checkSiteIds } from "../sites/sites.js";
import { ConfigAdminError } from "./config-errors.js";
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, ROLES } from "./users.js";

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface AdminUser {
  id: number;
  email: string;
  role: Role;
  createdAt: Date;
  createdBy: string | null;
  disabledAt: Date | null;
  lastLoginAt: Date | null;
  /** null: every site */
  siteIds: number[] | null;
}

const toAdminUser = (r: UserListRow): AdminUser => ({
  id: r.id,
  email: r.email,
  role: r.role,
  createdAt: r.created_at,
  createdBy: r.created_by,
  disabledAt: r.disabled_at,
  lastLoginAt: r.last_login_at,
  siteIds: r.site_ids,
});

/** What the audit keeps of an account: never a password or its hash. */
const audited = (r: UserListRow) => ({
  email: r.email,
  role: r.role,
  disabled: r.disabled_at !== null,
  site_ids: r.site_ids,
});

export function listAccounts(db: Queryable): Promise<AdminUser[]> {
  return listUsers(db).then((rows) => rows.map(toAdminUser));
}

/** 24 characters of base64url: 144 random bits, typed once by the user and then changed. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

function checkEmail(email: unknown): string {
  const clean = typeof email === "string" ? email.trim() : "";
  if (clean.length < 3 || clean.length > 254 || !EMAIL.test(clean)) {
    throw new ConfigAdminError("invalid_email", "Adresse e-mail invalide.", { field: "email" });
  }
  return clean;
}

function checkRole(role: unknown): Role {
  if (!ROLES.includes(role as Role)) {
    throw new ConfigAdminError("invalid_role", "Rôle inconnu : admin, operator ou viewer attendu.", {
      field: "role",
    });
  }
  return role as Role;
}

function checkPassword(password: unknown): string {
  if (
    typeof password !== "string" ||
    password.length < PASSWORD_MIN_LENGTH ||
    password.length > PASSWORD_MAX_LENGTH
  ) {
    throw new ConfigAdminError(
      "weak_password",
      `Le mot de passe doit compter de ${PASSWORD_MIN_LENGTH} à ${PASSWORD_MAX_LENGTH} caractères.`,
      { field: "password" },
    );
  }
  return password;
}

const notFound = () => new ConfigAdminError("user_not_found", "Compte introuvable.");
const lastAdmin = () =>
  new ConfigAdminError(
    "last_admin",
    "Impossible : c'est le dernier administrateur actif. Nommez d'abord un autre administrateur.",
  );

/**
 * Creates an account from the admin area. `password` undefined or null: one is generated and returned
 * (shown once). Audited as `user` `create`.
 */
export async function createAccount(
  db: Database,
  input: { email: unknown; role: unknown; password?: unknown; site_ids?: unknown },
  actor: string,
  now: Date,
): Promise<{ user: AdminUser; generatedPassword: string | null }> {
  const email = checkEmail(input.email);
  const role = checkRole(input.role);
  const siteIds = await checkSiteIds(db, role, input.site_ids);
  const generated = input.password === undefined || input.password === null ? generatePassword() : null;
  const password = generated ?? checkPassword(input.password);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const row = await insertUser(tx, {
      email,
      passwordHash,
      role,
      createdAt: now,
      createdBy: actor,
      siteIds,
    });
    if (!row) {
      throw new ConfigAdminError("email_taken", "Un compte existe déjà avec cette adresse e-mail.", {
        field: "email",
      });
    }
    const created = (await userForUpdate(tx, row.id)) as UserListRow;
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "user",
        entityKey: String(row.id),
        action: "create",
        before: null,
        after: audited(created),
      },
    ]);
    return { user: toAdminUser(created), generatedPassword: generated };
  });
}

/** Changes a role; demoting the last active administrator is refused (409 last_admin). */
export function changeRole(
  db: Database,
  id: number,
  role: unknown,
  actor: string,
  now: Date,
): Promise<AdminUser> {
  const newRole = checkRole(role);
  return changeAccount(db, id, actor, now, async (tx, user, admins) => {
    if (user.role === newRole) return null;
    if (newRole !== "admin" && isLastAdmin(user, admins)) throw lastAdmin();
    return { row: await setUserRole(tx, id, newRole), action: "change_role" };
  });
}

/**
 * Which sites an account sees (null: every site). An administrator sees every site (400 restricted_admin);
 * an unknown site is 404 on `site_ids`.
 */
export async function changeSites(
  db: Database,
  id: number,
  siteIds: unknown,
  actor: string,
  now: Date,
): Promise<AdminUser> {
  return changeAccount(db, id, actor, now, async (tx, user) => {
    const list = await checkSiteIds(tx, user.role, siteIds);
    const same =
      (list === null && user.site_ids === null) ||
      (list !== null &&
        user.site_ids !== null &&
        list.join() === [...user.site_ids].sort((a, b) => a - b).join());
    if (same) return null;
    return { row: await setUserSiteIds(tx, id, list), action: "change_sites" };
  });
}

/**
 * Disables an account and ends its sessions at once (the next request of that user is refused); disabling
 * the last active administrator is refused (409 last_admin).
 */
export function disableAccount(db: Database, id: number, actor: string, now: Date): Promise<AdminUser> {
  return changeAccount(db, id, actor, now, async (tx, user, admins) => {
    if (user.disabled_at !== null) return null;
    if (isLastAdmin(user, admins)) throw lastAdmin();
    const row = await setUserDisabledAt(tx, id, now);
    await deleteSessionsOfUser(tx, id);
    return { row, action: "disable" };
  });
}

export function enableAccount(db: Database, id: number, actor: string, now: Date): Promise<AdminUser> {
  return changeAccount(db, id, actor, now, async (tx, user) => {
    if (user.disabled_at === null) return null;
    return { row: await setUserDisabledAt(tx, id, null), action: "enable" };
  });
}

/**
 * Sets a new password (`password` undefined or null: a generated one, returned once) and ends the account's
 * sessions, except when administrators reset their own (they stay logged in).
 */
export async function resetPassword(
  db: Database,
  id: number,
  password: unknown,
  actor: { id: number; email: string },
  now: Date,
): Promise<{ user: AdminUser; generatedPassword: string | null }> {
  const generated = password === undefined || password === null ? generatePassword() : null;
  const passwordHash = await hashPassword(generated ?? checkPassword(password));
  const user = await changeAccount(db, id, actor.email, now, async (tx, row) => {
    await setUserPasswordHash(tx, id, passwordHash);
    if (id !== actor.id) await deleteSessionsOfUser(tx, id);
    return { row, action: "reset_password" };
  });
  return { user, generatedPassword: generated };
}

function isLastAdmin(user: UserListRow, activeAdmins: readonly number[]): boolean {
  return activeAdmins.length === 1 && activeAdmins[0] === user.id;
}

async function changeAccount(
  db: Database,
  id: number,
  actor: string,
  now: Date,
  change: (
    tx: Queryable,
    user: UserListRow,
    activeAdmins: number[],
  ) => Promise<{
    row: UserListRow | null;
    action: "change_role" | "change_sites" | "disable" | "enable" | "reset_password";
  } | null>,
): Promise<AdminUser> {
  return db.transaction(async (tx) => {
    // The admins first, then the account: every change takes the locks in that order.
    const admins = await activeAdminIdsLocked(tx);
    const user = await userForUpdate(tx, id);
    if (!user) throw notFound();
    const done = await change(tx, user, admins);
    if (done === null) return toAdminUser(user);
    const after = done.row ?? user;
    await appendConfigAudit(tx, [
      {
        at: now,
        actor,
        entity: "user",
        entityKey: String(id),
        action: done.action,
        before: audited(user),
        after: audited(after),
      },
    ]);
    return toAdminUser(after);
  });
}
