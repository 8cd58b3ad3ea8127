/**
 * What this process knows it has stored in `devices` (first_seen, last_seen, model), so a batch only
 * writes a device row when it moves it. Writing the row locks it until commit, and every concurrent batch
 * of the same devices would queue on that lock.
 *
 * Precision: `last_seen` is written when a batch's newest reading is more than `lastSeenPrecisionMin`
 * minutes after the value this process stored, so `devices.last_seen` trails the newest stored reading of a
 * device by at most that many minutes (default 1; readings themselves are per minute). `first_seen` and a
 * missing model are always written at once. A device unknown here is always written, so a new device is
 * registered with its first readings, in the same statement.
 *
 * The cache is only a hint: the row may have been written by another process (it is then further ahead) or
 * deleted (the batch re-inserts a missing row in any case, see db/queries/store-readings.ts).
 */
export interface KnownDevice {
  firstMinute: number;
  lastMinute: number;
  model: string | null;
}

export interface Sighting {
  deviceId: string;
  model: string | null;
  firstMinute: number;
  lastMinute: number;
}

export const DEFAULT_LAST_SEEN_PRECISION_MIN = 1;

export class DeviceSightings {
  private readonly known = new Map<string, KnownDevice>();

  constructor(
    readonly lastSeenPrecisionMin = DEFAULT_LAST_SEEN_PRECISION_MIN,
    /** a fleet is tens of devices; past this many the cache starts over rather than grow without bound */
    private readonly maxDevices = 10_000,
  ) {}

  /** Whether this sighting must write the device row (insert it or move first/last seen or the model). */
  needsWrite(s: Sighting): boolean {
    const known = this.known.get(s.deviceId);
    if (!known) return true;
    return (
      s.firstMinute < known.firstMinute ||
      s.lastMinute > known.lastMinute + this.lastSeenPrecisionMin ||
      (known.model === null && s.model !== null)
    );
  }

  /**
   * After commit, for a device the batch wrote or inserted: its row now has first_seen at or before, and
   * last_seen at or after, this sighting (LEAST/GREATEST). Remembering the sighting itself keeps the cache
   * on the safe side even when batches commit out of order: it may cause an extra write, never a missed one.
   */
  remember(s: Sighting): void {
    if (!this.known.has(s.deviceId) && this.known.size >= this.maxDevices) this.known.clear();
    this.known.set(s.deviceId, { firstMinute: s.firstMinute, lastMinute: s.lastMinute, model: s.model });
  }

  get size(): number {
    return this.known.size;
  }
}
