import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { type Database, DatabaseUnavailableError, isUnavailable, type QueryResult } from "./database.js";

// PGlite reports affectedRows 0 for a SELECT; pg's rowCount is the number of rows returned. Same meaning on both.
function countOf(result: { rows: unknown[]; affectedRows?: number }): number {
  return Math.max(result.rows.length, result.affectedRows ?? 0);
}

function wrap(error: unknown): unknown {
  return isUnavailable(error) ? new DatabaseUnavailableError(error) : error;
}

/**
 * PGlite's buffer cache lives in its WASM memory, inside the service's process, and is touched whole at start:
 * PostgreSQL's default (128MB) made the service's RSS ≈ 115 MB larger from the first second. The data files
 * stay in the operating system's page cache (outside the process), so a smaller pool costs a read call per
 * page missed, not a disk read (docs/decisions/0022-memory-through-a-meter-year.md).
 */
export const PGLITE_SHARED_BUFFERS = "16MB";

/**
 * Embedded PostgreSQL. `dataDir` undefined = in memory (tests). One connection: queries run one at a time.
 * `loadDataDir`: a data folder tarball (a backup) to start from; only into a folder holding no database.
 */
export async function openPglite(dataDir?: string, options: { loadDataDir?: Blob } = {}): Promise<Database> {
  // btree_gist: exclusion constraints over (device, channel, date range) need it, as on the server.
  const pglite = new PGlite({
    ...(dataDir ? { dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    extensions: { btree_gist },
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
  });
  await pglite.waitReady;
  let closed = false;

  const guard = async <R>(work: () => Promise<R>): Promise<R> => {
    if (closed) throw new DatabaseUnavailableError(new Error("PGlite is closed"));
    try {
      return await work();
    } catch (error) {
      throw wrap(error);
    }
  };

  return {
    kind: "pglite",
    query: <R>(sql: string, params?: readonly unknown[]) =>
      guard(async () => {
        const result = await pglite.query<R>(sql, params as unknown[] | undefined);
        return {
          rows: result.rows,
          rowCount: countOf(result),
        } satisfies QueryResult<R>;
      }),
    transaction: (fn) =>
      guard(() =>
        pglite.transaction((tx) =>
          fn({
            query: async <R>(sql: string, params?: readonly unknown[]) => {
              const result = await tx.query<R>(sql, params as unknown[] | undefined);
              return { rows: result.rows, rowCount: countOf(result) };
            },
            exec: async (sql: string) => {
              await tx.exec(sql);
            },
          }),
        ),
      ),
    exec: (sql) =>
      guard(async () => {
        await pglite.exec(sql);
      }),
    snapshot: () =>
      guard(() =>
        // PGlite runs every query under the lock a transaction holds, so inside one nothing else runs:
        // CHECKPOINT writes every committed change into the data files, which are then read as they
        // stand (docs/decisions/0010-embedded-backups.md).
        pglite.transaction(async (tx) => {
          await tx.query("CHECKPOINT");
          const tarball = await pglite.dumpDataDir("gzip");
          return new Uint8Array(await tarball.arrayBuffer());
        }),
      ),
    async close() {
      if (closed) return;
      closed = true;
      await pglite.close();
    },
  };
}
