import { createHash } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import type { Queryable } from "../db/database.js";
import {
  deleteLoginAttempt,
  deleteLoginAttemptsBefore,
  deleteLoginAttemptsOfAccount,
  insertLoginAttempt,
  loginLimitReachedAt,
} from "../db/queries/login-attempts.js";

/**
 * At most `perAccount` failed (or in-flight) attempts per account and `perAddress` per client address
 * within a sliding window of `windowMs`. Kept in the database, so every instance counts the same.
 */
export interface ThrottleRule {
  windowMs: number;
  perAccount: number;
  perAddress: number;
}

export const LOGIN_THROTTLE: ThrottleRule = { windowMs: 15 * 60_000, perAccount: 5, perAddress: 20 };

/** The key of an account: SHA-256 of the e-mail as typed, trimmed and lower-cased. */
export function accountKey(email: string): Buffer {
  return createHash("sha256").update(email.trim().toLowerCase(), "utf8").digest();
}

// Only called on text node:net accepts as IPv6.
function expandIPv6(address: string): number[] | null {
  let text = address;
  const tail: number[] = [];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (v4) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.slice(1).map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    text = address.slice(0, v4.index);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((group) => Number.parseInt(group, 16)) : [];
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const missing = 8 - tail.length - head.length - rest.length;
  const groups = [...head, ...Array.from({ length: Math.max(0, missing) }, () => 0), ...rest, ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : null;
}

/**
 * The throttling key of a client address: an IPv4 address as is (also when mapped into IPv6), an IPv6
 * address by its /64 prefix, since one subscriber usually holds a whole /64.
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  const address = ip.replace(/%.*$/, "");
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address.slice(0, 64) || "unknown";
  const groups = expandIPv6(address);
  if (!groups) return address.slice(0, 64);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

export type LoginPermit =
  | { allowed: true; attemptId: number; account: Buffer }
  | { allowed: false; retryAfterS: number; scope: "account" | "address" };

/**
 * Registers a login attempt and says whether it may go on. The attempt is recorded before the password
 * is checked, so a burst of parallel attempts counts in full; a refused attempt is not kept, so hammering
 * does not push the end of the block further.
 */
export async function beginLoginAttempt(
  db: Queryable,
  attempt: { email: string; ip: string | undefined; now: Date },
  rule: ThrottleRule = LOGIN_THROTTLE,
): Promise<LoginPermit> {
  const since = new Date(attempt.now.getTime() - rule.windowMs);
  await deleteLoginAttemptsBefore(db, since);
  const account = accountKey(attempt.email);
  const address = addressKey(attempt.ip);
  const attemptId = await insertLoginAttempt(db, { account, address, at: attempt.now });
  const reached = await loginLimitReachedAt(db, {
    account,
    address,
    since,
    exceptId: attemptId,
    accountLimit: rule.perAccount,
    addressLimit: rule.perAddress,
  });
  if (!reached.account && !reached.address) return { allowed: true, attemptId, account };
  await deleteLoginAttempt(db, attemptId);
  const until = (at: Date | null) => (at ? at.getTime() + rule.windowMs : 0);
  const accountUntil = until(reached.account);
  const addressUntil = until(reached.address);
  const end = Math.max(accountUntil, addressUntil);
  return {
    allowed: false,
    retryAfterS: Math.max(1, Math.ceil((end - attempt.now.getTime()) / 1000)),
    scope: accountUntil >= addressUntil ? "account" : "address",
  };
}

/** A successful login: its attempt and the account's earlier failures no longer count. */
export async function loginSucceeded(
  db: Queryable,
  permit: { attemptId: number; account: Buffer },
): Promise<void> {
  await deleteLoginAttempt(db, permit.attemptId);
  await deleteLoginAttemptsOfAccount(db, permit.account);
}
