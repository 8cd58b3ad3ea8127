import type pg from "pg";

/**
 * The predecessor's figures (predecessor-spec §2), written again from the specification alone, to compare
 * with ours on the same data (docs/predecessor-comparison.md). Nothing here comes from src/: a test that
 * reused our code on both sides would find no difference to explain.
 */

export interface OldRecord {
  /** ms since the epoch, as stored (seconds kept) */
  ts: number;
  deviceId: string;
  channel: string;
  apowerW: number | null;
  currentA: number | null;
  voltageV: number | null;
}

export interface OldCycle {
  deviceId: string;
  channel: string;
  start: number;
  end: number | null;
  ongoing: boolean;
  /** last − first sample, minutes, 1 decimal (§2.1.4) */
  durationMin: number;
  records: number;
  avgPowerW: number | null;
  /** median of the voltages in [180, 260] (§2.1.7) */
  avgVoltageV: number | null;
}

export interface OldVersionRow {
  id: number;
  deviceId: string;
  channel: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  version: number;
  flowRate: number | null;
  pumpType: string | null;
  dbo5: number | null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * `detect_cycles` (§2.1): grouped by device and channel, a gap of ≥ 4 minutes ends a cycle at the previous
 * sample, no power threshold (the rows are whatever the Worker forwarded, 0 W stop rows included), closed
 * cycles under 2 minutes dropped, the last one ongoing while younger than the gap. Means skip null values.
 */
export function detectCycles(records: readonly OldRecord[], now: number, gapMin = 4, minMin = 2): OldCycle[] {
  const groups = new Map<string, OldRecord[]>();
  for (const r of records) {
    const key = `${r.deviceId}|${r.channel}`;
    const group = groups.get(key) ?? [];
    group.push(r);
    groups.set(key, group);
  }
  const cycles: OldCycle[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => a.ts - b.ts);
    const runs: OldRecord[][] = [];
    for (const r of group) {
      const run = runs[runs.length - 1];
      const last = run?.[run.length - 1];
      if (run && last && r.ts - last.ts < gapMin * 60_000) run.push(r);
      else runs.push([r]);
    }
    runs.forEach((run, i) => {
      const first = run[0] as OldRecord;
      const last = run[run.length - 1] as OldRecord;
      const durationMin = round((last.ts - first.ts) / 60_000, 1);
      const ongoing = i === runs.length - 1 && now - last.ts < gapMin * 60_000;
      if (!ongoing && durationMin < minMin) return;
      const powers = run.map((r) => r.apowerW).filter((w): w is number => w !== null);
      const volts = run.map((r) => r.voltageV).filter((v): v is number => v !== null && v >= 180 && v <= 260);
      const v = median(volts);
      cycles.push({
        deviceId: first.deviceId,
        channel: first.channel,
        start: first.ts,
        end: ongoing ? null : last.ts,
        ongoing,
        durationMin,
        records: run.length,
        avgPowerW: powers.length ? round(powers.reduce((a, b) => a + b, 0) / powers.length, 1) : null,
        avgVoltageV: v === null ? null : round(v, 1),
      });
    });
  }
  return cycles.sort((a, b) => b.start - a.start);
}

/**
 * `find_config_for_date_in_memory` (§1.4): versions ordered effective_from DESC, version DESC; the first
 * with effective_from ≤ d and (effective_to null or effective_to > d). `effective_to` read as exclusive is
 * the one-day hole of [GAP] 1.
 */
export function findVersion(
  versions: readonly OldVersionRow[],
  deviceId: string,
  channel: string,
  date: string,
): OldVersionRow | null {
  const candidates = versions
    .filter((v) => v.deviceId === deviceId && v.channel === channel)
    .sort((a, b) =>
      a.effectiveFrom !== b.effectiveFrom
        ? a.effectiveFrom < b.effectiveFrom
          ? 1
          : -1
        : b.version - a.version,
    );
  return (
    candidates.find((v) => v.effectiveFrom <= date && (v.effectiveTo === null || v.effectiveTo > date)) ??
    null
  );
}

/** `calculate_volume_m3` (§2.3): duration (h) × débit effectif, relevage only, 3 decimals; null otherwise. */
export function cycleVolume(cycle: OldCycle, version: OldVersionRow | null): number | null {
  if (version?.pumpType !== "relevage" || version.flowRate === null) return null;
  return round((cycle.durationMin / 60) * version.flowRate, 3);
}

/**
 * The "TRAITEMENT & IMPACT ENVIRONNEMENTAL" banner (§2.3, §2.5): Σ volumes of completed cycles (2
 * decimals), per day over ((end − 1 day) − start) + 1 days, CO₂e of that volume at the device's DBO5.
 */
export function treatment(
  volumes: readonly (number | null)[],
  startDate: string,
  endDate: string,
  dbo5MgL: number,
): { treatedM3: number; perDayM3: number; days: number; co2eKg: number; reductionPercent: number } {
  const treatedM3 = round(
    volumes.reduce<number>((a, v) => a + (v ?? 0), 0),
    2,
  );
  const days = (Date.parse(endDate) - 86_400_000 - Date.parse(startDate)) / 86_400_000 + 1;
  const perDayM3 = days > 0 ? round(treatedM3 / days, 2) : 0;
  if (treatedM3 <= 0 || dbo5MgL <= 0) return { treatedM3, perDayM3, days, co2eKg: 0, reductionPercent: 0 };
  const dbo5Kg = (treatedM3 * dbo5MgL) / 1000;
  const ch4Fosse = dbo5Kg * 0.6 * 0.5;
  const ch4Fpv = dbo5Kg * 0.6 * 0.03;
  return {
    treatedM3,
    perDayM3,
    days,
    co2eKg: round((ch4Fosse - ch4Fpv) * 28, 2),
    reductionPercent: round(((ch4Fosse - ch4Fpv) / ch4Fosse) * 100, 1),
  };
}

/** What the predecessor's `/api/pump-cycles` read for "Date début" 00:00:00Z → "Date fin" 23:59:59Z (§2.4). */
export async function oldRecords(db: pg.Client, startDate: string, endDate: string): Promise<OldRecord[]> {
  const { rows } = await db.query<OldRecord>(
    `SELECT (extract(epoch FROM "timestamp") * 1000)::float8 AS ts, device_id AS "deviceId", channel,
            apower_w AS "apowerW", current_a AS "currentA", voltage_v AS "voltageV"
     FROM power_logs WHERE "timestamp" BETWEEN $1 AND $2 ORDER BY "timestamp"`,
    [`${startDate}T00:00:00Z`, `${endDate}T23:59:59Z`],
  );
  return rows;
}

export async function oldVersions(db: pg.Client): Promise<OldVersionRow[]> {
  const { rows } = await db.query<OldVersionRow>(
    `SELECT id, device_id AS "deviceId", channel, to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom",
            to_char(effective_to, 'YYYY-MM-DD') AS "effectiveTo", version, flow_rate::float8 AS "flowRate",
            pump_type AS "pumpType", dbo5
     FROM device_config_versions`,
  );
  return rows;
}
