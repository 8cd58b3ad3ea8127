/**
 * The one database interface the rest of the code sees. Two implementations:
 * a `pg` pool (PostgreSQL server) and PGlite (embedded PostgreSQL in a data folder).
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface Transaction extends Queryable {
  /** Several statements at once, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Transaction {
  readonly kind: "postgres" | "pglite";
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Embedded database only: its data folder as a gzipped tarball, consistent as of one instant (backups). */
  snapshot?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * The database cannot be reached (refused, lost, shutting down, closed). Callers turn it into 503 +
 * Retry-After: whatever the transaction did was rolled back, so a retry is safe.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  constructor(cause: unknown) {
    super("database unavailable", { cause });
  }
}

/** PostgreSQL SQLSTATEs worth one more try of the whole transaction. */
export const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);

// Class 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now),
// 53300 (too many connections): the server is not answering us, not rejecting our data.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const UNAVAILABLE_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

export function isUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code))) {
    return true;
  }
  // node-postgres reports a dropped socket with these messages and no code.
  return /Connection terminated|connection is closed|Client was closed|Cannot use a pool after calling end|timeout exceeded when trying to connect|PGlite is closed/i.test(
    error.message,
  );
}
