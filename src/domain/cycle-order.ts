/**
 * The cycle table's sort, shared by the dashboard and the CSV export so that the file lists the rows in
 * exactly the order the table shows them. A header's first click sorts descending, the second ascending,
 * the third restores the original order (newest first); empty values always go last (predecessor §3.1).
 */
export const CYCLE_SORT_KEYS = [
  "device_id",
  "channel",
  "start",
  "end",
  "duration_min",
  "runtime_min",
  "avg_power_w",
  "avg_current_a",
  "median_voltage_v",
  "energy_kwh",
  "volume_m3",
  "co2e_avoided_kg",
] as const;
export type CycleSortKey = (typeof CYCLE_SORT_KEYS)[number];
export type SortDirection = "desc" | "asc";

export type SortableCycle = { [K in CycleSortKey]: string | number | null };

/** The original order: newest start first, then device and channel descending (the API's order). */
export function compareOriginal(a: SortableCycle, b: SortableCycle): number {
  return (
    compareValues(b.start, a.start) ||
    compareValues(b.device_id, a.device_id) ||
    compareValues(b.channel, a.channel)
  );
}

function compareValues(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/** A sorted copy; ties keep the original order, so the sort is the same in the browser and the export. */
export function sortCycles<T extends SortableCycle>(
  cycles: readonly T[],
  key: CycleSortKey | null,
  direction: SortDirection,
): T[] {
  const copy = [...cycles].sort(compareOriginal);
  if (key === null) return copy;
  const sign = direction === "desc" ? -1 : 1;
  return copy
    .map((cycle, index) => ({ cycle, index }))
    .sort((x, y) => {
      const a = x.cycle[key];
      const b = y.cycle[key];
      if (a === null || b === null) return compareValues(a, b) || x.index - y.index;
      return sign * compareValues(a, b) || x.index - y.index;
    })
    .map((x) => x.cycle);
}

/** The next state of a header after a click: desc → asc → original. */
export function nextSort(
  current: { key: CycleSortKey | null; direction: SortDirection },
  clicked: CycleSortKey,
): { key: CycleSortKey | null; direction: SortDirection } {
  if (current.key !== clicked) return { key: clicked, direction: "desc" };
  if (current.direction === "desc") return { key: clicked, direction: "asc" };
  return { key: null, direction: "desc" };
}
