import type { Queryable } from "../database.js";

/** Records an attempt before its password is checked, so parallel attempts count against each other. */
export async function insertLoginAttempt(
  db: Queryable,
  attempt: { account: Uint8Array; address: string; at: Date },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    "INSERT INTO login_attempts (account, address, attempted_at) VALUES ($1, $2, $3) RETURNING id",
    [attempt.account, attempt.address, attempt.at.toISOString()],
  );
  return Number(rows[0]?.id);
}

export interface LimitReachedAt {
  /** the attempt that made the account reach its limit (the limit-th most recent), null if not reached */
  account: Date | null;
  address: Date | null;
}

/**
 * Other attempts since `since`, for the account and for the address: when at least `limit` of them exist,
 * the time of the limit-th most recent one (the block lifts one window after it); otherwise null.
 */
export async function loginLimitReachedAt(
  db: Queryable,
  query: {
    account: Uint8Array;
    address: string;
    since: Date;
    exceptId: number;
    accountLimit: number;
    addressLimit: number;
  },
): Promise<LimitReachedAt> {
  const { rows } = await db.query<LimitReachedAt>(
    `SELECT
       (SELECT attempted_at FROM login_attempts
        WHERE account = $1 AND attempted_at > $3 AND id <> $4
        ORDER BY attempted_at DESC, id DESC OFFSET $5::int - 1 LIMIT 1) AS account,
       (SELECT attempted_at FROM login_attempts
        WHERE address = $2 AND attempted_at > $3 AND id <> $4
        ORDER BY attempted_at DESC, id DESC OFFSET $6::int - 1 LIMIT 1) AS address`,
    [
      query.account,
      query.address,
      query.since.toISOString(),
      query.exceptId,
      query.accountLimit,
      query.addressLimit,
    ],
  );
  return rows[0] ?? { account: null, address: null };
}

export async function deleteLoginAttempt(db: Queryable, id: number): Promise<void> {
  await db.query("DELETE FROM login_attempts WHERE id = $1", [id]);
}

/** Forgets the failures of an account (after it logged in successfully). */
export async function deleteLoginAttemptsOfAccount(db: Queryable, account: Uint8Array): Promise<void> {
  await db.query("DELETE FROM login_attempts WHERE account = $1", [account]);
}

/** Forgets attempts too old to count any more. */
export async function deleteLoginAttemptsBefore(db: Queryable, before: Date): Promise<void> {
  await db.query("DELETE FROM login_attempts WHERE attempted_at <= $1", [before.toISOString()]);
}
