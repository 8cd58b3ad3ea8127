import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { type Database, isUnavailable, type Queryable, RETRYABLE_SQLSTATES } from "../db/database.js";
import { rewriteActivityHours } from "../db/queries/channel-activity-hourly.js";
import {
  beginCycleRefresh,
  channelsWithQueuedRefreshes,
  dequeueRefreshes,
  oldestQueuedChange,
  type QueuedRefresh,
  queuedRefreshesOfChannel,
  reshapeRefresh,
  trimRefreshes,
} from "../db/queries/cycle-refresh-queue.js";
import { cyclesMeetingWindow, ongoingCycles } from "../db/queries/cycles-meeting-window.js";
import { droppedReadingsEndMinute } from "../db/queries/reading-retention.js";
import { readingsInWindow } from "../db/queries/readings-in-window.js";
import { deleteCyclesStartingIn, upsertCycles } from "../db/queries/replace-cycles.js";
import type { ChannelRef } from "../db/queries/stored-cycle.js";
import { detectCycles, resolveCycleSettings } from "../domain/cycles/detect.js";
import {
  type CycleSample,
  type CycleSettings,
  DEFAULT_CYCLE_SETTINGS,
  type DetectedCycle,
} from "../domain/cycles/types.js";
import { type RedetectionWindow, redetectionWindow } from "../domain/cycles/window.js";
import { type RunEdges, runEdges } from "../domain/pump-health/edges.js";

/** The detection settings of one channel (its configuration); the domain defaults unless told otherwise. */
export type SettingsFor = (deviceId: string, channel: number) => Partial<CycleSettings>;

export const defaultSettingsFor: SettingsFor = () => DEFAULT_CYCLE_SETTINGS;

export interface RefreshOptions {
  nowMinute: number;
  settingsFor?: SettingsFor;
  /**
   * At most this many minutes of readings are loaded and detected per transaction (default: 1 day on PGlite,
   * 7 days on a PostgreSQL server — see defaultMaxWindowMin), so a
   * backfill of months is refreshed in short steps that never hold the event loop nor, on PGlite, the single
   * connection for long. A channel that never pauses long enough to split its history is done in one step.
   */
  maxWindowMin?: number;
  /** per channel and call, a guard against a queue that is refilled faster than it is emptied (default 10 000) */
  maxSteps?: number;
  /**
   * Queued ranges of a channel less than this many minutes apart are re-detected as one range (default one
   * day): a backfill that queued tens of thousands of small ranges costs one pass over the channel's
   * history, in steps of at most maxWindowMin, instead of one step per range.
   */
  coalesceGapMin?: number;
  /** how long a step waits for another refresher holding the channel before leaving it (default 250 ms) */
  lockTimeoutMs?: number;
  /** written as `detected_at` of the cycles that change (default: the system time) */
  detectedAt?: Date;
}

export interface RefreshSummary {
  /** channels looked at */
  channels: number;
  /** transactions run */
  steps: number;
  /** cycles inserted or changed */
  written: number;
  /** cycles deleted */
  deleted: number;
  /** channels left as they were because their refresh failed (background refresh only; a reader gets the error) */
  failed: (ChannelRef & { error: unknown })[];
  /** channels left with work to do: another refresher held them, or the time budget ran out */
  pending: ChannelRef[];
}

export interface FreshnessOutcome extends RefreshSummary {
  /** the oldest queued change still not reflected in the stored cycles, when some channel is pending */
  pendingSince: Date | null;
}

export const DEFAULT_MAX_WINDOW_MIN = 1440;

/**
 * PGlite has one connection and parses ≈ 17 µs per row: a day of readings per step keeps every other request's
 * wait under ~100 ms. A PostgreSQL server holds nobody else up during a step, and a week per step divides a
 * backfill's per-step overhead (about fifteen round trips) by seven.
 */
export function defaultMaxWindowMin(db: Pick<Database, "kind">): number {
  return db.kind === "postgres" ? 7 * DEFAULT_MAX_WINDOW_MIN : DEFAULT_MAX_WINDOW_MIN;
}
export const DEFAULT_COALESCE_GAP_MIN = 1440;
/** A read waits this long at most for pending refreshes of its channels, then answers with what is stored. */
export const DEFAULT_READ_BUDGET_MS = 500;
/**
 * …but always does this many steps first (each is bounded by maxWindowMin): the few steps that ordinary
 * traffic leaves are then always done before a read answers, however busy the machine, and only a backlog
 * (a backfill, a rebuild) makes a read answer with `refreshing`.
 */
export const DEFAULT_READ_MIN_STEPS = 4;

export interface ReadBudget {
  /** time a read may spend on pending refreshes (default DEFAULT_READ_BUDGET_MS) */
  budgetMs?: number;
  /** steps done before the time budget is looked at (default DEFAULT_READ_MIN_STEPS) */
  minSteps?: number;
}
const DEFAULT_MAX_STEPS = 10_000;
const DEFAULT_LOCK_TIMEOUT_MS = 250;
// lock_not_available (lock_timeout), serialization_failure left after the retries: another refresher has it
const BUSY_SQLSTATES = new Set(["55P03", "40001"]);

/**
 * Background upkeep: re-detects the cycles of every channel with queued changes, and closes the stored
 * ongoing cycles whose channel has been silent for stopGapMin. Entries queued while it runs are included
 * when they fall in a window it recomputes, and otherwise left for the next call. A channel whose refresh
 * fails (e.g. invalid settings) is reported in `failed` and does not stop the others; an unavailable database
 * throws.
 */
export async function refreshPendingCycles(db: Database, options: RefreshOptions): Promise<RefreshSummary> {
  return refresh(db, null, options, true);
}

/**
 * Brings the stored cycles of these channels up to date with every reading committed before the call (and
 * with `nowMinute` for the ongoing flag), spending at most about `budgetMs` (default 500 ms) on it: a read
 * endpoint calls it before reading `cycles`. When nothing is pending it costs two index lookups. When the
 * budget runs out (a backfill is being absorbed) or another refresher holds a channel for longer, it stops
 * and says so: `pending` names the channels and `pendingSince` the oldest change not yet reflected, so the
 * caller answers with what is stored and tells that cycles are being brought up to date.
 */
export async function ensureCyclesFresh(
  db: Database,
  channels: readonly ChannelRef[],
  nowMinute: number,
  settingsFor: SettingsFor = defaultSettingsFor,
  options: Omit<RefreshOptions, "nowMinute" | "settingsFor"> & ReadBudget = {},
): Promise<FreshnessOutcome> {
  if (channels.length === 0) {
    return { channels: 0, steps: 0, written: 0, deleted: 0, failed: [], pending: [], pendingSince: null };
  }
  const budgetMs = options.budgetMs ?? DEFAULT_READ_BUDGET_MS;
  // A read's steps are a day long on every database: its few compulsory steps then cost tens of milliseconds
  // however long the backlog, which the background upkeep absorbs in longer steps (issue 20: four week-long
  // steps made a read wait 6–13 s during a backfill on a loaded machine).
  const maxWindowMin = options.maxWindowMin ?? DEFAULT_MAX_WINDOW_MIN;
  const summary = await refresh(db, channels, { ...options, maxWindowMin, nowMinute, settingsFor }, false, {
    deadline: performance.now() + budgetMs,
    minSteps: options.minSteps ?? DEFAULT_READ_MIN_STEPS,
  });
  const pendingSince = summary.pending.length > 0 ? await oldestQueuedChange(db, summary.pending) : null;
  return { ...summary, pendingSince };
}

async function refresh(
  db: Database,
  refs: readonly ChannelRef[] | null,
  options: RefreshOptions,
  continueOnError: boolean,
  budget: { deadline: number; minSteps: number } | null = null,
): Promise<RefreshSummary> {
  const settingsFor = options.settingsFor ?? defaultSettingsFor;
  const nowMinute = options.nowMinute;
  const targets = new Map<string, ChannelRef & { maxId: number }>();
  for (const p of await channelsWithQueuedRefreshes(db, refs)) targets.set(refKey(p), p);
  for (const c of await ongoingCycles(db, refs)) {
    if (targets.has(refKey(c))) continue;
    // an invalid setting is reported below, with the channel's refresh
    const stale = (() => {
      try {
        return isStale(c, resolveCycleSettings(settingsFor(c.deviceId, c.channel)), nowMinute);
      } catch {
        return true;
      }
    })();
    if (stale) targets.set(refKey(c), { deviceId: c.deviceId, channel: c.channel, maxId: 0 });
  }

  const summary: RefreshSummary = {
    channels: targets.size,
    steps: 0,
    written: 0,
    deleted: 0,
    failed: [],
    pending: [],
  };
  const detectedAt = options.detectedAt ?? new Date();
  // Readings before this minute were dropped by the retention (migration 0019): nothing is re-detected there.
  const keptFromMinute = targets.size > 0 ? await droppedReadingsEndMinute(db) : null;
  for (const target of targets.values()) {
    const ref = { deviceId: target.deviceId, channel: target.channel };
    try {
      const step: StepOptions = {
        settings: resolveCycleSettings(settingsFor(ref.deviceId, ref.channel)),
        nowMinute,
        keptFromMinute,
        maxWindowMin: options.maxWindowMin ?? defaultMaxWindowMin(db),
        coalesceGapMin: options.coalesceGapMin ?? DEFAULT_COALESCE_GAP_MIN,
      };
      let done = false;
      for (let i = 0; i < (options.maxSteps ?? DEFAULT_MAX_STEPS); i++) {
        const left =
          budget === null || summary.steps < budget.minSteps ? null : budget.deadline - performance.now();
        if (left !== null && left <= 0) break;
        // PGlite answers through microtasks only: without this, timers and sockets (ingestion) would wait
        // for the whole refresh instead of one step.
        await nextTurn();
        const lockTimeoutMs = Math.min(options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, left ?? Infinity);
        const outcome = await withRetries(() =>
          db.transaction(async (tx) => {
            await beginCycleRefresh(tx, ref, lockTimeoutMs);
            return refreshChannelStep(
              databaseStore(tx, ref, step.settings, detectedAt, keptFromMinute),
              ref,
              step,
            );
          }),
        );
        summary.steps++;
        summary.written += outcome.written;
        summary.deleted += outcome.deleted;
        // Entries newer than the call's start are left to the next call unless a window took them along.
        if (!outcome.remaining.some((r) => r.id === null || r.id <= target.maxId)) {
          done = true;
          break;
        }
      }
      if (!done) summary.pending.push(ref);
    } catch (error) {
      if (isBusy(error)) {
        summary.pending.push(ref);
        continue;
      }
      if (!continueOnError || isUnavailable(error)) throw error;
      summary.failed.push({ ...ref, error });
    }
  }
  return summary;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && BUSY_SQLSTATES.has(code);
}

// ---- one step ------------------------------------------------------------------------------------------

/** What a refresh step reads and writes, for one channel, inside one snapshot. */
export interface RefreshStore {
  queued(ref: ChannelRef): Promise<QueuedRefresh[]>;
  ongoing(ref: ChannelRef): Promise<DetectedCycle | null>;
  cyclesMeeting(ref: ChannelRef, fromMinute: number, toMinute: number): Promise<DetectedCycle[]>;
  readings(ref: ChannelRef, fromMinute: number, toMinute: number): Promise<CycleSample[]>;
  /**
   * replaces the stored cycles starting in [fromMinute, lastStartMinute] by `cycles` (all starting there),
   * each with its run edges to the second (`edges[i]` for `cycles[i]`)
   */
  replace(
    ref: ChannelRef,
    fromMinute: number,
    lastStartMinute: number,
    cycles: readonly DetectedCycle[],
    edges: readonly RunEdges[],
  ): Promise<{ written: number; deleted: number }>;
  dequeue(ids: readonly number[]): Promise<unknown>;
  trim(ids: readonly number[], fromMinute: number): Promise<unknown>;
  /** sets one queue entry's range (the hull of several coalesced entries, the others being dequeued) */
  reshape(id: number, fromMinute: number, toMinute: number): Promise<unknown>;
  /** recomputes the hourly activity sums of these unix hours from the readings (migration 0009) */
  rewriteHours(ref: ChannelRef, hours: readonly number[]): Promise<unknown>;
}

export interface StepOptions {
  settings: CycleSettings;
  nowMinute: number;
  maxWindowMin: number;
  /** queued ranges less than this apart are re-detected as one (0: only those the window takes along) */
  coalesceGapMin?: number;
  /**
   * the first minute whose readings are kept (the end of the last month the retention dropped), null: all
   * kept. Queued changes before it are dequeued without work, the others re-detected from it on: the cycles and
   * hourly sums of dropped months stay as they were summed from their readings.
   */
  keptFromMinute?: number | null;
}

/** A queued range of changed minutes; id null = a stale ongoing cycle to close (not a queue row). */
interface ChangedRange {
  id: number | null;
  fromMinute: number;
  toMinute: number;
}

export interface StepOutcome {
  /** queue entries (and a stale ongoing cycle, id null) still to do after this step */
  remaining: ChangedRange[];
  written: number;
  deleted: number;
}

// `ref` is the channel of the step: every queue statement names its meter (scale-rules.md, rule 4).
function databaseStore(
  tx: Queryable,
  ref: ChannelRef,
  settings: CycleSettings,
  detectedAt: Date,
  keptFromMinute: number | null = null,
): RefreshStore {
  const kept = keptFromMinute ?? Number.NEGATIVE_INFINITY;
  return {
    queued: (ref) => queuedRefreshesOfChannel(tx, ref),
    ongoing: async (ref) => (await ongoingCycles(tx, [ref]))[0] ?? null,
    cyclesMeeting: (ref, from, to) => cyclesMeetingWindow(tx, ref, from, to),
    readings: (ref, from, to) => readingsInWindow(tx, ref, from, to),
    replace: async (ref, from, lastStart, cycles, edges) => {
      // a window reaching back into a dropped month (a stored cycle running across its end) leaves the cycles
      // that start there as they are: their readings are gone
      if (from < kept) {
        const after = cycles.flatMap((c, i) => (c.startMinute >= kept ? [i] : []));
        cycles = after.map((i) => cycles[i] as DetectedCycle);
        edges = after.map((i) => edges[i] as RunEdges);
        from = kept;
        if (lastStart < from) return { written: 0, deleted: 0 };
      }
      const keep = cycles.map((c) => c.startMinute);
      const deleted = await deleteCyclesStartingIn(tx, ref, from, lastStart, keep);
      const written = await upsertCycles(tx, ref, cycles, detectedAt, edges);
      return { written, deleted };
    },
    dequeue: (ids) => dequeueRefreshes(tx, ref.deviceId, ids),
    trim: (ids, fromMinute) => trimRefreshes(tx, ref.deviceId, ids, fromMinute),
    reshape: (id, from, to) => reshapeRefresh(tx, ref.deviceId, id, from, to),
    // the hours of a dropped month keep the sums made from their readings
    rewriteHours: (ref, hours) =>
      rewriteActivityHours(
        tx,
        ref,
        hours.filter((h) => h * 60 >= kept),
        settings.activityThresholdW,
      ),
  };
}

/**
 * Re-detects the earliest group of queued changes of one channel. Invariant kept (decision 0007): the stored
 * cycles are `detectCycles` of a set of readings that differs from the stored readings only at queued minutes.
 *
 * 1. Take the earliest queued range [a, b]; its redetection window W (the union of the domain's windows of a
 *    and b: every stored cycle within reach of [a, b] is re-detected whole). Absorb every other queued range
 *    that starts inside W's loaded minutes and recompute W, until none is left: then the readings loaded for
 *    W differ from those behind the stored cycles only at absorbed minutes, which the window covers.
 * 2. Load W's readings, detect, replace the stored cycles starting in [W.from, W.lastStart], dequeue.
 * 2'. When W is longer than maxWindowMin, process only [W.from, s) instead, for the latest "quiet" minute s
 *    of the first maxWindowMin minutes: no active reading and no stored cycle within r = ceil(stopGapMin) of
 *    it. Cycles on either side of a quiet minute depend only on the readings of their side (they are at least
 *    2r + 2 apart, and the last cycle before s is closed since nowMinute ≥ s), so the cycles starting before
 *    s are re-detected exactly from W.from, and the queue keeps [s, …] of the ranges it cut.
 */
export async function refreshChannelStep(
  store: RefreshStore,
  ref: ChannelRef,
  options: StepOptions,
): Promise<StepOutcome> {
  const { settings, nowMinute } = options;
  const reach = Math.ceil(Math.max(settings.stopGapMin, 1));
  const maxWindowMin = Math.max(options.maxWindowMin, 8 * reach);

  let ranges: ChangedRange[] = (await store.queued(ref)).map((q) => ({ ...q }));
  const kept = options.keptFromMinute ?? null;
  if (kept !== null) {
    // changes of dropped months (old history stored again into one): nothing to re-detect from
    const gone = ranges.filter((r) => r.toMinute < kept);
    if (gone.length > 0) await store.dequeue(idsOf(gone));
    ranges = ranges
      .filter((r) => r.toMinute >= kept)
      .map((r) => (r.fromMinute < kept ? { ...r, fromMinute: kept } : r));
  }
  const ongoing = await store.ongoing(ref);
  if (ongoing !== null && isStale(ongoing, settings, nowMinute)) {
    ranges.push({ id: null, fromMinute: ongoing.lastActiveMinute, toMinute: ongoing.lastActiveMinute });
  }
  if (ranges.length === 0) return { remaining: [], written: 0, deleted: 0 };
  ranges.sort((x, y) => x.fromMinute - y.fromMinute || (x.id ?? 0) - (y.id ?? 0));

  const first = ranges[0] as ChangedRange;
  const a = first.fromMinute;
  let b = first.toMinute;
  // Coalescing: the ranges that follow closely are taken as one range [a, b]. Re-detecting a superset of the
  // changed minutes is always exact, and a backfill's thousands of ranges then cost one pass, not one step each.
  const gap = options.coalesceGapMin ?? 0;
  let taken = 1;
  for (; taken < ranges.length; taken++) {
    const next = ranges[taken] as ChangedRange;
    if (next.fromMinute > b + gap) break;
    b = Math.max(b, next.toMinute);
  }
  const cluster = taken;
  let bounded = true;
  let window: RedetectionWindow;
  for (;;) {
    // rangeWindow looks only at the cycles within reach of a and of b: two short range scans, even when
    // [a, b] is a year.
    const near =
      b - a > 2 * reach
        ? [
            ...(await store.cyclesMeeting(ref, a - reach, a + reach)),
            ...(await store.cyclesMeeting(ref, b - reach, b + reach)),
          ]
        : await store.cyclesMeeting(ref, a - reach, b + reach);
    window = rangeWindow(near, a, b, settings);
    if (bounded && window.toMinute - window.fromMinute > maxWindowMin) {
      const split = await splitStep(
        store,
        ref,
        ranges,
        cluster,
        a,
        window.fromMinute,
        reach,
        maxWindowMin,
        options,
      );
      if (split !== null) return split;
      bounded = false; // no quiet minute to cut at: the whole window in one step
    }
    let grown = false;
    for (; taken < ranges.length; taken++) {
      const next = ranges[taken] as ChangedRange;
      if (next.fromMinute > window.toMinute) break;
      if (next.toMinute > b) {
        b = next.toMinute;
        grown = true;
      }
    }
    if (!grown) break;
  }

  // one minute before the window: the first cycle's start minute is reported by its first active reading, and
  // belongs to it only when the reading before is not active (detectCycles looks at it)
  const samples = await store.readings(ref, window.fromMinute - 1, window.toMinute);
  const redetected = detectCycles(samples, settings, nowMinute).filter(
    (c) => c.startMinute >= window.fromMinute && c.startMinute <= window.lastStartMinute,
  );
  // The edges read the readings of the cycle's first minute and of the minute after its last active one,
  // both inside the window (it reaches past the last start), so they are as exact as the cycle.
  const counts = await store.replace(
    ref,
    window.fromMinute,
    window.lastStartMinute,
    redetected,
    redetected.map((c) => runEdges(samples, c)),
  );
  const covered = ranges.slice(0, taken);
  await store.rewriteHours(ref, hoursOf(covered, Number.POSITIVE_INFINITY));
  await store.dequeue(idsOf(covered));
  return { remaining: ranges.slice(taken), ...counts };
}

async function splitStep(
  store: RefreshStore,
  ref: ChannelRef,
  ranges: ChangedRange[],
  cluster: number,
  a: number,
  fromMinute: number,
  reach: number,
  maxWindowMin: number,
  { settings, nowMinute }: StepOptions,
): Promise<StepOutcome | null> {
  const loadTo = fromMinute + maxWindowMin;
  const highest = Math.min(loadTo - reach, nowMinute);
  if (highest <= a) return null;
  // from the minute before, as a window step loads: it decides whether the first start minute is the cycle's
  const samples = await store.readings(ref, fromMinute - 1, loadTo);
  const stored = await store.cyclesMeeting(ref, fromMinute, loadTo);

  // busy[i]: minute fromMinute + i has an active reading or lies within a stored cycle
  const busy = new Uint8Array(maxWindowMin + 1);
  for (const s of samples) {
    if (s.minute >= fromMinute && s.apowerW !== null && s.apowerW > settings.activityThresholdW)
      busy[s.minute - fromMinute] = 1;
  }
  for (const c of stored) {
    const lo = Math.max(c.startMinute, fromMinute) - fromMinute;
    const hi = Math.min(c.lastActiveMinute, loadTo) - fromMinute;
    busy.fill(1, lo, hi + 1);
  }
  let cut: number | null = null;
  let busyInSpan = 0; // busy minutes in [s − reach, s + reach], sliding s downwards
  for (let m = highest - reach; m <= highest + reach; m++) busyInSpan += busy[m - fromMinute] ?? 0;
  for (let s = highest; s > a; s--) {
    if (busyInSpan === 0) {
      cut = s;
      break;
    }
    busyInSpan += (busy[s - 1 - reach - fromMinute] ?? 0) - (busy[s + reach - fromMinute] ?? 0);
  }
  if (cut === null) return null;

  const s = cut;
  const before = samples.filter((x) => x.minute < s);
  const redetected = detectCycles(before, settings, nowMinute).filter((c) => c.startMinute >= fromMinute);
  const counts = await store.replace(
    ref,
    fromMinute,
    s - 1,
    redetected,
    redetected.map((c) => runEdges(before, c)),
  );
  await store.rewriteHours(ref, hoursOf(ranges, s - 1));
  const done = ranges.filter((r) => r.toMinute < s);
  await store.dequeue(idsOf(done));
  let remaining = ranges
    .filter((r) => r.toMinute >= s)
    .map((r) => (r.fromMinute < s ? { ...r, fromMinute: s } : r));
  // What is left of the coalesced ranges becomes one queue entry (their hull, under the oldest id), so the
  // next steps of a backfill read one entry instead of thousands.
  const clusterIds = new Set(idsOf(ranges.slice(0, cluster)));
  const rest = remaining.filter((r) => r.id !== null && clusterIds.has(r.id));
  const merged = new Set(rest.length > 1 ? idsOf(rest) : []);
  const cutAcross = ranges.filter(
    (r) => r.fromMinute < s && r.toMinute >= s && (r.id === null || !merged.has(r.id)),
  );
  await store.trim(idsOf(cutAcross), s);
  if (rest.length > 1) {
    const keepId = Math.min(...merged);
    const hull: ChangedRange = {
      id: keepId,
      fromMinute: Math.min(...rest.map((r) => r.fromMinute)),
      toMinute: Math.max(...rest.map((r) => r.toMinute)),
    };
    await store.dequeue([...merged].filter((id) => id !== keepId));
    await store.reshape(keepId, hull.fromMinute, hull.toMinute);
    remaining = [hull, ...remaining.filter((r) => r.id === null || !merged.has(r.id))].sort(
      (x, y) => x.fromMinute - y.fromMinute || (x.id ?? 0) - (y.id ?? 0),
    );
  }
  return { remaining, ...counts };
}

/**
 * The redetection window of every minute of [a, b] at once: the union of the domain's windows of a and of b
 * (a stored cycle within reach of a minute strictly between them lies inside that union).
 */
export function rangeWindow(
  previous: readonly DetectedCycle[],
  a: number,
  b: number,
  settings: Partial<CycleSettings>,
): RedetectionWindow {
  const wa = redetectionWindow(previous, a, settings);
  const wb = redetectionWindow(previous, b, settings);
  return {
    fromMinute: Math.min(wa.fromMinute, wb.fromMinute),
    lastStartMinute: Math.max(wa.lastStartMinute, wb.lastStartMinute),
    toMinute: Math.max(wa.toMinute, wb.toMinute),
  };
}

function isStale(cycle: DetectedCycle, settings: CycleSettings, nowMinute: number): boolean {
  return cycle.ongoing && nowMinute - cycle.lastActiveMinute >= settings.stopGapMin;
}

/**
 * The unix hours that the queued ranges' minutes up to `lastMinute` meet, and the minute before each range,
 * ascending, each once: a reading reports the energy of the minute before it, and whether that minute lies
 * outside every cycle depends on it too (the hour's `idle_energy_wh`, migration 0018).
 */
function hoursOf(ranges: readonly ChangedRange[], lastMinute: number): number[] {
  const hours = new Set<number>();
  for (const r of ranges) {
    if (r.id === null || r.fromMinute > lastMinute) continue; // a stale ongoing cycle: no reading changed
    const to = Math.min(r.toMinute, lastMinute);
    for (let h = Math.floor((r.fromMinute - 1) / 60); h * 60 <= to; h++) hours.add(h);
  }
  return [...hours].sort((x, y) => x - y);
}

function idsOf(ranges: readonly ChangedRange[]): number[] {
  return ranges.flatMap((r) => (r.id === null ? [] : [r.id]));
}

const refKey = (r: ChannelRef): string => `${r.deviceId}\u0000${r.channel}`;

async function withRetries<T>(work: () => Promise<T>, retries = 3): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= retries || typeof code !== "string" || !RETRYABLE_SQLSTATES.has(code)) throw error;
    }
  }
}
