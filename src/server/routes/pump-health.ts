import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ChannelVersions } from "../../analytics/cycles-report.js";
import { pumpHealth } from "../../analytics/pump-health.js";
import type { ReadBudget } from "../../analytics/refresh-cycles.js";
import type { Clock } from "../../clock.js";
import { PumpHealthQuery, PumpHealthResponse } from "../../contracts/read.js";
import type { Database } from "../../db/database.js";
import { parsePeriod, periodErrorField } from "../../domain/period.js";
import { type MeterDirectory, principalOf } from "../../journal/meter-directory.js";
import { movedMeterDays } from "../../sites/zones.js";
import type { Access } from "../access.js";
import { AppError } from "../errors.js";

const round = (value: number | null, decimals: number) =>
  value === null ? null : Math.round(value * 10 ** decimals) / 10 ** decimals;

export const pumpHealthRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  clock: Clock;
  access: Access;
  directory: MeterDirectory;
  versions: ChannelVersions;
  cycleReadBudget?: ReadBudget;
  /** APP_TIMEZONE: the days of a meter while it was on no site */
  timeZone: string;
}> = async (app, { db, clock, access, directory, versions, cycleReadBudget, timeZone }) => {
  app.get(
    "/api/pump-health",
    {
      preHandler: access.requireReader,
      schema: {
        summary:
          "Santé d'une pompe : débit mesuré par la méthode volumétrique, par jour, contre sa référence ; " +
          "arrivée d'eau de la bâche, kWh/m³",
        querystring: PumpHealthQuery,
        response: { 200: PumpHealthResponse },
      },
    },
    async (request) => {
      const q = request.query;
      const meters = await directory.meters(principalOf(request.auth));
      const meter = meters.find((m) => m.deviceId === q.device_id);
      if (!meter) throw AppError.onField("device_id", "unknown_device", 404);
      const nowS = Math.floor(clock.now().getTime() / 1000);
      // a meter that moved between zones reads each part of its past in the zone it was in then (issue 18)
      const moved = await movedMeterDays(db, q.device_id, timeZone);
      const parsed = parsePeriod(q.from, q.to, moved?.calendar ?? meter.timeZone, nowS);
      if (!parsed.ok) throw AppError.onField(periodErrorField(parsed.error), parsed.error);
      const health = await pumpHealth(db, versions, {
        deviceId: q.device_id,
        channel: Number(q.channel.replace("switch:", "")),
        period: parsed.period,
        nowS,
        timeZone: meter.timeZone,
        ...(moved ? { calendar: moved.calendar } : {}),
        ...(cycleReadBudget ? { refreshBudget: cycleReadBudget } : {}),
      });
      return {
        ...(health.pendingSince === null
          ? {}
          : { refreshing: true, pending_since: health.pendingSince.toISOString() }),
        device_id: health.deviceId,
        channel: health.channel,
        baseline_flow_m3h: round(health.baselineFlowM3h, 2),
        flow_change_percent: round(health.flowChangePercent, 1),
        days: health.days.map((d) => ({
          date: d.date,
          starts: d.starts,
          runtime_min: round(d.runtimeMin, 1) ?? 0,
          energy_kwh: round(d.energyKwh, 3) ?? 0,
          measured_flow_m3h: round(d.measuredFlowM3h, 2),
          pumped_m3: round(d.pumpedM3, 2),
          inflow_m3: round(d.inflowM3, 2),
          kwh_per_m3: round(d.kwhPerM3, 3),
        })),
        sump: health.sump,
        sump_channels: health.sumpChannels,
      };
    },
  );
};
