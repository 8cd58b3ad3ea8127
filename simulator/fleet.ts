/**
 * Deterministic Shelly Pro 4PM fleet model. Pure: no I/O, no clock — the time range is passed in.
 *
 * Physics: every channel has a piecewise-constant power, a deterministic function of
 * (seed, device, channel, minute) and the planned pump cycles, so any minute can be
 * recomputed on its own (ground-truth energies use the same functions as the frames).
 * Frames: the simulation steps minute by minute; step `m` produces every frame whose
 * `ts` lies in [60·m, 60·m + 60), so the output of one device-minute is self-contained.
 */
import { Random } from "./random.js";
import { planWetWell, type WetWellOptions, type WetWellTruth } from "./wetwell.js";

export type ChannelRole = "lift" | "outlet" | "idle";

/** A planned pump run on one channel: power on during [start, end), unix seconds. */
export interface Cycle {
  start: number;
  end: number;
}

export interface ChannelPlan {
  channel: number;
  role: ChannelRole;
  /** fixed nominal active power of the pump (W); for the idle channel its mean draw */
  nominalPowerW: number;
  /** nominal power factor */
  powerFactor: number;
  /** `aenergy.total` (Wh) at the start of the range */
  initialTotalWh: number;
  cycles: Cycle[];
}

/** A reboot: the device drops off at `at` (counters reset to 0) and reconnects at `connectedAt`. */
export interface Reboot {
  at: number;
  connectedAt: number;
}

export interface DevicePlan {
  index: number;
  id: string;
  mac: string;
  channels: ChannelPlan[];
  reboots: Reboot[];
  /** unix second of the first (re)connection, a few seconds after the range start */
  firstConnectAt: number;
  uptimeAtStartS: number;
  temperatureBaseC: number;
  rssi: number;
  /** `wetwell` lift pattern: the real flows of channels 0 and 1 and the well's daily inflow */
  wetWell?: WetWellTruth;
}

export interface FleetConfig {
  seed: number;
  devices: number;
  /** unix seconds, a multiple of 60 */
  startS: number;
  /** unix seconds, a multiple of 60, > startS */
  endS: number;
  /** reboots per device per 24 h (a fraction is an expectation) */
  rebootsPerDay: number;
  /** probability that one device-minute is lost entirely (no frames) */
  loss: number;
  /** injected faults (none: the output is the same as without the option) */
  faults?: readonly Fault[];
  /**
   * How lift pumps (channels 0 and 1) are planned: `random` (default) places 5–25 cycles anywhere in each
   * day; `float` runs them as a lift station's float does, each time the well has filled again (see
   * FLOAT_FILL_MIN), so cycles come every ~30–50 min by day and ~60–90 min at night.
   */
  liftPattern?: "random" | "float" | "wetwell";
  /** `wetwell`: the well's volume, inflow, pump flows, wear and rainy days (simulator/wetwell.ts), or each device's */
  wetWell?: WetWellOptions | ((device: number) => WetWellOptions);
}

export type FaultKind =
  | "pump_stopped"
  | "stuck_on"
  | "dry_run"
  | "clogging"
  | "short_cycling"
  | "meter_offline"
  | "low_voltage";

/**
 * A fault on one channel (or the whole meter for meter_offline and low_voltage) during [fromS, toS):
 * pump_stopped drops the planned cycles that start then; stuck_on runs the pump throughout; dry_run draws
 * 55 % of the nominal power (current only −10 %); clogging +25 % current (+10 % power); short_cycling
 * replaces the cycles by 2-minute runs every 7 minutes; meter_offline sends nothing; low_voltage 195 V.
 */
export interface Fault {
  kind: FaultKind;
  device: number;
  channel: number;
  fromS: number;
  toS: number;
}

export const DRY_RUN_POWER_SHARE = 0.55;
export const CLOGGING_CURRENT_FACTOR = 1.25;
export const LOW_VOLTAGE_V = 195;

function faultAt(
  plan: FleetPlan,
  kind: FaultKind,
  device: number,
  channel: number | null,
  t: number,
): boolean {
  const faults = plan.config.faults;
  if (!faults || faults.length === 0) return false;
  return faults.some(
    (f) =>
      f.kind === kind &&
      f.device === device &&
      (channel === null || f.channel === channel) &&
      f.fromS <= t &&
      t < f.toS,
  );
}

/** Rewrites the planned cycles for the faults that change when a pump runs. */
function applyCycleFaults(devices: DevicePlan[], faults: readonly Fault[]): void {
  for (const f of faults) {
    const ch = devices[f.device]?.channels[f.channel];
    if (!ch || ch.role === "idle") continue;
    // A dry run is a running pump: the fault makes it run, as a stuck float would.
    if (!["pump_stopped", "stuck_on", "short_cycling", "dry_run"].includes(f.kind)) continue;
    // Keep the normal cycles clear of the fault by MIN_GAP_S, so no two runs merge by accident.
    const kept = ch.cycles.filter((c) =>
      f.kind === "pump_stopped"
        ? c.start < f.fromS || c.start >= f.toS
        : c.end + MIN_GAP_S <= f.fromS || c.start >= f.toS + MIN_GAP_S,
    );
    const added: Cycle[] = [];
    if (f.kind === "stuck_on" || f.kind === "dry_run") added.push({ start: f.fromS, end: f.toS });
    if (f.kind === "short_cycling") {
      for (let s = f.fromS; s + 120 <= f.toS; s += 420) added.push({ start: s, end: s + 120 });
    }
    ch.cycles = [...kept, ...added].sort((a, b) => a.start - b.start);
  }
}

export interface FleetPlan {
  config: FleetConfig;
  devices: DevicePlan[];
}

export type FrameParams = { ts: number } & Record<string, unknown>;

/** A frame as a Shelly Pro 4PM sends it on its outbound WebSocket. */
export interface ShellyFrame {
  src: string;
  dst: "ws";
  method: "NotifyStatus" | "NotifyFullStatus";
  params: FrameParams;
}

/** Ground truth for one pump cycle. */
export interface TruthCycle {
  device_id: string;
  channel: number;
  role: ChannelRole;
  /** ISO 8601, exact second, UTC */
  start: string;
  end: string;
  start_ts: number;
  end_ts: number;
  duration_s: number;
  nominal_power_w: number;
  energy_wh: number;
}

export interface TruthReboot {
  device_id: string;
  at: string;
  connected_at: string;
  at_ts: number;
  connected_at_ts: number;
}

// ---- constants ------------------------------------------------------------------------------------

const DAY = 86_400;
/** minimum pause between two cycles of one channel, s */
export const MIN_GAP_S = 360;
/** cycles stay this far from the edges of each 24 h slot (keeps the day-to-day gap ≥ MIN_GAP_S) */
const DAY_MARGIN_S = 180;

export const ROLE_RANGES = {
  lift: { cyclesPerDay: [5, 25], durationS: [120, 600], powerW: [400, 1300] },
  outlet: { cyclesPerDay: [3, 8], durationS: [300, 1800], powerW: [400, 600] },
} as const;

const ROLES: readonly ChannelRole[] = ["lift", "lift", "outlet", "idle"];

/**
 * `float` lift pumps: minutes the well takes to fill between the end of one run and the next start, by day
 * (06 h–22 h UTC) and by night, each fill drawn ±15 % around a per-channel value within the range.
 */
export const FLOAT_FILL_MIN = { day: [25, 40], night: [55, 75] } as const;

const TAG = {
  id: 1,
  device: 2,
  cycles: 3,
  reboots: 4,
  pumpMinute: 5,
  idleMinute: 6,
  grid: 7,
  events: 8,
  loss: 9,
  float: 10,
  wetWell: 11,
} as const;

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** ISO 8601 without milliseconds. */
export function isoSecond(unixS: number): string {
  return new Date(unixS * 1000).toISOString().replace(".000Z", "Z");
}

// ---- planning -------------------------------------------------------------------------------------

function planCycles(rng: Random, role: "lift" | "outlet", slotStart: number, slotLen: number): Cycle[] {
  const range = ROLE_RANGES[role];
  const w0 = slotStart + DAY_MARGIN_S;
  const w1 = slotStart + slotLen - DAY_MARGIN_S;
  const full = rng.int(range.cyclesPerDay[0], range.cyclesPerDay[1]);
  let n = slotLen >= DAY ? full : Math.round((full * slotLen) / DAY);
  const durations: number[] = [];
  for (let i = 0; i < n; i++) durations.push(rng.int(range.durationS[0], range.durationS[1]));
  const need = (): number => durations.reduce((a, b) => a + b, 0) + Math.max(0, n - 1) * MIN_GAP_S;
  while (n > 0 && need() > w1 - w0) {
    durations.pop();
    n--;
  }
  if (n === 0) return [];
  const slack = w1 - w0 - need();
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push(rng.int(0, slack));
  offsets.sort((a, b) => a - b);
  const cycles: Cycle[] = [];
  let used = 0;
  for (let i = 0; i < n; i++) {
    const duration = durations[i] as number;
    const start = w0 + (offsets[i] as number) + used;
    cycles.push({ start, end: start + duration });
    used += duration + MIN_GAP_S;
  }
  return cycles;
}

/** A lift station's pump over the whole range: it starts each time the well has filled again. */
function planFloatCycles(rng: Random, startS: number, endS: number): Cycle[] {
  const dayFill = rng.uniform(FLOAT_FILL_MIN.day[0], FLOAT_FILL_MIN.day[1]) * 60;
  const nightFill = rng.uniform(FLOAT_FILL_MIN.night[0], FLOAT_FILL_MIN.night[1]) * 60;
  const [d0, d1] = ROLE_RANGES.lift.durationS;
  const cycles: Cycle[] = [];
  let start = startS + rng.int(DAY_MARGIN_S, DAY_MARGIN_S + Math.round(dayFill));
  for (;;) {
    const duration = rng.int(d0, d1);
    if (start + duration > endS - DAY_MARGIN_S) break;
    cycles.push({ start, end: start + duration });
    const hour = Math.floor(((((start + duration) % DAY) + DAY) % DAY) / 3600);
    const fill = (hour >= 6 && hour < 22 ? dayFill : nightFill) * rng.uniform(0.85, 1.15);
    start += duration + Math.max(MIN_GAP_S, Math.round(fill));
  }
  return cycles;
}

function planReboots(
  rng: Random,
  perDay: number,
  slotStart: number,
  slotLen: number,
  pumpCycles: readonly Cycle[][],
): Reboot[] {
  const expected = (perDay * slotLen) / DAY;
  const count = Math.floor(expected) + (rng.chance(expected - Math.floor(expected)) ? 1 : 0);
  const reboots: Reboot[] = [];
  const lo = slotStart + 120;
  const hi = slotStart + slotLen - 120;
  for (let k = 0; k < count; k++) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const downtime = rng.int(8, 25);
      if (hi - downtime <= lo) break;
      const at = rng.int(lo, hi - downtime);
      const connectedAt = at + downtime;
      // keep every pump cycle fully visible: no reboot within a minute of any cycle
      const clashCycle = pumpCycles.some((cycles) =>
        cycles.some((c) => c.start < connectedAt + 60 && c.end > at - 60),
      );
      const clashReboot = reboots.some((r) => r.at < connectedAt + 600 && r.connectedAt > at - 600);
      if (!clashCycle && !clashReboot) {
        reboots.push({ at, connectedAt });
        break;
      }
    }
  }
  return reboots.sort((a, b) => a.at - b.at);
}

/** Builds the whole fleet plan (devices, cycles, reboots) for the range. Cheap: no frames yet. */
export function planFleet(config: FleetConfig): FleetPlan {
  const { seed, startS, endS } = config;
  if (startS % 60 !== 0 || endS % 60 !== 0 || endS <= startS) {
    throw new RangeError("startS and endS must be whole minutes with endS > startS");
  }
  const ids = new Set<string>();
  const devices: DevicePlan[] = [];
  for (let index = 0; index < config.devices; index++) {
    let hex = "";
    for (let attempt = 0; hex === "" || ids.has(hex); attempt++)
      hex = Random.from(seed, TAG.id, index, attempt).hex(12);
    ids.add(hex);
    const rng = Random.from(seed, TAG.device, index);
    const channels: ChannelPlan[] = ROLES.map((role, channel) => {
      if (role === "idle") {
        return {
          channel,
          role,
          nominalPowerW: 1.05,
          powerFactor: 0.1,
          initialTotalWh: r3(rng.uniform(100, 1000)),
          cycles: [],
        };
      }
      const range = ROLE_RANGES[role];
      return {
        channel,
        role,
        nominalPowerW: r1(rng.uniform(range.powerW[0], range.powerW[1])),
        powerFactor: r2(rng.uniform(0.78, 0.82)),
        initialTotalWh: r3(rng.uniform(5, 5000)),
        cycles: [],
      };
    });
    const reboots: Reboot[] = [];
    let wetWell: WetWellTruth | undefined;
    if (config.liftPattern === "wetwell") {
      const options = typeof config.wetWell === "function" ? config.wetWell(index) : config.wetWell;
      const planned = planWetWell(Random.from(seed, TAG.wetWell, index), startS, endS, options);
      (channels[0] as ChannelPlan).cycles = planned.cycles[0];
      (channels[1] as ChannelPlan).cycles = planned.cycles[1];
      wetWell = planned.truth;
    }
    for (let day = 0; startS + day * DAY < endS; day++) {
      const slotStart = startS + day * DAY;
      const slotLen = Math.min(DAY, endS - slotStart);
      const dayCycles: Cycle[][] = [];
      for (const ch of channels) {
        if (ch.role === "idle") continue;
        if (ch.role === "lift" && config.liftPattern === "wetwell") {
          dayCycles.push(ch.cycles.filter((c) => c.end > slotStart && c.start < slotStart + slotLen));
          continue;
        }
        if (ch.role === "lift" && config.liftPattern === "float") {
          if (day === 0)
            ch.cycles.push(...planFloatCycles(Random.from(seed, TAG.float, index, ch.channel), startS, endS));
          dayCycles.push(ch.cycles.filter((c) => c.end > slotStart && c.start < slotStart + slotLen));
          continue;
        }
        const cycles = planCycles(
          Random.from(seed, TAG.cycles, index, ch.channel, day),
          ch.role,
          slotStart,
          slotLen,
        );
        ch.cycles.push(...cycles);
        dayCycles.push(cycles);
      }
      if (config.rebootsPerDay > 0) {
        const rr = Random.from(seed, TAG.reboots, index, day);
        reboots.push(...planReboots(rr, config.rebootsPerDay, slotStart, slotLen, dayCycles));
      }
    }
    devices.push({
      index,
      id: `shellypro4pm-${hex}`,
      mac: hex.toUpperCase(),
      channels,
      reboots,
      firstConnectAt: startS + rng.int(0, 2),
      uptimeAtStartS: rng.int(3_600, 30 * DAY),
      temperatureBaseC: rng.uniform(42, 52),
      rssi: rng.int(-72, -50),
      ...(wetWell ? { wetWell } : {}),
    });
  }
  if (config.faults && config.faults.length > 0) applyCycleFaults(devices, config.faults);
  return { config, devices };
}

// ---- per-minute physics -----------------------------------------------------------------------------

type PointKind = "boundary" | "start" | "stop" | "change";

/** From second `t` on (until the next point) the channel draws `power`. */
interface PowerPoint {
  t: number;
  kind: PointKind;
  on: boolean;
  power: number;
  current: number;
  pf: number;
  /** false when only the current changed (the delta frame then carries `current` alone) */
  powerChanged: boolean;
}

/** The physics of one channel during one minute [t0, t0 + 60). */
export interface MinuteProfile {
  t0: number;
  points: PowerPoint[];
  voltage: number;
  freq: number;
  /** energy of the minute, mWh */
  energyMWh: number;
}

interface Grid {
  voltages: number[];
  freq: number;
}

function grid(seed: number, device: number, minute: number): Grid {
  const rng = Random.from(seed, TAG.grid, device, minute);
  const base = 230 + clamp(rng.normal(0, 0.7), -1.8, 1.8);
  const voltages = [0, 1, 2, 3].map(() => r1(clamp(base + rng.uniform(-0.15, 0.15), 228, 232)));
  const freq = r2(50 + clamp(rng.normal(0, 0.015), -0.05, 0.05));
  return { voltages, freq };
}

/** Index of the first cycle that ends after `t` (binary search), or cycles.length. */
function firstEndingAfter(cycles: readonly Cycle[], t: number): number {
  let lo = 0;
  let hi = cycles.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cycles[mid] as Cycle).end > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function energyOf(points: readonly PowerPoint[], t0: number, from: number, to: number): number {
  let e = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as PowerPoint;
    const next = i + 1 < points.length ? (points[i + 1] as PowerPoint).t : t0 + 60;
    const a = Math.max(p.t, from);
    const b = Math.min(next, to);
    if (b > a) e += (p.power * (b - a)) / 3.6;
  }
  return e;
}

/** Physics of channel `ch` of device `device` during unix minute `minute`. */
export function minuteProfile(
  plan: FleetPlan,
  device: DevicePlan,
  ch: ChannelPlan,
  minute: number,
): MinuteProfile {
  const seed = plan.config.seed;
  const t0 = minute * 60;
  const g = grid(seed, device.index, minute);
  const voltage = faultAt(plan, "low_voltage", device.index, null, t0)
    ? LOW_VOLTAGE_V
    : (g.voltages[ch.channel] as number);
  const points: PowerPoint[] = [];
  if (ch.role === "idle") {
    const rng = Random.from(seed, TAG.idleMinute, device.index, minute);
    const pf = rng.pick([0.09, 0.1, 0.1, 0.11]);
    let level = rng.pick([1.0, 1.1, 1.1, 1.2]);
    const current = r3(rng.uniform(0.056, 0.062));
    points.push({ t: t0, kind: "boundary", on: true, power: level, current, pf, powerChanged: true });
    const changes = rng.pick([0, 1, 1, 1, 2]);
    const seconds = new Set<number>();
    for (let i = 0; i < changes; i++) seconds.add(rng.int(1, 59));
    for (const s of [...seconds].sort((a, b) => a - b)) {
      const next = r1(clamp(level + rng.pick([-0.2, -0.1, 0.1, 0.1, 0.2]), 0.8, 1.3));
      const current = r3(rng.uniform(0.056, 0.062));
      points.push({
        t: t0 + s,
        kind: "change",
        on: true,
        power: next,
        current,
        pf,
        powerChanged: next !== level,
      });
      level = next;
    }
  } else {
    const rng = Random.from(seed, TAG.pumpMinute, device.index, ch.channel, minute);
    const eps = (): number => clamp(rng.normal(0, 0.007), -0.02, 0.02);
    const dry = faultAt(plan, "dry_run", device.index, ch.channel, t0);
    const clogged = faultAt(plan, "clogging", device.index, ch.channel, t0);
    const powerShare = dry ? DRY_RUN_POWER_SHARE : clogged ? 1.1 : 1;
    // The current of the fault, relative to what the power alone would give (dry run: −10 % only).
    const currentShare = dry ? 0.9 / DRY_RUN_POWER_SHARE : clogged ? CLOGGING_CURRENT_FACTOR / 1.1 : 1;
    const level0 = r1(ch.nominalPowerW * powerShare * (1 + eps()));
    const changeAt = rng.chance(0.3) ? t0 + rng.int(3, 57) : -1;
    const level1 = r1(ch.nominalPowerW * powerShare * (1 + eps()));
    const pf = r2(clamp(ch.powerFactor + rng.normal(0, 0.004), 0.77, 0.83));
    const kinds = new Map<number, PointKind>([[t0, "boundary"]]);
    if (changeAt > 0) kinds.set(changeAt, "change");
    const i = firstEndingAfter(ch.cycles, t0 - 1); // a cycle ending exactly at t0 stops in this minute
    for (let k = i; k < ch.cycles.length; k++) {
      const c = ch.cycles[k] as Cycle;
      if (c.start >= t0 + 60) break;
      if (c.start >= t0) kinds.set(c.start, "start");
      if (c.end < t0 + 60) kinds.set(c.end, "stop");
    }
    let k = i;
    let previous = Number.NaN;
    for (const t of [...kinds.keys()].sort((a, b) => a - b)) {
      while (k < ch.cycles.length && (ch.cycles[k] as Cycle).end <= t) k++;
      const c = ch.cycles[k];
      const on = c !== undefined && c.start <= t && t < c.end;
      const level = changeAt > 0 && t >= changeAt ? level1 : level0;
      const power = on ? level : 0;
      points.push({
        t,
        kind: kinds.get(t) as PointKind,
        on,
        power,
        current: on ? r3((power * currentShare) / (voltage * pf)) : 0,
        pf: on ? pf : 0,
        powerChanged: power !== previous,
      });
      previous = power;
    }
  }
  return { t0, points, voltage, freq: g.freq, energyMWh: energyOf(points, t0, t0, t0 + 60) };
}

function pointAt(profile: MinuteProfile, t: number): PowerPoint {
  let found = profile.points[0] as PowerPoint;
  for (const p of profile.points) {
    if (p.t <= t) found = p;
    else break;
  }
  return found;
}

// ---- ground truth -----------------------------------------------------------------------------------

/** Ground-truth cycles of the whole fleet, sorted by start, then device, then channel. */
export function truthCycles(plan: FleetPlan): TruthCycle[] {
  const out: TruthCycle[] = [];
  for (const device of plan.devices) {
    for (const ch of device.channels) {
      for (const c of ch.cycles) {
        let mwh = 0;
        for (let m = Math.floor(c.start / 60); m * 60 < c.end; m++) {
          const profile = minuteProfile(plan, device, ch, m);
          mwh += energyOf(profile.points, profile.t0, c.start, c.end);
        }
        out.push({
          device_id: device.id,
          channel: ch.channel,
          role: ch.role,
          start: isoSecond(c.start),
          end: isoSecond(c.end),
          start_ts: c.start,
          end_ts: c.end,
          duration_s: c.end - c.start,
          nominal_power_w: ch.nominalPowerW,
          energy_wh: r3(mwh / 1000),
        });
      }
    }
  }
  return out.sort(
    (a, b) => a.start_ts - b.start_ts || a.device_id.localeCompare(b.device_id) || a.channel - b.channel,
  );
}

export function truthReboots(plan: FleetPlan): TruthReboot[] {
  return plan.devices
    .flatMap((d) =>
      d.reboots.map((r) => ({
        device_id: d.id,
        at: isoSecond(r.at),
        connected_at: isoSecond(r.connectedAt),
        at_ts: r.at,
        connected_at_ts: r.connectedAt,
      })),
    )
    .sort((a, b) => a.at_ts - b.at_ts || a.device_id.localeCompare(b.device_id));
}

// ---- frames -----------------------------------------------------------------------------------------

interface Connection {
  /** offline from `from` (inclusive) … */
  from: number;
  /** … until the WebSocket connects at `at` (inclusive) */
  at: number;
  reset: boolean;
}

type StepEvent =
  | { t: number; order: 0; kind: "reset" }
  | { t: number; order: 1; kind: "connect"; connection: Connection }
  | { t: number; order: 2; kind: "delta"; channel: number; point: PowerPoint };

const ZERO3 = (): number[] => [0, 0, 0];

/** Steps one device through time, minute by minute, keeping its counters. */
export class DeviceSimulator {
  private readonly totals: number[];
  /** per channel: energies (mWh) of minutes m−1, m−2, m−3 */
  private readonly history: number[][];
  private readonly connections: Connection[];
  private nextMinute: number;
  private readonly lastMinute: number;

  constructor(
    private readonly plan: FleetPlan,
    readonly device: DevicePlan,
  ) {
    const { startS, endS } = plan.config;
    const m0 = startS / 60;
    this.nextMinute = m0;
    this.lastMinute = endS / 60;
    this.totals = device.channels.map((c) => c.initialTotalWh);
    this.history = device.channels.map((c) =>
      [1, 2, 3].map((k) => minuteProfile(plan, device, c, m0 - k).energyMWh),
    );
    this.connections = [
      { from: startS, at: device.firstConnectAt, reset: false },
      ...device.reboots.map((r) => ({ from: r.at, at: r.connectedAt, reset: true })),
    ];
  }

  private online(t: number): boolean {
    return !this.connections.some((c) => c.from <= t && t <= c.at);
  }

  /** True when the whole device-minute is dropped by the `loss` perturbation. */
  lost(minute: number): boolean {
    if (faultAt(this.plan, "meter_offline", this.device.index, null, minute * 60)) return true;
    const p = this.plan.config.loss;
    return p > 0 && Random.from(this.plan.config.seed, TAG.loss, this.device.index, minute).next() < p;
  }

  /** Whether minutes remain (the last step only emits the minute frames at the range end). */
  get done(): boolean {
    return this.nextMinute > this.lastMinute;
  }

  /**
   * Advances one minute and returns the frames with ts in [60·m, 60·m + 60), sorted by ts.
   * Frames of a lost device-minute are computed (counters advance) but not returned.
   */
  step(): ShellyFrame[] {
    const m = this.nextMinute++;
    if (m > this.lastMinute) return [];
    const { seed, startS } = this.plan.config;
    const { device } = this;
    const t0 = m * 60;
    const rng = Random.from(seed, TAG.events, device.index, m);
    const profiles = device.channels.map((c) => minuteProfile(this.plan, device, c, m));
    const frames: ShellyFrame[] = [];

    if (t0 > startS && this.online(t0)) {
      for (const ch of device.channels) {
        const profile = profiles[ch.channel] as MinuteProfile;
        frames.push(this.minuteFrame(ch.channel, r2(t0 + rng.int(0, 5) / 100), profile));
      }
    }
    if (m === this.lastMinute) return this.finish(m, frames, profiles, true);

    const events: StepEvent[] = [];
    for (const c of this.connections) {
      if (c.reset && c.from >= t0 && c.from < t0 + 60) events.push({ t: c.from, order: 0, kind: "reset" });
      if (c.at >= t0 && c.at < t0 + 60) events.push({ t: c.at, order: 1, kind: "connect", connection: c });
    }
    for (const ch of device.channels) {
      for (const point of (profiles[ch.channel] as MinuteProfile).points) {
        if (point.kind === "boundary" || (point.kind === "change" && !point.on)) continue;
        events.push({ t: point.t, order: 2, kind: "delta", channel: ch.channel, point });
      }
    }
    events.sort((a, b) => a.t - b.t || a.order - b.order);

    let cursor = t0;
    const advance = (to: number): void => {
      for (const ch of device.channels) {
        const p = profiles[ch.channel] as MinuteProfile;
        this.totals[ch.channel] =
          (this.totals[ch.channel] as number) + energyOf(p.points, t0, cursor, to) / 1000;
      }
      cursor = to;
    };
    for (const ev of events) {
      advance(ev.t);
      if (ev.kind === "reset") {
        this.totals.fill(0);
      } else if (ev.kind === "connect") {
        const ts = ev.t + rng.int(10, 70) / 100;
        frames.push(this.fullStatus(r2(ts), ev.t, ev.connection, profiles));
        frames.push(this.notify(r2(ts + 0.02), { ws: { connected: true } }));
        frames.push(this.notify(r2(ts + rng.int(10, 25) / 100), { cloud: { connected: true } }));
      } else if (this.online(ev.t)) {
        frames.push(...this.deltaFrames(ev.t, ev.channel, ev.point, rng));
      }
    }
    advance(t0 + 60);
    return this.finish(m, frames, profiles, false);
  }

  private finish(m: number, frames: ShellyFrame[], profiles: MinuteProfile[], last: boolean): ShellyFrame[] {
    if (!last) {
      for (const ch of this.device.channels) {
        const h = this.history[ch.channel] as number[];
        h.unshift((profiles[ch.channel] as MinuteProfile).energyMWh);
        h.length = 3;
      }
    }
    if (this.lost(m)) return [];
    return frames.sort((a, b) => a.params.ts - b.params.ts);
  }

  private notify(ts: number, body: Record<string, unknown>): ShellyFrame {
    return { src: this.device.id, dst: "ws", method: "NotifyStatus", params: { ts, ...body } };
  }

  private minuteFrame(channel: number, ts: number, profile: MinuteProfile): ShellyFrame {
    const p = pointAt(profile, profile.t0);
    const energy = {
      by_minute: (this.history[channel] as number[]).map(r3),
      minute_ts: profile.t0,
      total: r3(this.totals[channel] as number),
    };
    return this.notify(ts, {
      [`switch:${channel}`]: {
        aenergy: energy,
        apower: p.power,
        aprtpower: p.power,
        current: p.current,
        freq: profile.freq,
        pf: p.pf,
        ret_aenergy: { by_minute: ZERO3(), minute_ts: profile.t0, total: 0 },
        voltage: profile.voltage,
      },
    });
  }

  private deltaFrames(t: number, channel: number, p: PowerPoint, rng: Random): ShellyFrame[] {
    const key = `switch:${channel}`;
    if (p.kind === "start") {
      return [
        this.notify(r2(t + rng.int(6, 45) / 100), { [key]: { output: true, source: "SHC" } }),
        this.notify(r2(t + rng.int(50, 99) / 100), { [key]: { apower: p.power, current: p.current } }),
      ];
    }
    const ts = r2(t + rng.int(6, 99) / 100);
    if (p.kind === "stop") {
      return [this.notify(ts, { [key]: { apower: 0, current: 0, output: false, pf: 0, source: "SHC" } })];
    }
    const body = p.powerChanged ? { apower: p.power, current: p.current } : { current: p.current };
    return [this.notify(ts, { [key]: body })];
  }

  private fullStatus(ts: number, t: number, connection: Connection, profiles: MinuteProfile[]): ShellyFrame {
    const { device } = this;
    const t0 = Math.floor(t / 60) * 60;
    const rng = Random.from(this.plan.config.seed, TAG.events, device.index, t, 1);
    const tC = r1(
      device.temperatureBaseC +
        4 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) +
        clamp(rng.normal(0, 0.3), -1, 1),
    );
    const temperature = { tC, tF: r1(tC * 1.8 + 32) };
    const switches: Record<string, unknown> = {};
    for (const ch of device.channels) {
      const profile = profiles[ch.channel] as MinuteProfile;
      const p = pointAt(profile, t);
      switches[`switch:${ch.channel}`] = {
        id: ch.channel,
        source: "init",
        output: p.on,
        apower: p.power,
        voltage: profile.voltage,
        freq: profile.freq,
        current: p.current,
        pf: p.pf,
        aenergy: {
          total: r3(this.totals[ch.channel] as number),
          by_minute: (this.history[ch.channel] as number[]).map(r3),
          minute_ts: t0,
        },
        ret_aenergy: { total: 0, by_minute: ZERO3(), minute_ts: t0 },
        temperature,
      };
    }
    const uptime = connection.reset
      ? t - connection.from
      : device.uptimeAtStartS + (t - this.plan.config.startS);
    const time = new Date(t * 1000).toISOString().slice(11, 16);
    return {
      src: device.id,
      dst: "ws",
      method: "NotifyFullStatus",
      params: {
        ts,
        ble: {},
        bthome: { errors: ["bluetooth_disabled"] },
        cloud: { connected: false },
        eth: { ip: null, ip6: null },
        "input:0": { id: 0, state: false },
        "input:1": { id: 1, state: false },
        "input:2": { id: 2, state: false },
        "input:3": { id: 3, state: false },
        knx: {},
        mqtt: { connected: false },
        ...switches,
        sys: {
          mac: device.mac,
          restart_required: false,
          time,
          unixtime: t,
          last_sync_ts: t - 2,
          uptime,
          ram_size: 245212,
          ram_free: rng.int(78_000, 90_000),
          ram_min_free: rng.int(70_000, 77_000),
          fs_size: 524288,
          fs_free: 188416,
          cfg_rev: 22,
          kvs_rev: 0,
          schedule_rev: 25,
          webhook_rev: 0,
          btrelay_rev: 0,
          bthc_rev: 0,
          available_updates: {},
          reset_reason: connection.reset ? 3 : 1,
          utc_offset: 0,
        },
        ui: {},
        wifi: {
          sta_ip: `192.0.2.${10 + (device.index % 240)}`,
          status: "got ip",
          ssid: "site-wifi",
          bssid: "00:00:5e:00:53:01",
          rssi: device.rssi + rng.int(-2, 2),
          sta_ip6: ["fe80::1"],
        },
        ws: { connected: true },
      },
    };
  }
}

/**
 * All frames of the fleet in time order (ts, then device index), generated lazily
 * `sliceMinutes` at a time (memory ∝ devices × sliceMinutes). Lost device-minutes are skipped.
 */
export function* fleetFrames(plan: FleetPlan, sliceMinutes = 60): Generator<ShellyFrame> {
  const sims = plan.devices.map((d) => new DeviceSimulator(plan, d));
  while (sims.some((s) => !s.done)) {
    const slice: ShellyFrame[] = [];
    for (const sim of sims) {
      for (let i = 0; i < sliceMinutes && !sim.done; i++) {
        for (const f of sim.step()) slice.push(f);
      }
    }
    slice.sort((a, b) => a.params.ts - b.params.ts);
    yield* slice;
  }
}
