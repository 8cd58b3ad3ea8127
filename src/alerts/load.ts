/** Turns stored rows into the domain's inputs. */
import type { AlertCycleRow, AlertReadingRow, MaintenanceRow, RuleSettingRow } from "../db/queries/alerts.js";
import type { AlertCycle, AlertReading, Overrides, RuleId } from "../domain/alerts/index.js";

export const toMinute = (d: Date) => Math.floor(d.getTime() / 60_000);
export const fromMinute = (m: number) => new Date(m * 60_000);

export function cyclesByChannel(rows: readonly AlertCycleRow[]): Map<number, AlertCycle[]> {
  const out = new Map<number, AlertCycle[]>();
  for (const r of rows) {
    const list = out.get(r.channel) ?? [];
    list.push({
      startMinute: Number(r.start_minute),
      lastActiveMinute: Number(r.last_active_minute),
      noise: r.noise,
      avgPowerW: r.avg_power_w,
      avgCurrentA: r.avg_current_a,
    });
    out.set(r.channel, list);
  }
  return out;
}

export function readingsByChannel(rows: readonly AlertReadingRow[]): Map<number, AlertReading[]> {
  const out = new Map<number, AlertReading[]>();
  for (const r of rows) {
    const list = out.get(r.channel) ?? [];
    list.push({
      minute: Number(r.minute),
      apowerW: r.apower_w,
      currentA: r.current_a,
      voltageV: r.voltage_v,
    });
    out.set(r.channel, list);
  }
  return out;
}

/** Overrides of one device by channel (-1: the meter). */
export function overridesOf(rows: readonly RuleSettingRow[], deviceId: string, channel: number): Overrides {
  const out: Overrides = {};
  for (const r of rows) {
    if (r.device_id === deviceId && r.channel === channel) {
      out[r.rule as RuleId] = { enabled: r.enabled, threshold: r.threshold };
    }
  }
  return out;
}

/** Whether a maintenance window of the device covers that channel (or the whole meter) at minute m. */
export function silenced(
  rows: readonly MaintenanceRow[],
  deviceId: string,
  channel: number | null,
  m: number,
): boolean {
  return rows.some(
    (w) =>
      w.device_id === deviceId &&
      (w.channel === -1 || w.channel === (channel ?? -1)) &&
      toMinute(w.starts_at) <= m &&
      m < toMinute(w.ends_at),
  );
}
