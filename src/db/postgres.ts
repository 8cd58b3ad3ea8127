import pg from "pg";
import {
  type Database,
  DatabaseUnavailableError,
  isUnavailable,
  type QueryResult,
  type Transaction,
} from "./database.js";

export interface PostgresOptions {
  connectionString: string;
  maxConnections?: number;
  /** how long a request may wait for a free connection before the database counts as unavailable */
  connectTimeoutMs?: number;
  onError?: (error: Error) => void;
}

// int8 as a JS number: counts and ids here stay far below 2^53; float8 and timestamptz already map well.
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

function wrap(error: unknown): unknown {
  return isUnavailable(error) ? new DatabaseUnavailableError(error) : error;
}

async function run<R>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) {
  try {
    const result = await client.query(sql, params as unknown[] | undefined);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 } satisfies QueryResult<R>;
  } catch (error) {
    throw wrap(error);
  }
}

/**
 * The connection string without its `options` parameter, and the server options to send: pg lets the string's
 * `options` replace the pool's, so both are merged here (e.g. a test's search_path, and jit=off).
 */
function serverOptions(connectionString: string): { connectionString: string; options: string } {
  // JIT compiles a plan once its estimated cost is high, as a year of readings is: 0.37 s of compilation on
  // the naive cycles query and 11 ms on a 30-day chart, for queries that run for milliseconds.
  // On Citus, SET LOCAL (the refresher's lock_timeout) must reach the workers holding the rows, or a refresher
  // waits for another's claim without bound; elsewhere the setting is an inert placeholder.
  const ours = "-c jit=off -c citus.propagate_set_commands=local";
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return { connectionString, options: ours };
  }
  const given = url.searchParams.get("options");
  if (given === null) return { connectionString, options: ours };
  url.searchParams.delete("options");
  return { connectionString: url.toString(), options: `${given} ${ours}` };
}

export function openPostgres(options: PostgresOptions): Database {
  const server = serverOptions(options.connectionString);
  const pool = new pg.Pool({
    connectionString: server.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    options: server.options,
    types,
  });
  // An idle client whose server went away emits 'error'; unhandled, it would kill the process.
  pool.on("error", (error) => options.onError?.(error));

  return {
    kind: "postgres",
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw wrap(error);
      }
      let broken = false;
      const tx: Transaction = {
        query: async (sql, params) => {
          try {
            return await run(client, sql, params);
          } catch (error) {
            if (error instanceof DatabaseUnavailableError) broken = true;
            throw error;
          }
        },
        exec: async (sql) => {
          await tx.query(sql);
        },
      };
      try {
        await tx.query("BEGIN");
        const result = await fn(tx);
        await tx.query("COMMIT");
        return result;
      } catch (error) {
        if (!broken) await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        // A client whose connection failed must not go back to the pool.
        client.release(broken ? true : undefined);
      }
    },
    async exec(sql) {
      await run(pool, sql);
    },
    async close() {
      await pool.end();
    },
  };
}
