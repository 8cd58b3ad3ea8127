import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/harness.js";
import { createSession, resolveSession, sessionPolicy } from "./sessions.js";
import { createUser, disableUser, UserError, verifyCredentials } from "./users.js";

const NOW = new Date("2026-02-14T08:00:00Z");
const PASSWORD = "twelve chars at least";
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.db.query("TRUNCATE users, sessions RESTART IDENTITY CASCADE");
});

describe("createUser", () => {
  it("keeps the e-mail as typed (trimmed) and refuses the same address in another case", async () => {
    const user = await createUser(
      t.db,
      { email: " Chef@Example.org ", password: PASSWORD, role: "admin" },
      NOW,
    );
    expect(user).toMatchObject({
      email: "Chef@Example.org",
      role: "admin",
      createdAt: NOW,
      disabledAt: null,
    });
    await expect(
      createUser(t.db, { email: "chef@example.ORG", password: PASSWORD, role: "viewer" }, NOW),
    ).rejects.toMatchObject({ code: "email_taken" });
  });

  it.each([
    [{ email: "not-an-email", password: PASSWORD, role: "viewer" }, "invalid_email"],
    [{ email: "a b@example.org", password: PASSWORD, role: "viewer" }, "invalid_email"],
    [{ email: "v@example.org", password: "short", role: "viewer" }, "weak_password"],
    [{ email: "v@example.org", password: PASSWORD, role: "root" }, "invalid_role"],
  ])("refuses %j", async (input, code) => {
    const error = await createUser(t.db, input as never, NOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe(code);
    expect((error as UserError).message).not.toBe(code);
  });
});

describe("verifyCredentials", () => {
  it("tells the log why a login failed, and finds the account in any case", async () => {
    const user = await createUser(t.db, { email: "v@example.org", password: PASSWORD, role: "viewer" }, NOW);
    expect(await verifyCredentials(t.db, "V@Example.org ", PASSWORD)).toMatchObject({ ok: true, user });
    expect(await verifyCredentials(t.db, "v@example.org", "wrong password")).toEqual({
      ok: false,
      reason: "wrong_password",
      userId: user.id,
    });
    expect(await verifyCredentials(t.db, "w@example.org", PASSWORD)).toEqual({
      ok: false,
      reason: "unknown_user",
    });
    await disableUser(t.db, user.id, NOW);
    expect(await verifyCredentials(t.db, "v@example.org", PASSWORD)).toEqual({
      ok: false,
      reason: "disabled",
      userId: user.id,
    });
  });
});

describe("disableUser", () => {
  it("ends the user's sessions in the same transaction, and says when there was nothing to do", async () => {
    const user = await createUser(t.db, { email: "v@example.org", password: PASSWORD, role: "viewer" }, NOW);
    const token = await createSession(t.db, user.id, NOW);
    expect(await disableUser(t.db, user.id, NOW)).toBe(true);
    expect(await resolveSession(t.db, token, NOW, sessionPolicy(120, 12))).toBeNull();
    expect((await t.db.query("SELECT 1 FROM sessions")).rows).toHaveLength(0);
    expect(await disableUser(t.db, user.id, NOW)).toBe(false);
    expect(await disableUser(t.db, 999, NOW)).toBe(false);
  });
});
