import { createHash } from "node:crypto";
import cookie from "@fastify/cookie";
import { parseOptions } from "@node-rs/argon2";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeApiKeyVerifier } from "../src/admin/api-keys.js";
import { sessionPolicy } from "../src/admin/sessions.js";
import { disableUser, ensureFirstAdmin, findUser } from "../src/admin/users.js";
import type { Database } from "../src/db/database.js";
import { openPostgres } from "../src/db/postgres.js";
import { createLogger } from "../src/logger.js";
import { createAccess, currentUser } from "../src/server/access.js";
import type { App } from "../src/server/app.js";
import { installErrorHandling } from "../src/server/errors.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  createTestUser,
  FakeClock,
  LogCapture,
  loginAs,
  SAME_ORIGIN,
  TEST_PASSWORD,
  type TestDatabase,
} from "./harness.js";

const START = new Date("2026-02-14T08:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let t: TestDatabase;
let app: App;
let clock: FakeClock;
const logs = new LogCapture();

beforeAll(async () => {
  t = await createTestDatabase();
  clock = new FakeClock(START);
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount, logs });
});
afterAll(async () => {
  await app.close();
  await t.drop();
});
beforeEach(async () => {
  clock.set(START);
  await t.db.query("TRUNCATE users, sessions, login_attempts RESTART IDENTITY CASCADE");
});

function login(
  email: string,
  password: string,
  options: { headers?: Record<string, string>; remoteAddress?: string; on?: App } = {},
) {
  return (options.on ?? app).inject({
    method: "POST",
    url: "/api/auth/login",
    headers: { "content-type": "application/json", ...SAME_ORIGIN, ...options.headers },
    payload: JSON.stringify({ email, password }),
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
}

function me(cookieHeader: string, on: App = app) {
  return on.inject({ url: "/api/auth/me", headers: { cookie: cookieHeader } });
}

function sessionCookieOf(response: { cookies: { name: string; value: string }[] }): string {
  const found = response.cookies.find((c) => c.name === "pw_session");
  if (!found) throw new Error("no session cookie");
  return `pw_session=${found.value}`;
}

/** The error body without its request id, to compare two answers. */
function errorOf(response: { json(): { error: Record<string, unknown> } }) {
  const { request_id: _id, ...rest } = response.json().error;
  return rest;
}

describe("login", () => {
  it("opens a session: {email, role} and an HttpOnly, Secure, SameSite=Lax cookie living the absolute lifetime", async () => {
    await createTestUser(t.db, "Chef@FiltrePlante.org", "admin");
    const response = await login("chef@filtreplante.org", TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ email: "Chef@FiltrePlante.org", role: "admin", site_ids: null });
    expect(response.headers["cache-control"]).toBe("no-store");
    const setCookie = String(response.headers["set-cookie"]);
    expect(setCookie).toMatch(/^pw_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/Max-Age=43200/);

    const who = await me(sessionCookieOf(response));
    expect(who.statusCode).toBe(200);
    expect(who.json()).toEqual({ email: "Chef@FiltrePlante.org", role: "admin", site_ids: null });
  });

  it("stores only the SHA-256 of the session token", async () => {
    await createTestUser(t.db, "v@example.org");
    const token = sessionCookieOf(await login("v@example.org", TEST_PASSWORD)).split("=")[1] ?? "";
    const { rows } = await t.db.query<{ id: Uint8Array }>("SELECT id FROM sessions");
    expect(rows).toHaveLength(1);
    const stored = Buffer.from(rows[0]?.id ?? []);
    expect(stored.equals(createHash("sha256").update(token).digest())).toBe(true);
    expect(stored.toString("utf8")).not.toContain(token);
  });

  it("answers an unknown e-mail and a wrong password with the same 401 body, in about the same time", async () => {
    await createTestUser(t.db, "v@example.org");
    const timings = { unknown: [] as number[], wrong: [] as number[] };
    let wrongBody: unknown;
    let unknownBody: unknown;
    for (let i = 0; i < 3; i++) {
      let started = performance.now();
      const wrong = await login("v@example.org", `not the password ${i}`, { remoteAddress: `10.1.0.${i}` });
      timings.wrong.push(performance.now() - started);
      started = performance.now();
      const unknown = await login(`nobody${i}@example.org`, TEST_PASSWORD, { remoteAddress: `10.2.0.${i}` });
      timings.unknown.push(performance.now() - started);
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.headers["set-cookie"]).toBeUndefined();
      expect(unknown.headers["set-cookie"]).toBeUndefined();
      wrongBody = errorOf(wrong);
      unknownBody = errorOf(unknown);
      expect(unknownBody).toEqual(wrongBody);
    }
    expect(wrongBody).toEqual({ code: "invalid_credentials", message: "Identifiants invalides." });
    // Without the decoy verification an unknown e-mail would answer ~20× faster than a wrong password.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] ?? 0;
    expect(median(timings.unknown)).toBeGreaterThan(median(timings.wrong) * 0.4);
  });

  it("refuses a body without e-mail or password with 400 and opens nothing", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { "content-type": "application/json", ...SAME_ORIGIN },
      payload: JSON.stringify({ email: "v@example.org" }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_request");
  });

  it("gives a new session id at each login and ends the one the browser presented", async () => {
    await createTestUser(t.db, "v@example.org");
    const first = sessionCookieOf(await login("v@example.org", TEST_PASSWORD));
    const elsewhere = sessionCookieOf(await login("v@example.org", TEST_PASSWORD));
    expect(elsewhere).not.toBe(first);
    // Two devices may each hold a session...
    expect((await me(first)).statusCode).toBe(200);
    expect((await me(elsewhere)).statusCode).toBe(200);
    // ...but logging in again from a browser replaces that browser's session (no fixation).
    const again = await login("v@example.org", TEST_PASSWORD, { headers: { cookie: first } });
    const renewed = sessionCookieOf(again);
    expect(renewed).not.toBe(first);
    expect((await me(first)).statusCode).toBe(401);
    expect((await me(renewed)).statusCode).toBe(200);
    expect((await me(elsewhere)).statusCode).toBe(200);
  });
});

describe("session lifetime", () => {
  it("ends after 2 h without a request; each request pushes that deadline back", async () => {
    const session = await loginAs(app, t.db, "v@example.org", "viewer");
    clock.advance(2 * HOUR - MINUTE);
    expect((await me(session.cookie)).statusCode).toBe(200);
    clock.advance(2 * HOUR - MINUTE);
    expect((await me(session.cookie)).statusCode).toBe(200);
    clock.advance(2 * HOUR);
    const expired = await me(session.cookie);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error).toMatchObject({ code: "session_required", message: "Connexion requise." });
  });

  it("ends 12 h after login even when used all along", async () => {
    const session = await loginAs(app, t.db, "v@example.org", "viewer");
    for (let hours = 1; hours < 12; hours++) {
      clock.advance(HOUR);
      expect((await me(session.cookie)).statusCode).toBe(200);
    }
    clock.advance(HOUR);
    expect((await me(session.cookie)).statusCode).toBe(401);
  });

  it("takes its limits from the configuration", async () => {
    const short = await createTestApp(t.db, {
      clock,
      migrationCount: t.migrationCount,
      sessionPolicy: sessionPolicy(30, 1),
    });
    try {
      const session = await loginAs(short, t.db, "v@example.org", "viewer");
      const setCookie = String(
        (await login("v@example.org", TEST_PASSWORD, { on: short })).headers["set-cookie"],
      );
      expect(setCookie).toMatch(/Max-Age=3600/);
      clock.advance(29 * MINUTE);
      expect((await me(session.cookie, short)).statusCode).toBe(200);
      clock.advance(31 * MINUTE);
      expect((await me(session.cookie, short)).statusCode).toBe(401);
    } finally {
      await short.close();
    }
  });

  it("survives a restart and works on another instance of the same database", async () => {
    const session = await loginAs(app, t.db, "v@example.org", "viewer");
    const other = await createTestApp(t.db, { clock, migrationCount: t.migrationCount });
    try {
      expect((await me(session.cookie, other)).json()).toEqual({
        email: "v@example.org",
        role: "viewer",
        site_ids: null,
      });
    } finally {
      await other.close();
    }
  });

  it("ends at logout: 204, cookie cleared, the old cookie no longer opens anything", async () => {
    const session = await loginAs(app, t.db, "v@example.org", "viewer");
    const out = await app.inject({
      method: "POST",
      url: "/api/auth/logout",
      headers: { ...session, ...SAME_ORIGIN },
    });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe("");
    const cleared = out.cookies.find((c) => c.name === "pw_session");
    expect(cleared?.value).toBe("");
    expect((await me(session.cookie)).statusCode).toBe(401);
    expect((await t.db.query("SELECT 1 FROM sessions")).rows).toHaveLength(0);
    // Logging out again, or without a session, is harmless.
    expect((await app.inject({ method: "POST", url: "/api/auth/logout" })).statusCode).toBe(204);
  });

  it("ends every session of a user who is disabled, and refuses their login like a wrong password", async () => {
    const one = await loginAs(app, t.db, "v@example.org", "viewer");
    const two = await loginAs(app, t.db, "v@example.org");
    const other = await loginAs(app, t.db, "w@example.org", "viewer");
    const user = await findUser(t.db, "V@EXAMPLE.ORG");
    expect(await disableUser(t.db, user?.id ?? 0, clock.now())).toBe(true);
    expect((await me(one.cookie)).statusCode).toBe(401);
    expect((await me(two.cookie)).statusCode).toBe(401);
    expect((await me(other.cookie)).statusCode).toBe(200);
    const refused = await login("v@example.org", TEST_PASSWORD);
    expect(refused.statusCode).toBe(401);
    expect(errorOf(refused)).toEqual({ code: "invalid_credentials", message: "Identifiants invalides." });
  });
});

describe("login throttling", () => {
  it("blocks an account after 5 failures in 15 min, from any address, with 429 and Retry-After", async () => {
    await createTestUser(t.db, "v@example.org");
    for (let i = 0; i < 5; i++) {
      const failed = await login("v@example.org", "wrong password!", { remoteAddress: `192.0.2.${i}` });
      expect(failed.statusCode).toBe(401);
      clock.advance(MINUTE);
    }
    const blocked = await login("V@example.org", TEST_PASSWORD, { remoteAddress: "198.51.100.7" });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers["retry-after"]).toBe(String(15 * 60 - 5 * 60));
    expect(blocked.json().error).toMatchObject({
      code: "too_many_login_attempts",
      message: "Trop de tentatives de connexion. Réessayez plus tard.",
    });
    expect(blocked.headers["set-cookie"]).toBeUndefined();
    // Another account from the same address is not affected.
    await createTestUser(t.db, "w@example.org");
    expect((await login("w@example.org", TEST_PASSWORD, { remoteAddress: "192.0.2.0" })).statusCode).toBe(
      200,
    );
    // Hammering while blocked does not extend the block; it lifts when the oldest failure leaves the window.
    clock.advance(10 * MINUTE - 1000);
    expect((await login("v@example.org", TEST_PASSWORD)).headers["retry-after"]).toBe("1");
    clock.advance(1000);
    expect((await login("v@example.org", TEST_PASSWORD)).statusCode).toBe(200);
  });

  it("treats an unknown e-mail like a known one (no way to tell which accounts exist)", async () => {
    for (let i = 0; i < 5; i++) expect((await login("ghost@example.org", `pw ${i}`)).statusCode).toBe(401);
    const blocked = await login("ghost@example.org", "pw 6");
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBe(15 * 60);
  });

  it("forgets an account's failures once it logs in", async () => {
    await createTestUser(t.db, "v@example.org");
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++)
        expect((await login("v@example.org", "wrong password!")).statusCode).toBe(401);
      expect((await login("v@example.org", TEST_PASSWORD)).statusCode).toBe(200);
    }
  });

  it("blocks an address after 20 failures in 15 min, whatever the accounts", async () => {
    await createTestUser(t.db, "v@example.org");
    for (let i = 0; i < 20; i++) {
      expect(
        (await login(`guess${i}@example.org`, "password1234", { remoteAddress: "203.0.113.9" })).statusCode,
      ).toBe(401);
    }
    const blocked = await login("v@example.org", TEST_PASSWORD, { remoteAddress: "203.0.113.9" });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBe(15 * 60);
    expect((await login("v@example.org", TEST_PASSWORD, { remoteAddress: "203.0.113.10" })).statusCode).toBe(
      200,
    );
  });

  it("counts an IPv6 client by its /64", async () => {
    for (let i = 0; i < 20; i++) {
      await login(`guess${i}@example.org`, "password1234", { remoteAddress: `2001:db8:1:2::${i + 1}` });
    }
    const blocked = await login("x@example.org", "password1234", { remoteAddress: "2001:db8:1:2:ffff::1" });
    expect(blocked.statusCode).toBe(429);
    const elsewhere = await login("x@example.org", "password1234", { remoteAddress: "2001:db8:1:3::1" });
    expect(elsewhere.statusCode).toBe(401);
  });

  it("is shared by every instance on the same database", async () => {
    await createTestUser(t.db, "v@example.org");
    // A second instance with its own connections, as another process would have.
    const secondDb: Database = t.url ? openPostgres({ connectionString: t.url, onError: () => {} }) : t.db;
    const second = await createTestApp(secondDb, { clock, migrationCount: t.migrationCount });
    try {
      for (let i = 0; i < 5; i++) {
        const on = i % 2 === 0 ? app : second;
        expect((await login("v@example.org", "wrong password!", { on })).statusCode).toBe(401);
      }
      expect((await login("v@example.org", TEST_PASSWORD, { on: second })).statusCode).toBe(429);
      expect((await login("v@example.org", TEST_PASSWORD, { on: app })).statusCode).toBe(429);
    } finally {
      await second.close();
      if (secondDb !== t.db) await secondDb.close();
    }
  });

  it("counts parallel attempts against each other", async () => {
    await createTestUser(t.db, "v@example.org");
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login("v@example.org", `guess number ${i}`)),
    );
    const verified = burst.filter((r) => r.statusCode === 401).length;
    expect(verified).toBeLessThanOrEqual(5);
    expect(burst.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(7);
  });
});

describe("CSRF rule", () => {
  it("refuses a login without X-Requested-With: pumpwatch, or from a foreign Origin", async () => {
    await createTestUser(t.db, "v@example.org");
    const bare = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ email: "v@example.org", password: TEST_PASSWORD }),
    });
    expect(bare.statusCode).toBe(403);
    expect(bare.json().error.code).toBe("csrf_rejected");
    const foreign = await login("v@example.org", TEST_PASSWORD, {
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.statusCode).toBe(403);
    // No Origin at all is accepted (same-origin requests of some browsers omit it).
    const noOrigin = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { "content-type": "application/json", "x-requested-with": "pumpwatch" },
      payload: JSON.stringify({ email: "v@example.org", password: TEST_PASSWORD }),
    });
    expect(noOrigin.statusCode).toBe(200);
  });

  it("refuses a state-changing request made with the session cookie but without the header or from elsewhere", async () => {
    const session = await loginAs(app, t.db, "v@example.org", "viewer");
    const cases: [Record<string, string>, number][] = [
      [{}, 403],
      [{ "x-requested-with": "XMLHttpRequest" }, 403],
      [{ "x-requested-with": "pumpwatch", origin: "https://evil.example" }, 403],
      [{ "x-requested-with": "pumpwatch", origin: "null" }, 403],
      [{ "x-requested-with": "pumpwatch", origin: "http://localhost.evil.example" }, 403],
      [{ "x-requested-with": "pumpwatch", origin: "http://localhost" }, 204],
    ];
    for (const [headers, status] of cases) {
      const response = await app.inject({
        method: "POST",
        url: "/api/auth/logout",
        headers: { ...session, ...headers },
      });
      expect(response.statusCode, JSON.stringify(headers)).toBe(status);
      if (status === 403) expect((await me(session.cookie)).statusCode).toBe(200);
    }
  });

  it("exempts requests authenticated by an API key", async () => {
    const session = await loginAs(app, t.db, "v@example.org", "viewer");
    const response = await app.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "content-type": "application/json", "x-api-key": BOOTSTRAP_KEY, ...session },
      payload: JSON.stringify({
        messages: [{ src: "shellypro4pm-a0dd6c9ef474", timestamp: 1771056000, params: {} }],
      }),
    });
    expect(response.statusCode).toBe(200);
  });
});

describe("/api/stats/queue takes an API key or a session", () => {
  it("answers a key, a session of any role, and 401 to neither", async () => {
    const viewer = await loginAs(app, t.db, "v@example.org", "viewer");
    expect(
      (await app.inject({ url: "/api/stats/queue", headers: { "x-api-key": BOOTSTRAP_KEY } })).statusCode,
    ).toBe(200);
    const bySession = await app.inject({ url: "/api/stats/queue", headers: viewer });
    expect(bySession.statusCode).toBe(200);
    expect(bySession.json()).toMatchObject({ period: "24h" });
    const neither = await app.inject({ url: "/api/stats/queue" });
    expect(neither.statusCode).toBe(401);
    expect(neither.json().error.code).toBe("authentication_required");
    // A wrong key is not rescued by a session.
    const wrongKey = await app.inject({
      url: "/api/stats/queue",
      headers: { ...viewer, "x-api-key": "not-a-key-at-all" },
    });
    expect(wrongKey.statusCode).toBe(401);
  });
});

/** A tiny app using the exported preHandlers, on the same database: what read and admin routes will do. */
async function guardedApp(publicDashboard: boolean, db: Database): Promise<FastifyInstance> {
  const mini = Fastify({ loggerInstance: createLogger("silent") as FastifyBaseLogger });
  await mini.register(cookie);
  installErrorHandling(mini);
  const access = createAccess({
    db,
    clock,
    sessionPolicy: sessionPolicy(120, 12),
    publicDashboard,
    verifyKey: makeApiKeyVerifier(db, BOOTSTRAP_KEY),
  });
  mini.get("/api/read", { preHandler: access.requireReader }, async (request) => ({
    as: request.auth?.kind,
    email: currentUser(request)?.email ?? null,
  }));
  mini.get("/api/admin/things", { preHandler: access.requireSession("admin") }, async () => ({ things: [] }));
  mini.post("/api/admin/things", { preHandler: access.requireSession("admin") }, async () => ({ ok: true }));
  mini.get("/api/admin/broken", { preHandler: access.requireSession("admin") }, async () => {
    await db.query("SELECT secret_column FROM no_such_table");
    return {};
  });
  await mini.ready();
  return mini;
}

describe("access rules for read and admin routes", () => {
  it("reading needs a viewer or admin session unless PUBLIC_DASHBOARD=true", async () => {
    const viewer = await loginAs(app, t.db, "v@example.org", "viewer");
    const closed = await guardedApp(false, t.db);
    const open = await guardedApp(true, t.db);
    try {
      const anonymous = await closed.inject({ url: "/api/read" });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().error.code).toBe("session_required");
      expect((await closed.inject({ url: "/api/read", headers: viewer })).json()).toEqual({
        as: "session",
        email: "v@example.org",
      });
      expect((await open.inject({ url: "/api/read" })).json()).toEqual({ as: "public", email: null });
      expect((await open.inject({ url: "/api/read", headers: viewer })).json()).toEqual({
        as: "session",
        email: "v@example.org",
      });
      // Administration is never public, and an API key does not open it either.
      expect((await open.inject({ url: "/api/admin/things" })).statusCode).toBe(401);
      expect(
        (await open.inject({ url: "/api/admin/things", headers: { "x-api-key": BOOTSTRAP_KEY } })).statusCode,
      ).toBe(401);
    } finally {
      await closed.close();
      await open.close();
    }
  });

  it("administration needs an admin session (401 without, 403 for a viewer); bugs 37 and 38", async () => {
    const viewer = await loginAs(app, t.db, "v@example.org", "viewer");
    const admin = await loginAs(app, t.db, "a@example.org", "admin");
    const mini = await guardedApp(false, t.db);
    try {
      const none = await mini.inject({ url: "/api/admin/things" });
      expect(none.statusCode).toBe(401);
      expect(none.json().error).toMatchObject({ code: "session_required", message: "Connexion requise." });
      const asViewer = await mini.inject({ url: "/api/admin/things", headers: viewer });
      expect(asViewer.statusCode).toBe(403);
      expect(asViewer.json().error.code).toBe("forbidden");
      expect((await mini.inject({ url: "/api/admin/things", headers: admin })).statusCode).toBe(200);
      // A change needs the CSRF header too.
      expect(
        (await mini.inject({ method: "POST", url: "/api/admin/things", headers: admin })).statusCode,
      ).toBe(403);
      expect(
        (
          await mini.inject({
            method: "POST",
            url: "/api/admin/things",
            headers: { ...admin, ...SAME_ORIGIN },
          })
        ).statusCode,
      ).toBe(200);
      // After logout the admin routes answer 401 again.
      await app.inject({ method: "POST", url: "/api/auth/logout", headers: { ...admin, ...SAME_ORIGIN } });
      expect((await mini.inject({ url: "/api/admin/things", headers: admin })).statusCode).toBe(401);
    } finally {
      await mini.close();
    }
  });

  it("answers a database error behind the guard with a generic 500: no SQL, no stack (bug 39)", async () => {
    const admin = await loginAs(app, t.db, "a@example.org", "admin");
    const mini = await guardedApp(false, t.db);
    try {
      const response = await mini.inject({ url: "/api/admin/broken", headers: admin });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: {
          code: "internal_error",
          message: "Erreur interne du serveur.",
          request_id: expect.any(String),
        },
      });
      expect(response.body).not.toMatch(/no_such_table|secret_column|SELECT|at \w+ \(|\.ts:/);
    } finally {
      await mini.close();
    }
  });
});

describe("security headers", () => {
  it("sends a CSP without unsafe-inline and helmet's headers on every response", async () => {
    for (const url of ["/api/health", "/api/nope", "/api/auth/me"]) {
      const response = await app.inject({ url });
      const csp = String(response.headers["content-security-policy"]);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("img-src 'self' data: blob:");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.headers["x-frame-options"]).toBe("SAMEORIGIN");
      expect(response.headers["referrer-policy"]).toBe("no-referrer");
      expect(response.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
      expect(response.headers["cross-origin-opener-policy"]).toBe("same-origin");
    }
  });
});

describe("first administrator", () => {
  it("is created from ADMIN_EMAIL / ADMIN_PASSWORD when no user exists, once, and can log in", async () => {
    const admin = { email: "root@filtreplante.org", password: "a long admin password" };
    const [first, second] = await Promise.all([
      ensureFirstAdmin(t.db, admin, clock.now()),
      ensureFirstAdmin(t.db, admin, clock.now()),
    ]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect(await ensureFirstAdmin(t.db, admin, clock.now())).toBeNull();
    const response = await login(admin.email, admin.password);
    expect(response.json()).toEqual({ email: "root@filtreplante.org", role: "admin", site_ids: null });
  });

  it("is not created when users already exist, nor without configuration", async () => {
    expect(await ensureFirstAdmin(t.db, null, clock.now())).toBeNull();
    await createTestUser(t.db, "v@example.org");
    expect(
      await ensureFirstAdmin(
        t.db,
        { email: "root@example.org", password: "a long admin password" },
        clock.now(),
      ),
    ).toBeNull();
    expect((await t.db.query("SELECT 1 FROM users")).rows).toHaveLength(1);
  });

  it("stores an argon2id hash with OWASP's parameters (m=19456 KiB, t=2, p=1)", async () => {
    await ensureFirstAdmin(
      t.db,
      { email: "root@example.org", password: "a long admin password" },
      clock.now(),
    );
    const { rows } = await t.db.query<{ password_hash: string }>("SELECT password_hash FROM users");
    const stored = rows[0]?.password_hash ?? "";
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(parseOptions(stored)).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(stored).not.toContain("a long admin password");
  });
});

describe("logs", () => {
  it("never contain a password, the session cookie or the session id", async () => {
    logs.lines.length = 0;
    const password = "very secret password 42";
    await createTestUser(t.db, "v@example.org", "admin", password);
    await login("v@example.org", "a wrong secret password");
    const session = await loginAs(app, t.db, "v@example.org", undefined, password);
    await me(session.cookie);
    await app.inject({
      url: "/api/auth/me",
      headers: { cookie: "pw_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
    });
    await app.inject({ method: "POST", url: "/api/auth/logout", headers: { ...session, ...SAME_ORIGIN } });
    const token = session.cookie.split("=")[1] ?? "";
    const id = createHash("sha256").update(token).digest();
    expect(logs.text).toContain("login failed");
    expect(logs.text).toContain('"msg":"login"');
    for (const secret of [
      password,
      "a wrong secret password",
      token,
      id.toString("hex"),
      id.toString("base64"),
    ]) {
      expect(logs.text).not.toContain(secret);
    }
  });

  it("redact secrets wherever a handler would put them", () => {
    const capture = new LogCapture();
    const logger = createLogger("info", capture);
    logger.info(
      {
        password: "p1-secret",
        body: { password: "p2-secret" },
        req: { body: { password: "p3-secret" }, headers: { cookie: "pw_session=c1-secret" } },
        headers: { cookie: "pw_session=c2-secret", "set-cookie": "pw_session=c3-secret" },
        res: { headers: { "set-cookie": "pw_session=c4-secret" } },
        token: "t1-secret",
      },
      "everything",
    );
    expect(capture.text).toContain("everything");
    expect(capture.text).not.toContain("-secret");
  });
});
