/**
 * The per-minute readings a device's frames turn into, computed straight from the physics (no frames, no
 * ingestion): months of one channel in a fraction of a second, for tests of what is derived from readings.
 * Reading m is the complete frame at the boundary 60·m: the power at that instant, the energy of minute m − 1.
 */
import { type FleetPlan, minuteProfile } from "./fleet.js";

export interface SimReading {
  minute: number;
  apowerW: number | null;
  currentA: number | null;
  voltageV: number | null;
  energyTotalWh: number | null;
  energyLastMinuteWh: number | null;
}

export function* channelReadings(
  plan: FleetPlan,
  deviceIndex: number,
  channel: number,
  options: { withMinuteEnergy?: boolean } = {},
): Generator<SimReading> {
  const device = plan.devices[deviceIndex];
  const ch = device?.channels[channel];
  if (!device || !ch) throw new RangeError("no such device or channel");
  const first = plan.config.startS / 60 + 1;
  const last = plan.config.endS / 60;
  let previous = minuteProfile(plan, device, ch, first - 1);
  for (let m = first; m <= last; m++) {
    const profile = minuteProfile(plan, device, ch, m);
    let point = profile.points[0];
    for (const p of profile.points) if (p.t <= profile.t0) point = p;
    yield {
      minute: m,
      apowerW: point?.power ?? null,
      currentA: point?.current ?? null,
      voltageV: profile.voltage,
      energyTotalWh: null,
      energyLastMinuteWh: options.withMinuteEnergy === false ? null : previous.energyMWh / 1000,
    };
    previous = profile;
  }
}
