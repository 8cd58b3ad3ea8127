import type { Cycle } from "../api/types";
import { frenchNumber } from "../i18n/format";

/** "12,3 kg" under a tonne, "6,58 t" above (the predecessor's rule). */
export function massText(kg: number): string {
  return Math.abs(kg) >= 1000 ? `${frenchNumber(kg / 1000, 2)} t` : `${frenchNumber(kg, 1)} kg`;
}

/** kWh per m³ treated; "-" when nothing was treated. */
export function kwhPerM3(energyKwh: number, volumeM3: number): string {
  return volumeM3 > 0 ? frenchNumber(energyKwh / volumeM3, 3) : "-";
}

/**
 * The part of the energy total that no cycle holds (an idle channel's draw, noise too small to be a cycle):
 * « dont 0,08 kWh hors cycles » when there is some at the shown precision (issue 21), else nothing.
 */
export function idleEnergyText(idleKwh: number): string {
  return Math.round(idleKwh * 100) > 0 ? `dont ${frenchNumber(idleKwh, 2)} kWh hors cycles` : "";
}

/** The flow rates the period's volumes were computed with, per channel: "PR1 : 18,0 puis 9,0 m³/h". */
export function flowRatesUsed(cycles: readonly Cycle[], channelName: (c: Cycle) => string): string[] {
  const byChannel = new Map<string, number[]>();
  for (const c of [...cycles].reverse()) {
    if (c.noise || c.pump_type !== "relevage" || c.flow_rate_m3h === null) continue;
    const name = channelName(c);
    const rates = byChannel.get(name) ?? [];
    if (rates[rates.length - 1] !== c.flow_rate_m3h) rates.push(c.flow_rate_m3h);
    byChannel.set(name, rates);
  }
  return [...byChannel].map(
    ([name, rates]) => `${name} : ${rates.map((r) => frenchNumber(r, 1)).join(" puis ")} m³/h`,
  );
}

/**
 * What the per-day figure divides by: « sur 8 jours suivis », the whole days the meter was monitored; the
 * period's own whole days beside them when the meter was not there all along (issue 21).
 */
export function monitoredDaysText(monitoredDays: number, wholeDays: number): string {
  const days = monitoredDays <= 1 ? `${monitoredDays} jour suivi` : `${monitoredDays} jours suivis`;
  return monitoredDays < wholeDays ? `sur ${days} (période : ${wholeDays} jours entiers)` : `sur ${days}`;
}
