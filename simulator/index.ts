/**
 * Programmatic API of the Shelly Pro 4PM fleet simulator.
 *
 * ```ts
 * const sim = simulateFleet({ seed: 7, devices: 3, days: 2, start: "2025-10-01T00:00:00Z", duplicates: 0.01 });
 * for (const batch of sim.batches(100)) … // or: await postBatches(url, key, sim.batches(100))
 * sim.truth // the pump cycles the simulator made
 * ```
 */
import type { IngestMessage } from "../src/contracts/ingest.js";
import {
  type ChannelRole,
  type FaultKind,
  type FleetPlan,
  type FrameParams,
  fleetFrames,
  isoSecond,
  planFleet,
  type ShellyFrame,
  type TruthCycle,
  type TruthReboot,
  truthCycles,
  truthReboots,
} from "./fleet.js";
import { chunked, withDuplicates, withReorder } from "./perturb.js";
import { Random } from "./random.js";
import type { WetWellOptions, WetWellTruth } from "./wetwell.js";

export type { ChannelRole, FrameParams, ShellyFrame, TruthCycle, TruthReboot } from "./fleet.js";
export {
  CLOGGING_CURRENT_FACTOR,
  DRY_RUN_POWER_SHARE,
  type FaultKind,
  LOW_VOLTAGE_V,
  MIN_GAP_S,
  ROLE_RANGES,
} from "./fleet.js";
export { IngestPostError, type PostOptions, type PostTotals, parseRetryAfter, postBatches } from "./post.js";
export { Random } from "./random.js";
export { planWetWell, type WetWellOptions, type WetWellRun, type WetWellTruth } from "./wetwell.js";

/** Options of {@link simulateFleet}. Perturbations default to none. */
export interface SimulateOptions {
  /** PRNG seed; same seed and options → byte-identical output (default 1) */
  seed?: number;
  /** number of Shelly Pro 4PM devices (default 2) */
  devices?: number;
  /** length of the range in days, fractions allowed, at least one minute (default 1) */
  days?: number;
  /** start of the range: Date, ISO string or unix seconds; floored to the minute. Required: the simulator never reads the clock. */
  start: Date | string | number;
  /** probability that a queue message is delivered twice (0–1) */
  duplicates?: number;
  /** shuffle consecutive chunks of K messages (0 or 1 = keep order) */
  reorder?: number;
  /** probability that a whole device-minute is lost: no frame of that device in that minute (0–1) */
  loss?: number;
  /** reboots per device per day (fractions are expectations): `aenergy.total` restarts at 0, a NotifyFullStatus follows */
  reboots?: number;
  /** minutes generated at once by the lazy generators (default 60) */
  sliceMinutes?: number;
  /** faults injected at known minutes (none: the output is unchanged) */
  faults?: readonly FaultOption[];
  /** lift pumps planned at random in each day (default) or run by a float, every ~30–50 min by day */
  liftPattern?: "random" | "float" | "wetwell";
  /**
   * `wetwell`: volume, inflow, pump flows, wear, rainy days of each device's well (simulator/wetwell.ts); a
   * function gives each device its own (by index)
   */
  wetWell?: WetWellOptions | ((device: number) => WetWellOptions);
}

/** One injected fault: `kind` on `channel` (default 0) of device `device` (default 0) for `minutes` from `at`. */
export interface FaultOption {
  kind: FaultKind;
  device?: number;
  channel?: number;
  at: Date | string | number;
  minutes: number;
}

/** A queue message exactly as the production consumer posts it. */
export interface SimMessage {
  src: string;
  /** unix seconds, floor(params.ts) */
  timestamp: number;
  params: FrameParams;
}

export interface SimulatedChannel {
  channel: number;
  role: ChannelRole;
  nominal_power_w: number;
  power_factor: number;
  initial_total_wh: number;
}

export interface SimulatedDevice {
  index: number;
  id: string;
  channels: SimulatedChannel[];
  /** `wetwell` lift pattern: each run's real flow, each day's inflow */
  wet_well?: WetWellTruth;
}

/** What `--truth FILE` writes. */
export interface TruthReport {
  seed: number;
  start: string;
  end: string;
  devices: SimulatedDevice[];
  reboots: TruthReboot[];
  cycles: TruthCycle[];
}

export interface Simulation {
  readonly seed: number;
  /** range [startS, endS), unix seconds; minute frames are sent at every boundary in (startS, endS] */
  readonly startS: number;
  readonly endS: number;
  readonly devices: SimulatedDevice[];
  /** ground-truth pump cycles, sorted by start (computed on first access) */
  readonly truth: TruthCycle[];
  readonly reboots: TruthReboot[];
  /** raw device frames in time order (loss applied, no duplicates/reorder), lazily */
  frames(): Generator<ShellyFrame>;
  /** queue messages in time order, with all perturbations, lazily */
  messages(): Generator<SimMessage>;
  /** {@link messages} grouped in batches of `size` (default 100) */
  batches(size?: number): Generator<SimMessage[]>;
  truthReport(): TruthReport;
  /** the plan behind the frames (the simulator's physics, e.g. to compute readings without frames) */
  readonly plan: FleetPlan;
}

/** Maps a device frame to the queue message the production consumer sends. */
export function frameToMessage(frame: ShellyFrame): SimMessage {
  return { src: frame.src, timestamp: Math.floor(frame.params.ts), params: frame.params };
}

// compile-time check: our messages fit the service's contract
const _fitsContract = (m: SimMessage): IngestMessage => m;
void _fitsContract;

function toUnixSeconds(start: Date | string | number): number {
  const s =
    typeof start === "number" ? start : (start instanceof Date ? start : new Date(start)).getTime() / 1000;
  if (!Number.isFinite(s)) throw new RangeError(`invalid start: ${String(start)}`);
  return Math.floor(s / 60) * 60;
}

function checkProbability(name: string, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a probability in [0, 1], got ${p}`);
  return p;
}

const TAG_PERTURB = 100;

/** Builds a deterministic fleet simulation. Nothing is generated until a generator is iterated. */
export function simulateFleet(options: SimulateOptions): Simulation {
  const seed = options.seed ?? 1;
  const deviceCount = options.devices ?? 2;
  const days = options.days ?? 1;
  const duplicates = checkProbability("duplicates", options.duplicates ?? 0);
  const loss = checkProbability("loss", options.loss ?? 0);
  const reorder = Math.floor(options.reorder ?? 0);
  const reboots = options.reboots ?? 0;
  const sliceMinutes = Math.max(1, Math.floor(options.sliceMinutes ?? 60));
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(deviceCount) || deviceCount < 1)
    throw new RangeError("devices must be an integer ≥ 1");
  if (!(days * 1440 >= 1)) throw new RangeError("days must cover at least one minute");
  if (!(reorder >= 0)) throw new RangeError("reorder must be ≥ 0");
  if (!(reboots >= 0)) throw new RangeError("reboots must be ≥ 0");
  const startS = toUnixSeconds(options.start);
  const endS = startS + Math.round(days * 1440) * 60;
  const plan: FleetPlan = planFleet({
    seed,
    devices: deviceCount,
    startS,
    endS,
    rebootsPerDay: reboots,
    loss,
    ...(options.liftPattern === "float" || options.liftPattern === "wetwell"
      ? { liftPattern: options.liftPattern }
      : {}),
    ...(options.wetWell ? { wetWell: options.wetWell } : {}),
    ...(options.faults && options.faults.length > 0
      ? {
          faults: options.faults.map((f) => {
            const fromS = toUnixSeconds(f.at);
            return {
              kind: f.kind,
              device: f.device ?? 0,
              channel: f.channel ?? 0,
              fromS,
              toS: fromS + Math.round(f.minutes * 60),
            };
          }),
        }
      : {}),
  });

  const devices: SimulatedDevice[] = plan.devices.map((d) => ({
    index: d.index,
    id: d.id,
    channels: d.channels.map((c) => ({
      channel: c.channel,
      role: c.role,
      nominal_power_w: c.nominalPowerW,
      power_factor: c.powerFactor,
      initial_total_wh: c.initialTotalWh,
    })),
    ...(d.wetWell ? { wet_well: d.wetWell } : {}),
  }));
  let truth: TruthCycle[] | null = null;
  const rebootList = truthReboots(plan);

  const sim: Simulation = {
    seed,
    startS,
    endS,
    devices,
    get truth(): TruthCycle[] {
      truth ??= truthCycles(plan);
      return truth;
    },
    reboots: rebootList,
    plan,
    frames: () => fleetFrames(plan, sliceMinutes),
    *messages() {
      const rng = Random.from(seed, TAG_PERTURB);
      const base = (function* () {
        for (const frame of fleetFrames(plan, sliceMinutes)) yield frameToMessage(frame);
      })();
      yield* withReorder(withDuplicates(base, duplicates, rng), reorder, rng);
    },
    batches(size = 100) {
      if (!Number.isInteger(size) || size < 1) throw new RangeError("batch size must be an integer ≥ 1");
      return chunked(sim.messages(), size);
    },
    truthReport: () => ({
      seed,
      start: isoSecond(startS),
      end: isoSecond(endS),
      devices,
      reboots: rebootList,
      cycles: sim.truth,
    }),
  };
  return sim;
}
