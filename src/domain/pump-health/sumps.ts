import { addDays, type ConfigVersion, versionAt } from "../config-versions/index.js";

/** A meter's channels and their configuration histories (each sorted by effectiveFrom). */
export type ChannelHistories = ReadonlyMap<number, readonly ConfigVersion[]>;

export interface SumpOfChannel {
  sump: string;
  /** null: unknown, no flow is measured */
  volumeM3: number | null;
  /** the pumps emptying it (this one included), ascending */
  channels: number[];
}

/**
 * The wet well a channel empties, as configured on `date`: the `relevage` channels of the meter with the same
 * `sump` share it. A channel that is not a lift pump (or not configured) is alone, with no volume.
 */
export function sumpOf(histories: ChannelHistories, channel: number, date: string): SumpOfChannel {
  const own = versionAt(histories.get(channel) ?? [], date);
  if (own?.pumpType !== "relevage") return { sump: own?.sump ?? "1", volumeM3: null, channels: [channel] };
  const channels: number[] = [];
  for (const [ch, versions] of histories) {
    const v = versionAt(versions, date);
    if (v && v.pumpType === "relevage" && v.sump === own.sump) channels.push(ch);
  }
  if (!channels.includes(channel)) channels.push(channel);
  return { sump: own.sump, volumeM3: own.sumpVolumeM3, channels: channels.sort((a, b) => a - b) };
}

/**
 * The meter's sumps on `date`: each `relevage` channel once, grouped by sump name; other channels are left out
 * (they are not lift pumps: nothing to measure).
 */
export function sumpsOf(histories: ChannelHistories, date: string): SumpOfChannel[] {
  const out: SumpOfChannel[] = [];
  const seen = new Set<number>();
  for (const ch of [...histories.keys()].sort((a, b) => a - b)) {
    if (seen.has(ch)) continue;
    const v = versionAt(histories.get(ch) ?? [], date);
    if (v?.pumpType !== "relevage") continue;
    const s = sumpOf(histories, ch, date);
    for (const c of s.channels) seen.add(c);
    out.push(s);
  }
  return out;
}

/**
 * The first local date of the pump's current baseline: its last change of pump model or débit effectif, or
 * the day after its last overhaul or replacement noted in the journal (that day mixes the old and the new
 * pump), whichever is later; with neither, its first configured day. Null when it has no configuration up to
 * `untilDate`.
 */
export function baselineSince(
  versions: readonly ConfigVersion[],
  pumpChangeDates: readonly string[],
  untilDate: string,
): string | null {
  let since: string | null = null;
  let previous: ConfigVersion | null = null;
  for (const v of versions) {
    if (v.effectiveFrom > untilDate) break;
    if (previous === null || v.pumpModelId !== previous.pumpModelId || v.flowRateM3h !== previous.flowRateM3h)
      since = v.effectiveFrom;
    previous = v;
  }
  for (const date of pumpChangeDates) {
    if (date > untilDate) continue;
    const next = addDays(date, 1);
    if (since === null || next > since) since = next;
  }
  return since;
}
