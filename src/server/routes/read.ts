import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { factorSetOf, type Settings } from "../../admin/settings.js";
import { CSV_HEADER, CSV_HEADER_VOLUMETRIC, csvLine, cycleCsvLine } from "../../analytics/cycles-csv.js";
import {
  type ChannelVersions,
  channelKey,
  cyclesExport,
  cyclesReport,
  type ReportedCycle,
} from "../../analytics/cycles-report.js";
import type { ReadBudget } from "../../analytics/refresh-cycles.js";
import { channelSeries } from "../../analytics/series.js";
import type { Clock } from "../../clock.js";
import {
  CyclesCsvQuery,
  CyclesQuery,
  CyclesResponse,
  DevicesResponse,
  SeriesQuery,
  SeriesResponse,
} from "../../contracts/read.js";
import type { Database } from "../../db/database.js";
import { devicesForDashboard } from "../../db/queries/devices-for-dashboard.js";
import type { ChannelRef } from "../../db/queries/stored-cycle.js";
import { localDateOf, parseCalendarDate, versionAt } from "../../domain/config-versions/index.js";
import { sortCycles } from "../../domain/cycle-order.js";
import { DEFAULT_CYCLE_SETTINGS } from "../../domain/cycles/index.js";
import { factorSetById } from "../../domain/impact/index.js";
import type { MeterScope } from "../../domain/meter-scope.js";
import { fleetPeriod, parsePeriod, periodErrorField } from "../../domain/period.js";
import { seriesWindow } from "../../domain/series/window.js";
import { fleetCalendars, meterZones, movedMeterDays, zoneOfMeters } from "../../sites/zones.js";
import { type Access, scopeOf } from "../access.js";
import { clientGoneSignal } from "../client-gone.js";
import { AppError } from "../errors.js";

const CHANNELS = [0, 1, 2, 3];
const CSV_PAGE_SIZE = 1000;
const PUMP_TYPE_LABELS = {
  relevage: "Poste de relevage",
  sortie: "Poste de sortie",
  autre: "Autre",
} as const;

export interface ReadRoutesOptions {
  db: Database;
  clock: Clock;
  access: Access;
  timeZone: string;
  /** the factor set and electricity factor in force (stored in the admin area, or the defaults) */
  settings: () => Promise<Settings>;
  versions: ChannelVersions;
  cycleReadBudget?: ReadBudget;
}

const iso = (unixS: number) => new Date(unixS * 1000).toISOString().replace(".000Z", "Z");
const round = (value: number | null, decimals: number) =>
  value === null ? null : Math.round(value * 10 ** decimals) / 10 ** decimals;
const channelNumber = (raw: string | undefined) =>
  raw === undefined ? undefined : Number(raw.replace("switch:", ""));

export const readRoutes: FastifyPluginAsyncTypebox<ReadRoutesOptions> = async (app, options) => {
  const { db, clock, access, timeZone, versions, settings, cycleReadBudget } = options;

  /** The channels a query names: one device's (one or all four), or every device's. */
  async function channelsOf(
    scope: MeterScope,
    deviceId: string | undefined,
    channel: number | undefined,
  ): Promise<{
    channels: ChannelRef[];
    zone: string;
    meters: { device_id: string; site_id: number | null }[];
  }> {
    const devices = await devicesForDashboard(db, scope);
    const chosen = deviceId === undefined ? devices : devices.filter((d) => d.device_id === deviceId);
    if (deviceId !== undefined && chosen.length === 0)
      throw AppError.onField("device_id", "unknown_device", 404);
    return {
      channels: chosen.flatMap((d) =>
        (channel === undefined ? CHANNELS : [channel]).map((c) => ({ deviceId: d.device_id, channel: c })),
      ),
      // the days are those of the meters' site (APP_TIMEZONE without one)
      zone: await zoneOfMeters(db, chosen, timeZone),
      meters: chosen,
    };
  }

  async function names(scope: MeterScope) {
    const devices = await devicesForDashboard(db, scope);
    const refs = devices.flatMap((d) => CHANNELS.map((channel) => ({ deviceId: d.device_id, channel })));
    const history = await versions.versionsOf(refs);
    const nowS = Math.floor(clock.now().getTime() / 1000);
    // each meter's names are those of its version in force on its own site's today (issue 18)
    const zoneOf = await meterZones(db, scope, timeZone);
    const todayOf = (deviceId: string) => localDateOf(nowS, zoneOf(deviceId));
    return { devices, history, todayOf };
  }

  app.get(
    "/api/devices",
    {
      preHandler: access.requireReader,
      schema: { summary: "Appareils et canaux, avec leurs noms", response: { 200: DevicesResponse } },
    },
    async (request) => {
      const { devices, history, todayOf } = await names(scopeOf(request));
      return {
        devices: devices.map((d) => ({
          device_id: d.device_id,
          name: d.name ?? d.device_id,
          model: d.model,
          last_seen: d.last_seen.toISOString(),
          channels: CHANNELS.map((channel) => {
            const v = versionAt(
              history.get(channelKey({ deviceId: d.device_id, channel })) ?? [],
              todayOf(d.device_id),
            );
            return { channel, name: v?.name ?? `switch:${channel}`, pump_type: v?.pumpType ?? null };
          }),
        })),
      };
    },
  );

  /** The cycles a query asks for; the same for the table, its summary and the CSV export. */
  async function cyclesQuery(scope: MeterScope, query: CyclesQuery) {
    const nowS = Math.floor(clock.now().getTime() / 1000);
    // Checked first in APP_TIMEZONE, so a bad date is refused before the meter is looked up, as before sites.
    const checked = parsePeriod(query.from, query.to, timeZone, nowS);
    if (!checked.ok) throw AppError.onField(periodErrorField(checked.error), checked.error);
    const { channels, zone, meters } = await channelsOf(scope, query.device_id, channelNumber(query.channel));
    // one meter that moved between zones reads each part of its past in the zone it was in then
    const moved = query.device_id === undefined ? null : await movedMeterDays(db, query.device_id, timeZone);
    // meters of several zones (no meter chosen): each reads the same from/to in its own days (issue 18)
    const fleet = query.device_id === undefined ? await fleetCalendars(db, meters, timeZone) : null;
    const fleetParsed =
      fleet === null ? null : fleetPeriod(query.from, query.to, meters, fleet.calendarOf, nowS);
    const parsed =
      fleetParsed ??
      (zone === timeZone && moved === null
        ? checked
        : parsePeriod(query.from, query.to, moved?.calendar ?? zone, nowS));
    if (!parsed.ok) throw AppError.onField(periodErrorField(parsed.error), parsed.error);
    // A request that names a set gets that set; otherwise the one chosen in the admin area.
    const stored = await settings();
    const factorSet =
      query.factor_set === undefined || query.factor_set === stored.factorSetChoice.id
        ? factorSetOf(stored.factorSetChoice, query.reference)
        : factorSetById(query.factor_set, query.reference ? { reference: query.reference } : {});
    return {
      gridFactor: stored.gridFactor,
      channels,
      period: parsed.period,
      includeNoise: query.include_noise ?? false,
      nowS,
      timeZone: zone,
      ...(moved ? { calendar: moved.calendar } : {}),
      ...(fleet && fleetParsed?.ok
        ? { meters: { calendarOf: fleet.calendarOf, periodOf: fleetParsed.periodOf } }
        : {}),
      zoneAt: moved
        ? (_deviceId: string, unixS: number) => moved.zoneAt(unixS)
        : fleet
          ? fleet.zoneAt
          : () => zone,
      factorSet,
      volumeMethod: query.volume_method ?? "flow_rate",
      ...(cycleReadBudget ? { refreshBudget: cycleReadBudget } : {}),
    };
  }

  const cycleItem = ({ cycle, date, impact }: ReportedCycle) => ({
    device_id: cycle.deviceId,
    channel: cycle.channel,
    date,
    start: iso(cycle.startMinute * 60),
    end: cycle.endMinute === null ? null : iso(cycle.endMinute * 60),
    ongoing: cycle.ongoing,
    samples: cycle.samples,
    duration_min: round(cycle.durationMin, 1) ?? 0,
    runtime_min: round(cycle.runtimeMin, 1) ?? 0,
    avg_power_w: round(cycle.avgPowerW, 1) ?? 0,
    avg_current_a: round(cycle.avgCurrentA, 2),
    median_voltage_v: round(cycle.medianVoltageV, 1),
    energy_kwh: round(impact.energyKwh, 4) ?? 0,
    pump_type: impact.pumpType,
    flow_rate_m3h: impact.flowRateM3h,
    volume_m3: round(impact.volumeM3, 3),
    co2e_avoided_kg: round(impact.co2eAvoidedKg, 2),
    noise: cycle.noise,
  });

  app.get(
    "/api/cycles",
    {
      preHandler: access.requireReader,
      schema: {
        summary:
          "Cycles de pompage d'une période, les plus récents d'abord, et le résumé de toute la période",
        querystring: CyclesQuery,
        response: { 200: CyclesResponse },
      },
    },
    async (request, reply) => {
      const signal = clientGoneSignal(reply);
      const { gridFactor, zoneAt: _zones, ...query } = await cyclesQuery(scopeOf(request), request.query);
      const result = await cyclesReport(db, versions, {
        ...query,
        limit: request.query.limit ?? 1000,
        gridFactor,
        signal,
      });
      const s = result.summary;
      return {
        cycles: result.cycles.map(cycleItem),
        total: result.total,
        summary: {
          cycles: s.cycles,
          ongoing: s.ongoing,
          avg_duration_min: round(s.avgDurationMin, 1),
          median_power_w: round(s.medianPowerW, 1),
          power_range_w: s.powerRangeW
            ? [round(s.powerRangeW[0], 1) ?? 0, round(s.powerRangeW[1], 1) ?? 0]
            : null,
          median_current_a: round(s.medianCurrentA, 2),
          current_range_a: s.currentRangeA
            ? [round(s.currentRangeA[0], 2) ?? 0, round(s.currentRangeA[1], 2) ?? 0]
            : null,
          treated_volume_m3: round(s.treatedVolumeM3, 2) ?? 0,
          treated_volume_per_day_m3: round(s.treatedVolumePerDayM3, 2) ?? 0,
          whole_days: s.wholeDays,
          monitored_days: s.monitoredDays,
          energy_kwh: round(s.energyKwh, 3) ?? 0,
          idle_energy_kwh: round(s.idleEnergyKwh, 3) ?? 0,
          co2e_avoided_kg: round(s.co2eAvoidedKg, 1) ?? 0,
          ch4_avoided_kg: round(s.ch4AvoidedKg, 2) ?? 0,
          mes_retained_kg: round(s.mesRetainedKg, 1) ?? 0,
          electricity_co2e_kg: round(s.electricityCo2eKg, 2),
          grid_factor_source: gridFactor?.source ?? null,
          noise_cycles: s.noiseCycles,
          cycles_without_flow_rate: s.cyclesWithoutFlowRate,
          reduction_percent: round(s.reductionPercent, 1) ?? 0,
          factor_set: s.factorSet,
          volume_method: query.volumeMethod,
        },
        ...(result.refreshing === null
          ? {}
          : {
              refreshing: true,
              ...(result.refreshing.since === null
                ? {}
                : { pending_since: result.refreshing.since.toISOString() }),
            }),
      } as never;
    },
  );

  app.get(
    "/api/cycles.csv",
    {
      preHandler: access.requireReader,
      schema: {
        summary: "Les cycles du tableau en CSV (séparateur « ; », en-tête en français)",
        querystring: CyclesCsvQuery,
        produces: ["text/csv"],
      },
    },
    async (request, reply) => {
      const { sort, order, ...filters } = request.query;
      const { gridFactor: _unused, zoneAt, ...query } = await cyclesQuery(scopeOf(request), filters);
      const pages = await cyclesExport(db, versions, {
        ...query,
        pageSize: CSV_PAGE_SIZE,
      });
      const { devices, history, todayOf } = await names(scopeOf(request));
      const deviceName = new Map(devices.map((d) => [d.device_id, d.name ?? d.device_id]));
      const channelName = (deviceId: string, channel: number) =>
        versionAt(history.get(channelKey({ deviceId, channel })) ?? [], todayOf(deviceId))?.name ??
        `switch:${channel}`;
      // A sorted export needs every row before the first: it sorts the API's own (rounded) values, the
      // ones the table sorted, so ties fall the same way; the original order still streams page by page.
      async function* sorted() {
        const all: { item: ReturnType<typeof cycleItem>; reported: ReportedCycle }[] = [];
        for await (const page of pages) for (const r of page) all.push({ item: cycleItem(r), reported: r });
        const index = new Map(all.map((x) => [x.item, x.reported]));
        const rows = sortCycles(
          all.map((x) => x.item),
          sort ?? null,
          order ?? "desc",
        );
        for (let i = 0; i < rows.length; i += CSV_PAGE_SIZE)
          yield rows.slice(i, i + CSV_PAGE_SIZE).map((row) => index.get(row) as ReportedCycle);
      }
      async function* lines() {
        yield `\uFEFF${csvLine(query.volumeMethod === "volumetric" ? CSV_HEADER_VOLUMETRIC : CSV_HEADER)}`;
        for await (const page of sort ? sorted() : pages) {
          // one chunk per page: the stream writes it while the next page is read
          yield page
            .map((reported) => {
              // the figures the table shows (the API's rounding), so a cell never differs from its row
              const { cycle, impact } = reported;
              const item = cycleItem(reported);
              return cycleCsvLine(
                {
                  deviceName: deviceName.get(cycle.deviceId) ?? cycle.deviceId,
                  channelName: channelName(cycle.deviceId, cycle.channel),
                  startS: cycle.startMinute * 60,
                  endS: cycle.endMinute === null ? null : cycle.endMinute * 60,
                  ongoing: cycle.ongoing,
                  noise: cycle.noise,
                  durationMin: item.duration_min,
                  runtimeMin: item.runtime_min,
                  avgPowerW: item.avg_power_w,
                  avgCurrentA: item.avg_current_a,
                  medianVoltageV: item.median_voltage_v,
                  energyKwh: item.energy_kwh,
                  pumpTypeLabel: impact.pumpType ? PUMP_TYPE_LABELS[impact.pumpType] : "-",
                  flowRateM3h: impact.flowRateM3h,
                  volumeM3: item.volume_m3,
                  co2eAvoidedKg: item.co2e_avoided_kg,
                },
                // a moved meter's cycle in the zone of the site it was on then
                zoneAt(cycle.deviceId, cycle.startMinute * 60),
              );
            })
            .join("");
        }
      }
      const day = localDateOf(Math.floor(clock.now().getTime() / 1000), query.timeZone);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="cycles_pompes_filtreplante_${day}.csv"`)
        .send(Readable.from(lines()));
    },
  );

  app.get(
    "/api/series",
    {
      preHandler: access.requireReader,
      schema: {
        summary: "Puissance et courant par canal, en pas alignés, sur 24 h, 7 j ou 30 j",
        querystring: SeriesQuery,
        response: { 200: SeriesResponse },
      },
    },
    async (request) => {
      const { device_id: deviceId, period = "24h", end } = request.query;
      const nowS = Math.floor(clock.now().getTime() / 1000);
      if (end !== undefined && parseCalendarDate(end) === null) throw AppError.onField("end", "invalid_end");
      const { channels, zone } = await channelsOf(
        scopeOf(request),
        deviceId,
        channelNumber(request.query.channel),
      );
      // a meter that moved between zones: its chosen day in the zone it was in then (issue 18)
      const moved = deviceId === undefined ? null : await movedMeterDays(db, deviceId, timeZone);
      const window = seriesWindow(
        period,
        end ? { kind: "day", date: end } : { kind: "now", nowS },
        moved?.calendar ?? zone,
      );
      const history = await versions.versionsOf(channels);
      const today = localDateOf(nowS, zone);
      const settings = channels.map((c) => {
        const v = versionAt(history.get(channelKey(c)) ?? [], today);
        return {
          channel: c.channel,
          thresholdW: v?.activityThresholdW ?? DEFAULT_CYCLE_SETTINGS.activityThresholdW,
          name: v?.name ?? `switch:${c.channel}`,
        };
      });
      const series = await channelSeries(db, deviceId, settings, window);
      return {
        start: iso(window.startS),
        end: iso(window.endS),
        bucket_seconds: window.bucketSeconds,
        series: series.map((s, i) => ({
          channel: s.channel,
          name: settings[i]?.name ?? `switch:${s.channel}`,
          t: s.t.map(iso),
          power_w: s.powerW,
          current_a: s.currentA,
          active_min: s.activeMin,
        })),
      };
    },
  );
};
