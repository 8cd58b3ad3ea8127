/**
 * Live evaluation: one round looks at every device at its data time and applies the lifecycle to the
 * stored alerts. Only the holder of the evaluator lease runs rounds, so several instances raise each alert
 * once (and the one-open-alert index makes a second insert a no-op should two rounds ever overlap).
 */
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import {
  type AlertRow,
  alertCyclesOf,
  alertReadingsOf,
  devicesToWatch,
  lastReadingOf,
  maintenanceWindowsOf,
  openAlert,
  openAlertsOf,
  resolveAlert,
  ruleSettingsOf,
  sendsWhenIdle,
  takeEvaluatorLease,
  updateOpenAlert,
} from "../db/queries/alerts.js";
import {
  type AlertCycle,
  type Condition,
  evaluateChannel,
  evaluateMeter,
  isHealthRule,
  type Learned,
  LIMITS,
  LOOKBACK_MIN,
  learnChannel,
  meterVoltage,
  type OpenAlert,
  type RuleId,
  SEVERITY,
  step,
  timeOfDayIn,
} from "../domain/alerts/index.js";
import { EVERY_METER } from "../domain/meter-scope.js";
import { meterZones } from "../sites/zones.js";
import { healthSumps, toCondition } from "./health.js";
import { cyclesByChannel, fromMinute, overridesOf, readingsByChannel, silenced, toMinute } from "./load.js";

export interface RoundSummary {
  devices: number;
  opened: number;
  resolved: number;
  /** statements sent to the database */
  reads: number;
}

export interface EvaluatorOptions {
  /** this instance's name in the lease */
  holder: string;
  /** how long a lease lasts without renewal (default 90 s) */
  leaseMs?: number;
  /** devices evaluated at once (default 4) */
  concurrency?: number;
  /** what was learned this hour, kept between rounds (the service keeps one; none: learn every round) */
  cache?: EvaluatorCache;
  /** queue e-mails for new and resolved alerts (SMTP configured; default true); the webhook is per its settings */
  emails?: boolean;
  /**
   * `APP_TIMEZONE` (default UTC), the zone of a meter on no site: Pompe inactive compares the hours of the
   * day of each meter's site, and the health rules cut its days there
   */
  timeZone?: string;
}

interface CachedDevice {
  hour: number;
  /** per channel, the latest cycles that started more than a day before the hour */
  older: Map<number, AlertCycle[]>;
  learned: Map<number, Learned>;
  /** pump_wear and inflow_high at the start of the hour: they are judged hourly */
  health: Condition[];
}
export type EvaluatorCache = Map<string, CachedDevice>;

/** The rules look at the latest cycles only (see RECENT_CYCLES in the domain's replay). */
const RECENT_CYCLES = 64;

const CHANNELS = [0, 1, 2, 3];

/** One evaluation round at `now`; null when another instance holds the lease. */
export async function evaluateRound(
  db: Database,
  now: Date,
  options: EvaluatorOptions,
): Promise<RoundSummary | null> {
  const leaseMs = options.leaseMs ?? 90_000;
  if (!(await takeEvaluatorLease(db, options.holder, now, new Date(now.getTime() + leaseMs)))) return null;
  const nowMinute = toMinute(now);
  const defaultZone = options.timeZone ?? "UTC";
  // each meter's hours of the day are its site's (issue 18)
  const zoneOf = await meterZones(db, EVERY_METER, defaultZone);
  const devices = await devicesToWatch(db);
  const ids = devices.map((d) => d.device_id);
  const [open, settings, windows] = await Promise.all([
    openAlertsOf(db, ids),
    ruleSettingsOf(db, ids),
    maintenanceWindowsOf(db, ids, fromMinute(nowMinute - 1440)),
  ]);
  const summary: RoundSummary = { devices: devices.length, opened: 0, resolved: 0, reads: 7 };
  const notify = { at: now, emails: options.emails ?? true };

  // Devices are independent: a few at once keep a pool's connections busy (PGlite serialises them anyway).
  let nextDevice = 0;
  const worker = async () => {
    for (let d = devices[nextDevice++]; d !== undefined; d = devices[nextDevice++]) await evaluateDevice(d);
  };
  const evaluateDevice = async (device: { device_id: string; first_seen: Date }) => {
    const id = device.device_id;
    const zone = zoneOf(id);
    const timeOfDay = timeOfDayIn(zone);
    const last = await lastReadingOf(db, id);
    const lastMinute = last ? toMinute(last) : null;
    const idle = await sendsWhenIdle(db, id, fromMinute(nowMinute - 7 * 1440));
    summary.reads += 2;
    // Data time: a meter that reports every minute is judged as of its last reading, so a late batch
    // is evaluated where it belongs; one that only reports running pumps can only be judged by the clock.
    const t = idle && lastMinute !== null ? Math.min(nowMinute, lastMinute) : nowMinute;
    const mayOpen = t >= nowMinute - LIMITS.offlineMin;
    const conditions: Condition[] = [];
    if (lastMinute !== null) {
      const hour = Math.floor(t / 60) * 60;
      const cached = options.cache?.get(id);
      const hit = cached !== undefined && cached.hour === hour;
      // Within an hour the learned figures do not change: only the last day's cycles are read again.
      const [cycleRows, readingRows] = await Promise.all([
        alertCyclesOf(db, id, fromMinute(hit ? hour - 1440 : hour - LOOKBACK_MIN), fromMinute(t)),
        alertReadingsOf(db, id, fromMinute(t - 60), fromMinute(t)),
      ]);
      summary.reads += 2;
      const cycles = cyclesByChannel(cycleRows);
      const readings = readingsByChannel(readingRows);
      const firstMinute = toMinute(device.first_seen);
      const entry: CachedDevice = hit ? cached : { hour, older: new Map(), learned: new Map(), health: [] };
      const voltage: Parameters<typeof meterVoltage>[0][number][] = [];
      for (const channel of CHANNELS) {
        const fresh = cycles.get(channel) ?? [];
        if (!hit) {
          const older = fresh.filter((c) => c.startMinute < hour - 1440);
          entry.older.set(channel, older.slice(-RECENT_CYCLES));
          entry.learned.set(channel, learnChannel(fresh, t, firstMinute, timeOfDay));
        }
        const own = hit ? [...(entry.older.get(channel) ?? []), ...fresh] : fresh;
        const learned = entry.learned.get(channel) as Learned;
        const input = {
          channel,
          cycles: own,
          readings: readings.get(channel) ?? [],
          firstMinute,
          overrides: overridesOf(settings, id, channel),
        };
        for (const condition of evaluateChannel(input, t, learned)) {
          if (condition.rule === "voltage") voltage.push({ condition, override: input.overrides.voltage });
          else conditions.push(condition);
        }
      }
      // one supply fault is one alert for the meter, not one per channel
      conditions.push(...meterVoltage(voltage, t));
      if (!hit) {
        const overrides = (channel: number) => overridesOf(settings, id, channel);
        const sumps = await healthSumps(db, {
          deviceId: id,
          fromS: hour * 60,
          toS: hour * 60 + 1,
          timeZone: zone,
          overridesOf: overrides,
        });
        summary.reads += 1 + sumps.length * 3;
        entry.health = sumps.flatMap((sump) =>
          sump.step(hour * 60).map((s) => toCondition(s, overrides(s.channel ?? -1))),
        );
        // An open pump_wear / inflow_high whose pump is no longer judged (its sump volume removed, no longer a
        // lift pump) has nothing left to hold it: it resolves like a condition gone clear.
        for (const a of open) {
          if (a.device_id !== id || !isHealthRule(a.rule as RuleId)) continue;
          if (entry.health.some((c) => c.rule === a.rule && c.channel === a.channel)) continue;
          entry.health.push({
            rule: a.rule as RuleId,
            channel: a.channel,
            active: false,
            value: null,
            threshold: null,
            since: null,
            source: "default",
            lowerIsWorse: a.rule === "pump_wear",
          });
        }
      }
      conditions.push(...entry.health);
      options.cache?.set(id, entry);
    }
    conditions.push(
      evaluateMeter(
        {
          lastReadingMinute: lastMinute,
          sendsWhenIdle: idle,
          override: overridesOf(settings, id, -1).meter_offline,
        },
        nowMinute,
      ),
    );
    for (const condition of conditions) {
      const channel = condition.channel ?? -1;
      const stored = open.find(
        (a) => a.device_id === id && a.rule === condition.rule && a.channel === channel,
      );
      const at = condition.rule === "meter_offline" ? nowMinute : t;
      const change = step(stored ? toOpen(stored) : null, condition, at, {
        silenced: silenced(windows, id, condition.channel, at),
        // The meter rule is judged at the clock's minute: never a look at the past.
        mayOpen: mayOpen || condition.rule === "meter_offline",
      });
      if (change.kind === "open") {
        const inserted = await openAlert(
          db,
          {
            deviceId: id,
            channel,
            rule: condition.rule,
            severity: SEVERITY[condition.rule],
            startedAt: fromMinute(change.alert.startedMinute),
            value: change.alert.peak,
            threshold: change.alert.threshold,
            source: condition.source,
          },
          notify,
        );
        if (inserted) summary.opened++;
      } else if (change.kind === "update" && stored) {
        const clear = change.alert.clearSince === null ? null : fromMinute(change.alert.clearSince);
        await updateOpenAlert(db, id, stored.id, change.alert.peak, clear);
      } else if (change.kind === "resolve" && stored) {
        if (await resolveAlert(db, id, stored.id, fromMinute(change.endedMinute), notify)) summary.resolved++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return summary;
}

function toOpen(row: AlertRow): OpenAlert {
  return {
    startedMinute: toMinute(row.started_at),
    peak: row.value,
    threshold: row.threshold,
    clearSince: row.clear_since ? toMinute(row.clear_since) : null,
  };
}

/**
 * Runs a round every `intervalMs` (the absence rules) and whenever `poke()` is called (after a cycle
 * refresh, for the cycle rules). Rounds never overlap; a poke during a round runs one more after it.
 */
export function startAlertEvaluation(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
  holder: string;
  intervalMs: number;
  /** how long the lease lasts without renewal (default 90 s) */
  leaseMs?: number;
  emails?: boolean;
  timeZone?: string;
}): { poke(): void; stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const cache: EvaluatorCache = new Map();
  let again = false;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = evaluateRound(deps.db, deps.clock.now(), {
      holder: deps.holder,
      cache,
      ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
      ...(deps.emails === undefined ? {} : { emails: deps.emails }),
      timeZone: deps.timeZone,
    })
      .then(() => undefined)
      .catch((error) => deps.logger.warn({ err: error }, "alert evaluation skipped"))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, deps.intervalMs);
  timer.unref();
  return {
    poke: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
