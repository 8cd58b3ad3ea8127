// A database of its own for one bench run, on the PostgreSQL server DATABASE_URL names, dropped afterwards.
import { randomBytes } from "node:crypto";
import pg from "pg";

async function onServer(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs `work` with the URL of a new database `<prefix>_<random>` on `server`, then drops it (even on error). */
export async function withThrowawayDatabase<T>(
  server: string,
  prefix: string,
  work: (url: string) => Promise<T>,
): Promise<T> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await onServer(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await onServer(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
