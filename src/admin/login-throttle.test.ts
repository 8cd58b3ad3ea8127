import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountKey, addressKey } from "./login-throttle.js";

describe("addressKey", () => {
  it.each([
    ["192.0.2.7", "192.0.2.7"],
    ["::ffff:192.0.2.7", "192.0.2.7"],
    ["::FFFF:c000:0207", "192.0.2.7"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["64:ff9b::192.0.2.7", "64:ff9b:0:0::/64"],
    [undefined, "unknown"],
    ["", "unknown"],
  ])("%s → %s", (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  it("gives every address of one /64 the same key, and addresses of different /64s different keys", () => {
    const hextet = fc.integer({ min: 0, max: 0xffff });
    const address = fc.array(hextet, { minLength: 8, maxLength: 8 });
    const text = (groups: number[]) => groups.map((g) => g.toString(16)).join(":");
    fc.assert(
      fc.property(address, address, (a, b) => {
        // ::ffff:0:0/96 is IPv4-mapped: those are keyed as IPv4.
        fc.pre(!(a.slice(0, 5).every((g) => g === 0) && a[5] === 0xffff));
        fc.pre(!(b.slice(0, 5).every((g) => g === 0) && b[5] === 0xffff));
        const samePrefix = [...a.slice(0, 4), ...b.slice(4)];
        expect(addressKey(text(samePrefix))).toBe(addressKey(text(a)));
        const sameNetwork = a.slice(0, 4).every((g, i) => g === b[i]);
        expect(addressKey(text(a)) === addressKey(text(b))).toBe(sameNetwork);
      }),
    );
  });

  it("keys any textual form of an IPv6 address by a /64 (or as IPv4 when mapped)", () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect(addressKey(ip)).toMatch(/^([0-9a-f]{1,4}(:[0-9a-f]{1,4}){3}::\/64|\d+\.\d+\.\d+\.\d+)$/);
      }),
    );
  });
});

describe("accountKey", () => {
  it("is the same whatever the case and surrounding spaces, and keeps no readable text", () => {
    expect(accountKey("  Chef@FiltrePlante.org ").equals(accountKey("chef@filtreplante.org"))).toBe(true);
    expect(accountKey("a@example.org").equals(accountKey("b@example.org"))).toBe(false);
    expect(accountKey("a@example.org")).toHaveLength(32);
  });
});
