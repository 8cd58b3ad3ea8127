import { describe, expect, it } from "vitest";
import { authenticate, parseTokens, sameSecret, tokenOf } from "../../worker/src/auth.js";
import { retryAfterSeconds, retryDelaySeconds } from "../../worker/src/backoff.js";

describe("Worker tokens", () => {
  const entries = parseTokens(" open-token , shellypro4pm-a:bound-token,,");

  it("reads plain and meter-bound tokens", () => {
    expect(entries).toEqual([
      { device: null, token: "open-token" },
      { device: "shellypro4pm-a", token: "bound-token" },
    ]);
    expect(parseTokens(undefined)).toEqual([]);
  });

  it("accepts only an exact token", () => {
    expect(authenticate("open-token", entries)?.device).toBeNull();
    expect(authenticate("bound-token", entries)?.device).toBe("shellypro4pm-a");
    for (const wrong of ["open-toke", "open-tokenX", "OPEN-TOKEN", "", "shellypro4pm-a:bound-token"]) {
      expect(authenticate(wrong, entries)).toBeNull();
    }
    expect(authenticate(null, entries)).toBeNull();
    expect(sameSecret("é", "e\u0301")).toBe(false);
  });

  it("takes the token from the query string or a bearer header", () => {
    expect(tokenOf(new URL("https://w/ws?token=abc"), null)).toBe("abc");
    expect(tokenOf(new URL("https://w/shelly"), "Bearer xyz")).toBe("xyz");
    expect(tokenOf(new URL("https://w/shelly"), "Basic xyz")).toBeNull();
  });
});

describe("consumer retries", () => {
  it("doubles from the base per attempt, up to the maximum, never below Retry-After", () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelaySeconds(a, null, 10, 60))).toEqual([10, 20, 40, 60, 60]);
    expect(retryDelaySeconds(1, 120, 10, 60)).toBe(120);
    expect(retryDelaySeconds(1, 100_000, 10, 60)).toBe(43_200);
  });

  it("reads Retry-After in seconds or as a date", () => {
    expect(retryAfterSeconds("7")).toBe(7);
    expect(retryAfterSeconds("Thu, 01 Jan 2026 00:00:30 GMT", Date.parse("2026-01-01T00:00:00Z"))).toBe(30);
    expect(retryAfterSeconds("soon")).toBeNull();
    expect(retryAfterSeconds(null)).toBeNull();
  });
});
