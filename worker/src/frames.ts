/**
 * What the Worker makes of a meter's frames, without any Workers API, so Node tests can drive it.
 *
 * The service merges the frames of one (meter, channel, minute) field by field: a complete per-minute frame
 * (a switch object with `aenergy`) beats any delta, later beats earlier, and a switch object without an
 * electrical field is ignored (src/domain/shelly/parse-message.ts). The stream below forwards exactly what
 * can still change a stored row, merged into as few queue messages as those rules allow, so the rows
 * stored through the Worker are the rows the same frames would give if posted one by one.
 */

/** One item of `POST /api/ingest/batch`'s `messages`: what the queue carries. */
export interface QueueMessage {
  src: string;
  timestamp: number;
  params: Record<string, unknown>;
}

type Status = Record<string, unknown>;

const SWITCH_KEY = /^switch:([0-3])$/;
/** Keys the service reads; the others (`source`, `id`, `ret_aenergy`…) cannot change a stored row. */
const ELECTRICAL = ["apower", "voltage", "current", "pf", "freq", "aenergy"] as const;
const STORED = [...ELECTRICAL, "temperature", "output"] as const;
/** A channel drawing more than this is running: crossing it either way is a transition. */
export const RUNNING_THRESHOLD_W = 10;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function present(status: Status, key: string): boolean {
  const value = status[key];
  return value !== undefined && value !== null;
}

/** A per-minute snapshot, in the service's sense: it carries an `aenergy` object. */
function isComplete(status: Status): boolean {
  return isObject(status.aenergy);
}

function hasElectrical(status: Status): boolean {
  return ELECTRICAL.some((key) => present(status, key));
}

/**
 * The switch objects of a frame with their channel, its unix time in seconds and its meter, or null when
 * the frame is not a notification carrying at least one switch (RPC replies, other components, garbage).
 */
export function switchesOf(
  frame: unknown,
  receivedS: number,
): { src: string; ts: number; parts: [number, Status][] } | null {
  if (!isObject(frame) || typeof frame.src !== "string" || frame.src.trim() === "") return null;
  const params = frame.params;
  if (!isObject(params)) return null;
  const parts: [number, Status][] = [];
  for (const [key, value] of Object.entries(params)) {
    const match = SWITCH_KEY.exec(key);
    if (match && isObject(value)) parts.push([Number(match[1]), value]);
  }
  if (parts.length === 0) return null;
  const ts = typeof params.ts === "number" && Number.isFinite(params.ts) ? params.ts : receivedS;
  return { src: frame.src.trim(), ts, parts };
}

export function messageOf(src: string, ts: number, switches: Map<number, Status>): QueueMessage {
  const params: Record<string, unknown> = { ts };
  for (const channel of [...switches.keys()].sort()) params[`switch:${channel}`] = switches.get(channel);
  return { src, timestamp: Math.floor(ts), params };
}

interface Bucket {
  minute: number;
  complete: boolean;
  ts: number;
  switches: Map<number, Status>;
}

export interface StreamCounters {
  frames: number;
  ignored: number;
  /** deltas whose every stored field a complete frame of the same minute already gives */
  covered: number;
  transitions: number;
  messages: number;
}

export interface StreamOptions {
  /** called for every message, in order */
  emit(message: QueueMessage): void;
  /** schedules a flush of the open bucket; the handle is cancelled when the bucket is flushed otherwise */
  schedule(ms: number, flush: () => void): () => void;
  /** how long an open bucket of per-minute frames waits for its other channels */
  completeWaitMs?: number;
  /** how long an open bucket of deltas waits for the next minute */
  deltaWaitMs?: number;
  /** channels of the meter: a bucket of per-minute frames is sent once it holds them all */
  channels?: number;
}

/**
 * One meter connection. `push` takes each frame in arrival order; `close` sends what is still open.
 * Messages per meter-minute: one for the per-minute frames of all channels, plus one per on/off
 * transition, plus one for the minute's deltas that still add something (temperature, `output`).
 */
export class MeterStream {
  readonly counters: StreamCounters = { frames: 0, ignored: 0, covered: 0, transitions: 0, messages: 0 };
  private bucket: Bucket | null = null;
  private cancelTimer: (() => void) | null = null;
  /** per channel, the stored fields that complete frames of `coveredMinute` gave */
  private covered = new Map<number, Set<string>>();
  private coveredMinute = -1;
  private lastOutput = new Map<number, boolean>();
  private lastRunning = new Map<number, boolean>();
  private src: string | null = null;

  constructor(private readonly options: StreamOptions) {}

  push(frame: unknown, receivedS: number): void {
    this.counters.frames++;
    const found = switchesOf(frame, receivedS);
    if (!found) {
      this.counters.ignored++;
      return;
    }
    if (this.src !== null && this.src !== found.src) this.flush();
    this.src = found.src;
    const minute = Math.floor(found.ts / 60);
    if (this.bucket && (this.bucket.minute !== minute || !this.fits(this.bucket, found.parts))) this.flush();
    if (minute !== this.coveredMinute) {
      this.covered.clear();
      this.coveredMinute = minute;
    }
    // A flush asked for by one part waits for the frame's other parts: splitting a frame would give two
    // messages the same ts, and the service would then decide between their fields by value, not by time.
    let flush = false;
    for (const [channel, status] of found.parts)
      flush = this.take(minute, found.ts, channel, status) || flush;
    if (flush) this.flush();
  }

  /** Sends the open bucket, if any. */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const bucket = this.bucket;
    this.bucket = null;
    if (!bucket || bucket.switches.size === 0 || this.src === null) return;
    this.counters.messages++;
    this.options.emit(messageOf(this.src, bucket.ts, bucket.switches));
  }

  close(): void {
    this.flush();
  }

  /** Merges one switch object into the open bucket; true when the bucket should go out after this frame. */
  private take(minute: number, ts: number, channel: number, status: Status): boolean {
    const transition = this.transition(channel, status);
    if (transition) this.counters.transitions++;
    const complete = isComplete(status);
    if (!hasElectrical(status)) {
      // The service ignores a switch object without an electrical field; a transition is still sent on
      // its own (after what came before it), so the stream shows every on/off.
      if (transition) {
        this.flush();
        this.counters.messages++;
        this.options.emit(messageOf(this.src as string, ts, new Map([[channel, status]])));
      } else this.counters.ignored++;
      return false;
    }
    if (complete) {
      const fields = this.covered.get(channel) ?? new Set<string>();
      for (const key of STORED) if (present(status, key)) fields.add(key);
      this.covered.set(channel, fields);
    } else if (!transition && this.isCovered(channel, status)) {
      this.counters.covered++;
      return false;
    }
    // A bucket holds one kind of frame, and at most one per-minute frame per channel: mixing would lend a
    // delta's fields the rank of a complete frame, or merge two snapshots the service keeps apart.
    const open = this.bucket;
    if (open && (open.complete !== complete || (complete && open.switches.has(channel)))) this.flush();
    let bucket = this.bucket;
    if (!bucket) {
      bucket = { minute, complete, ts, switches: new Map() };
      this.bucket = bucket;
      const wait = complete ? (this.options.completeWaitMs ?? 1_500) : (this.options.deltaWaitMs ?? 65_000);
      this.cancelTimer = this.options.schedule(wait, () => {
        this.cancelTimer = null;
        this.flush();
      });
    }
    bucket.ts = Math.max(bucket.ts, ts);
    const merged = bucket.switches.get(channel);
    bucket.switches.set(channel, merged ? mergeDelta(merged, status) : { ...status });
    return (transition && !complete) || (complete && bucket.switches.size >= (this.options.channels ?? 4));
  }

  /** Whether the whole frame can join the bucket, so that one frame's parts stay in one message. */
  private fits(bucket: Bucket, parts: readonly [number, Status][]): boolean {
    for (const [channel, status] of parts) {
      if (!hasElectrical(status)) continue;
      const complete = isComplete(status);
      if (complete !== bucket.complete || (complete && bucket.switches.has(channel))) return false;
    }
    return true;
  }

  /** Every stored field of this delta is already given, in this minute, by a complete frame. */
  private isCovered(channel: number, status: Status): boolean {
    const fields = this.covered.get(channel);
    if (!fields) return false;
    for (const key of STORED) if (present(status, key) && !fields.has(key)) return false;
    return true;
  }

  private transition(channel: number, status: Status): boolean {
    let changed = false;
    if (typeof status.output === "boolean") {
      const before = this.lastOutput.get(channel);
      if (before !== undefined && before !== status.output) changed = true;
      this.lastOutput.set(channel, status.output);
    }
    if (typeof status.apower === "number") {
      const running = Math.abs(status.apower) > RUNNING_THRESHOLD_W;
      const before = this.lastRunning.get(channel);
      if (before !== undefined && before !== running) changed = true;
      this.lastRunning.set(channel, running);
    }
    return changed;
  }
}

/** Later deltas win key by key, as in the service; a null never replaces a value. */
function mergeDelta(earlier: Status, later: Status): Status {
  const merged = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    if (value !== null && value !== undefined) merged[key] = value;
    else if (!(key in merged)) merged[key] = value;
  }
  return merged;
}
