/** Order statistics the learned thresholds are built on. Pure; inputs are never mutated. */

/** An ascending copy; a typed array sorts numbers natively, several times faster than with a comparator. */
function sorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

function quantileOfSorted(s: Float64Array, p: number): number {
  if (s.length === 0) return Number.NaN;
  const h = (s.length - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return (s[lo] as number) + (h - lo) * ((s[hi] as number) - (s[lo] as number));
}

/**
 * The p-quantile (0 ≤ p ≤ 1) with linear interpolation between closest ranks (the "type 7" definition
 * of R and NumPy's default), so that it is a monotone, continuous function of the data. NaN when empty.
 */
export function quantile(values: readonly number[], p: number): number {
  return quantileOfSorted(sorted(values), p);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[]): number {
  return madAround(values, median(values));
}

function madAround(values: readonly number[], m: number): number {
  const deviations = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs((values[i] as number) - m);
  return quantileOfSorted(deviations.sort(), 0.5);
}

/**
 * Robust z-score of x against a reference sample: 0.6745·(x − median)/MAD. A MAD below 1 % of the median
 * is raised to it: a pump whose cycles draw the same power to the watt would otherwise turn a 0.5 %
 * change into an infinite score.
 */
export function robustZ(x: number, reference: readonly number[]): number {
  return zFrom(x, robustScale(reference));
}

/** The median and floored MAD of a reference sample, computed once for many scores. */
export function robustScale(reference: readonly number[]): { median: number; spread: number } {
  const m = median(reference);
  return { median: m, spread: Math.max(madAround(reference, m), Math.abs(m) * 0.01, 1e-9) };
}

export function zFrom(x: number, scale: { median: number; spread: number }): number {
  return (0.6745 * (x - scale.median)) / scale.spread;
}
