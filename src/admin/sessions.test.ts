import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/harness.js";
import {
  createSession,
  purgeExpiredSessions,
  resolveSession,
  revokeSession,
  revokeUserSessions,
  sessionPolicy,
} from "./sessions.js";
import { createUser } from "./users.js";

const T0 = new Date("2026-02-14T08:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const policy = sessionPolicy(120, 12);
let t: TestDatabase;
let userId: number;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.db.query("TRUNCATE users, sessions RESTART IDENTITY CASCADE");
  userId = (
    await createUser(t.db, { email: "v@example.org", password: "twelve chars at least", role: "viewer" }, T0)
  ).id;
});

async function lastSeen(): Promise<Date | undefined> {
  const { rows } = await t.db.query<{ last_seen_at: Date }>("SELECT last_seen_at FROM sessions");
  return rows[0]?.last_seen_at;
}

describe("sessions", () => {
  it("resolve to their user; malformed or unknown tokens resolve to nothing", async () => {
    const token = await createSession(t.db, userId, T0);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await resolveSession(t.db, token, T0, policy)).toEqual({
      id: userId,
      email: "v@example.org",
      role: "viewer",
      siteIds: null,
    });
    for (const other of [undefined, "", "short", `${token}x`, "A".repeat(43)]) {
      expect(await resolveSession(t.db, other, T0, policy)).toBeNull();
    }
  });

  it("write last_seen_at at most once a minute, and the idle limit runs from there", async () => {
    const token = await createSession(t.db, userId, T0);
    await resolveSession(t.db, token, at(0.5), policy);
    expect(await lastSeen()).toEqual(T0);
    await resolveSession(t.db, token, at(90), policy);
    expect(await lastSeen()).toEqual(at(90));
    expect(await resolveSession(t.db, token, at(90 + 119), policy)).not.toBeNull();
    expect(await resolveSession(t.db, token, at(90 + 119 + 120), policy)).toBeNull();
  });

  it("end at the absolute limit, at revocation, and with all of their user's", async () => {
    const a = await createSession(t.db, userId, T0);
    const noIdleLimit = sessionPolicy(12 * 60, 12);
    expect(await resolveSession(t.db, a, at(12 * 60 - 1), noIdleLimit)).not.toBeNull();
    expect(await resolveSession(t.db, a, at(12 * 60), noIdleLimit)).toBeNull();
    const b = await createSession(t.db, userId, T0);
    expect(await revokeSession(t.db, b)).toBe(true);
    expect(await revokeSession(t.db, b)).toBe(false);
    await createSession(t.db, userId, T0);
    await createSession(t.db, userId, T0);
    expect(await revokeUserSessions(t.db, userId)).toBe(3);
  });

  it("expired ones are purged, live ones kept", async () => {
    await createSession(t.db, userId, T0);
    const live = await createSession(t.db, userId, at(100));
    expect(await purgeExpiredSessions(t.db, at(121), policy)).toBe(1);
    expect(await resolveSession(t.db, live, at(121), policy)).not.toBeNull();
  });
});
