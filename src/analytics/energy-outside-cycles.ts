import type { Queryable } from "../db/database.js";
import type { ChannelDayTotals } from "../db/queries/cycle-totals-per-day.js";
import {
  type IdleSpan,
  idleEnergyFromReadings,
  type StoredIdleDay,
  storedIdleEnergyPerDay,
  type ThresholdedChannel,
} from "../db/queries/idle-energy-per-day.js";
import { droppedReadingsEndMinute } from "../db/queries/reading-retention.js";
import type { ChannelRef } from "../db/queries/stored-cycle.js";
import type { LocalDays } from "../domain/config-versions/index.js";

const HOUR_S = 3_600;

export const dayKey = (c: ChannelRef, date: string) => `${c.deviceId}_${c.channel}_${date}`;

/** One channel's energy outside cycles on one local day. */
export interface IdleDay extends ChannelRef {
  date: string;
  idleWh: number;
}

/**
 * Per channel and local day, the energy the meter measured outside any cycle (idle draw, a contactor, whatever
 * no cycle holds): what the period's energy total adds to its cycles' energy so that it is every kWh the meter
 * measured (issue 21, decision 0020). A day is added up from the refresher's hourly sums as far as they run
 * without a gap from its start (summed with the channel's threshold, no queued change meeting them), the rest
 * from its readings: today's last hour, a day with a change still queued, hours summed before migration 0018,
 * a zone whose midnight is not on a UTC hour; a day of a month whose readings the retention dropped, from its
 * stored hours alone. Keyed by `dayKey`; days with nothing measured outside cycles are
 * absent. Run it in the snapshot of the cycles' sums.
 */
export async function idleEnergyPerChannelDay(
  tx: Queryable,
  channels: readonly ThresholdedChannel[],
  allDays: LocalDays,
  /** a meter's own days (a fleet across zones, issue 18); absent: `allDays` */
  daysOfMeter?: ((deviceId: string) => LocalDays | undefined) | undefined,
): Promise<Map<string, IdleDay>> {
  const out = new Map<string, IdleDay>();
  if (channels.length === 0) return out;
  if (daysOfMeter !== undefined) {
    // one meter at a time, each in its own days; the keys carry the meter, so the maps never collide
    for (const m of new Set(channels.map((c) => c.deviceId))) {
      const own = channels.filter((c) => c.deviceId === m);
      for (const [k, v] of await idleEnergyPerChannelDay(tx, own, daysOfMeter(m) ?? allDays)) out.set(k, v);
    }
    return out;
  }
  const days = allDays;
  if (days.dates.length === 0) return out;
  // One meter per statement: on Citus each then stays on its meter's shard (a list of meters joined to several
  // shards' readings is refused there), and on one server it costs an index scan per meter either way.
  const meters = [...new Set(channels.map((c) => c.deviceId))];
  // Before it, the retention dropped the readings (migration 0019): the stored hours are all there is.
  const keptFromMinute = await droppedReadingsEndMinute(tx);
  const keptFromS = keptFromMinute === null ? null : keptFromMinute * 60;
  const stored = new Map<string, StoredIdleDay>();
  const storedRows: StoredIdleDay[] = [];
  for (const m of meters)
    storedRows.push(
      ...(await storedIdleEnergyPerDay(
        tx,
        channels.filter((c) => c.deviceId === m),
        days,
        keptFromS,
      )),
    );
  for (const s of storedRows) {
    const date = days.dates[s.day];
    if (date !== undefined) stored.set(dayKey(s, date), s);
  }
  const raw: { day: Omit<IdleDay, "idleWh">; span: IdleSpan }[] = [];
  days.dates.forEach((date, i) => {
    const fromS = days.starts[i] as number;
    const toS = days.starts[i + 1] as number;
    const onHours = fromS % HOUR_S === 0 && toS % HOUR_S === 0;
    for (const c of channels) {
      const key = dayKey(c, date);
      const day = { deviceId: c.deviceId, channel: c.channel, date };
      const s = stored.get(key);
      // The stored hours count when they run without a gap from the day's start: the rest of the day (today's
      // last hour or so, still being refreshed, or nothing) is read from the readings.
      const gone = keptFromS !== null && toS <= keptFromS;
      const prefixEndS = gone
        ? toS
        : s !== undefined &&
            onHours &&
            s.firstHourS === fromS &&
            s.lastHourS - s.firstHourS === (s.hours - 1) * HOUR_S
          ? s.lastHourS + HOUR_S
          : fromS;
      if (prefixEndS > fromS && s !== undefined && s.idleWh > 0) out.set(key, { ...day, idleWh: s.idleWh });
      if (prefixEndS < toS) raw.push({ day, span: { ...c, fromS: prefixEndS, toS } });
    }
  });
  const fromReadings = raw.map(() => 0);
  for (const m of meters) {
    const mine = raw.flatMap((r, i) => (r.span.deviceId === m ? [i] : []));
    const sums = await idleEnergyFromReadings(
      tx,
      m,
      mine.map((i) => (raw[i] as (typeof raw)[number]).span),
    );
    mine.forEach((i, k) => {
      fromReadings[i] = sums[k] ?? 0;
    });
  }
  raw.forEach((r, i) => {
    const key = dayKey(r.day, r.day.date);
    const idleWh = (out.get(key)?.idleWh ?? 0) + (fromReadings[i] ?? 0);
    if (idleWh > 0) out.set(key, { ...r.day, idleWh });
  });
  return out;
}

/**
 * The cycles' sums per channel and day with each day's energy outside cycles added (`idleEnergyWh`); a day
 * that had no cycle but measured energy gets a row of its own, with no cycle.
 */
export function withIdleEnergy(
  totals: readonly ChannelDayTotals[],
  idle: ReadonlyMap<string, IdleDay>,
): ChannelDayTotals[] {
  const left = new Map(idle);
  const out = totals.map((t) => {
    const key = dayKey(t, t.date);
    const wh = left.get(key)?.idleWh ?? 0;
    left.delete(key);
    return { ...t, idleEnergyWh: wh };
  });
  for (const d of left.values()) {
    out.push({
      deviceId: d.deviceId,
      channel: d.channel,
      date: d.date,
      cycles: 0,
      noiseCycles: 0,
      ongoing: 0,
      energyWh: 0,
      idleEnergyWh: d.idleWh,
      closed: 0,
      closedDurationMin: 0,
      closedRuntimeMin: 0,
    });
  }
  return out;
}
