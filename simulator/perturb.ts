/** Transport perturbations applied to the message stream (all seeded, all lazy). */
import type { Random } from "./random.js";

/** Emits each item a second time, right after the first, with probability `p`. */
export function* withDuplicates<T>(items: Iterable<T>, p: number, rng: Random): Generator<T> {
  for (const item of items) {
    yield item;
    if (p > 0 && rng.chance(p)) yield item;
  }
}

/**
 * Shuffles consecutive chunks of `window` items: every item stays within its chunk,
 * so it moves by fewer than `window` positions and the multiset is unchanged.
 */
export function* withReorder<T>(items: Iterable<T>, window: number, rng: Random): Generator<T> {
  if (window <= 1) {
    yield* items;
    return;
  }
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length >= window) {
      yield* rng.shuffle(chunk);
      chunk = [];
    }
  }
  yield* rng.shuffle(chunk);
}

/** Groups items into arrays of at most `size`. */
export function* chunked<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
