import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunked, withDuplicates, withReorder } from "./perturb.js";
import { hashSeed, Random } from "./random.js";

describe("Random", () => {
  it("is deterministic per seed", () => {
    const draw = (seed: number): number[] => {
      const r = new Random(seed);
      return Array.from({ length: 20 }, () => r.nextUint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(Random.from(1, 2, 3).hex(12)).toBe(Random.from(1, 2, 3).hex(12));
    expect(hashSeed(1, 2, 3)).not.toBe(hashSeed(1, 3, 2));
    expect(hashSeed(1, 2 ** 33)).not.toBe(hashSeed(1, 0));
  });

  it("keeps int, uniform and pick within their bounds", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.nat(1000), (seed, min, span) => {
        const r = new Random(seed);
        for (let i = 0; i < 20; i++) {
          const n = r.int(min, min + span);
          if (!Number.isInteger(n) || n < min || n > min + span) return false;
          const u = r.uniform(min, min + span + 1);
          if (u < min || u >= min + span + 1) return false;
          const x = r.next();
          if (x < 0 || x >= 1) return false;
        }
        return [1, 2, 3].includes(r.pick([1, 2, 3]));
      }),
    );
  });

  it("has roughly the right moments", () => {
    const r = new Random(7);
    const n = 20_000;
    let sum = 0;
    let sq = 0;
    let uni = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal(10, 2);
      sum += z;
      sq += (z - 10) ** 2;
      uni += r.next();
    }
    expect(sum / n).toBeCloseTo(10, 1);
    expect(Math.sqrt(sq / n)).toBeCloseTo(2, 1);
    expect(uni / n).toBeCloseTo(0.5, 1);
  });
});

describe("perturbations (properties)", () => {
  it("withReorder keeps the multiset and moves items by less than the window", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 200 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer(),
        (xs, k, seed) => {
          const items = xs.map((value, index) => ({ value, index }));
          const out = [...withReorder(items, k, new Random(seed))];
          if (out.length !== items.length) return false;
          if (new Set(out).size !== items.length) return false;
          return out.every((item, i) => Math.abs(item.index - i) < Math.max(1, k));
        },
      ),
    );
  });

  it("withDuplicates only repeats an item right after itself", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        (xs, p, seed) => {
          const items = xs.map((value) => ({ value }));
          const out = [...withDuplicates(items, p, new Random(seed))];
          const dedup = out.filter((x, i) => i === 0 || x !== out[i - 1]);
          return dedup.length === items.length && dedup.every((x, i) => x === items[i]);
        },
      ),
    );
  });

  it("chunked splits without losing items", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (xs, size) => {
        const batches = [...chunked(xs, size)];
        return batches.flat().join() === xs.join() && batches.every((b) => b.length >= 1 && b.length <= size);
      }),
    );
  });
});
