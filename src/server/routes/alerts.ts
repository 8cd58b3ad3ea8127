import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import {
  AlertError,
  acknowledge,
  backtestWhenFresh,
  type CandidateThreshold,
  listAlerts,
  maintenanceOf,
  planMaintenance,
  rulesOf,
  setRule,
} from "../../alerts/use-cases.js";
import type { ReadBudget } from "../../analytics/refresh-cycles.js";
import type { Clock } from "../../clock.js";
import {
  AcknowledgeBody,
  Alert,
  AlertList,
  AlertsQuery,
  Backtest,
  BacktestQuery,
  DeviceParam,
  MaintenanceBody,
  MaintenanceList,
  MaintenanceWindow,
  RuleBody,
  RuleList,
} from "../../contracts/alerts.js";
import type { Database } from "../../db/database.js";
import type { MaintenanceRow } from "../../db/queries/alerts.js";
import type { RuleId } from "../../domain/alerts/index.js";
import { type DaysOf, parsePeriod, periodErrorField } from "../../domain/period.js";
import { meterZones, movedMeterDays } from "../../sites/zones.js";
import { type Access, currentUser, scopeOf } from "../access.js";
import { AppError } from "../errors.js";

const SECURITY = [{ session: [] }];

function mapError(error: unknown): never {
  if (error instanceof AlertError) {
    if (error.code === "unknown_device") throw AppError.onField("device_id", "unknown_device", 404);
    if (error.code === "invalid_alert_id") throw AppError.onField("id", "invalid_alert_id", 400);
    throw new AppError("alert_not_found", 404);
  }
  throw error;
}

const windowView = (w: MaintenanceRow) => ({
  id: `${w.device_id}:${w.id}`,
  device_id: w.device_id,
  channel: w.channel === -1 ? null : w.channel,
  starts_at: w.starts_at.toISOString(),
  ends_at: w.ends_at.toISOString(),
  reason: w.reason,
  created_by: w.created_by,
});

export const alertRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  clock: Clock;
  access: Access;
  timeZone: string;
  cycleReadBudget?: ReadBudget;
}> = async (app, { db, clock, access, timeZone, cycleReadBudget }) => {
  const period = (from: string | undefined, to: string | undefined, zone: DaysOf = timeZone) => {
    const parsed = parsePeriod(from, to, zone, Math.floor(clock.now().getTime() / 1000));
    if (!parsed.ok) throw AppError.onField(periodErrorField(parsed.error), parsed.error);
    return { from: new Date(parsed.period.fromS * 1000), to: new Date(parsed.period.toS * 1000) };
  };

  app.get(
    "/api/alerts",
    {
      schema: {
        summary: "Alertes, les plus récentes d'abord",
        security: SECURITY,
        querystring: AlertsQuery,
        response: { 200: AlertList },
      },
      preHandler: access.requireReader,
    },
    async (request) => {
      const q = request.query;
      // Each alert's times in its meter's zone; a period in the named meter's (APP_TIMEZONE across meters).
      const zoneOf = await meterZones(db, scopeOf(request), timeZone);
      // a named meter that moved between zones: its dates and its alerts' times in the zone it was in then
      const moved = q.device_id ? await movedMeterDays(db, q.device_id, timeZone) : null;
      // No period given: every alert (the 30-day default of /api/cycles would hide a long-open one).
      const p =
        q.from || q.to
          ? period(q.from, q.to, q.device_id ? (moved?.calendar ?? zoneOf(q.device_id)) : timeZone)
          : null;
      return listAlerts(
        db,
        scopeOf(request),
        {
          state: q.state ?? "all",
          deviceId: q.device_id ?? null,
          channel: q.channel ?? null,
          rule: q.rule ?? null,
          from: p?.from ?? null,
          to: p?.to ?? null,
          limit: q.limit ?? 100,
        },
        (deviceId, atS) => (moved && deviceId === q.device_id ? moved.zoneAt(atS) : zoneOf(deviceId)),
      ).catch(mapError);
    },
  );

  app.post(
    "/api/alerts/:id/acknowledge",
    {
      schema: {
        summary: "Acquitter une alerte avec un commentaire (exploitant du site ou administrateur)",
        security: SECURITY,
        params: Type.Object({ id: Type.String({ minLength: 3, maxLength: 160 }) }),
        body: AcknowledgeBody,
        response: { 200: Alert },
      },
      preHandler: access.requireSession("operator"),
    },
    async (request) => {
      const user = currentUser(request);
      const zoneOf = await meterZones(db, scopeOf(request), timeZone);
      return acknowledge(
        db,
        scopeOf(request),
        request.params.id,
        user?.email ?? "",
        request.body.comment,
        clock.now(),
        zoneOf(request.params.id.slice(0, Math.max(0, request.params.id.lastIndexOf(":")))),
      ).catch(mapError);
    },
  );

  app.get(
    "/api/alerts/backtest",
    {
      schema: {
        summary: "Rejouer les règles sur une période passée (n'enregistre et n'envoie rien)",
        security: SECURITY,
        querystring: BacktestQuery,
        response: { 200: Backtest },
      },
      preHandler: access.requireReader,
    },
    async (request) => {
      const q = request.query;
      const zone = (await meterZones(db, scopeOf(request), timeZone))(q.device_id);
      // a meter that moved between zones: its dates and its hours of the day in the zone it was in then
      const moved = await movedMeterDays(db, q.device_id, timeZone);
      const p = period(q.from, q.to, moved?.calendar ?? zone);
      let candidate: CandidateThreshold | undefined;
      if (q.threshold !== undefined) {
        if (q.rule === undefined) throw AppError.onField("rule", "backtest_rule_required");
        // The meter's rule is replayed with every channel; a channel's rules with that channel.
        if ((q.rule === "meter_offline") !== (q.channel === undefined))
          throw AppError.onField("channel", "backtest_channel_required");
        candidate = { rule: q.rule as RuleId, channel: q.channel ?? null, threshold: q.threshold };
      }
      const { alerts, pendingSince } = await backtestWhenFresh(db, {
        deviceId: q.device_id,
        channel: q.channel ?? null,
        ...p,
        timeZone: zone,
        ...(moved ? { zoneAt: moved.zoneAt } : {}),
        candidate,
        nowS: Math.floor(clock.now().getTime() / 1000),
        ...(cycleReadBudget ? { refreshBudget: cycleReadBudget } : {}),
      }).catch(mapError);
      return {
        ...(pendingSince === null ? {} : { refreshing: true, pending_since: pendingSince.toISOString() }),
        alerts: alerts.map((a) => ({
          device_id: q.device_id,
          channel: a.channel,
          rule: a.rule,
          started_at: new Date(a.startedMinute * 60_000).toISOString(),
          ended_at: a.endedMinute === null ? null : new Date(a.endedMinute * 60_000).toISOString(),
          value: a.value,
          threshold: a.threshold,
        })),
      };
    },
  );

  app.get(
    "/api/alerts/rules/:device_id",
    {
      schema: {
        summary: "Règles d'alerte d'un appareil : seuil appliqué, seuil appris à côté",
        security: SECURITY,
        params: DeviceParam,
        response: { 200: RuleList },
      },
      preHandler: access.requireReader,
    },
    async (request) => {
      const zone = (await meterZones(db, scopeOf(request), timeZone))(request.params.device_id);
      return { rules: await rulesOf(db, request.params.device_id, clock.now(), zone).catch(mapError) };
    },
  );

  app.put(
    "/api/alerts/rules/:device_id",
    {
      schema: {
        summary: "Activer/désactiver une règle ou forcer son seuil (null : seuil appris) — administrateur",
        security: SECURITY,
        params: DeviceParam,
        body: RuleBody,
        response: { 200: RuleList },
      },
      preHandler: access.requireSession("admin"),
    },
    async (request) => {
      const b = request.body;
      const channel = b.rule === "meter_offline" ? null : b.channel;
      if (b.rule !== "meter_offline" && channel === null)
        throw AppError.onField("channel", "invalid_request");
      await setRule(db, {
        deviceId: request.params.device_id,
        channel,
        rule: b.rule as RuleId,
        enabled: b.enabled,
        threshold: b.threshold,
        at: clock.now(),
        by: currentUser(request)?.email ?? "",
      }).catch(mapError);
      return { rules: await rulesOf(db, request.params.device_id, clock.now(), timeZone) };
    },
  );

  app.get(
    "/api/alerts/maintenance/:device_id",
    {
      schema: {
        summary: "Fenêtres de maintenance en cours ou à venir (aucune alerte ne s'ouvre pendant)",
        security: SECURITY,
        params: DeviceParam,
        response: { 200: MaintenanceList },
      },
      preHandler: access.requireReader,
    },
    async (request) => ({
      windows: (await maintenanceOf(db, request.params.device_id, clock.now())).map(windowView),
    }),
  );

  app.post(
    "/api/alerts/maintenance/:device_id",
    {
      schema: {
        summary: "Planifier une fenêtre de maintenance (voie, ou null : tout le compteur) — administrateur",
        security: SECURITY,
        params: DeviceParam,
        body: MaintenanceBody,
        response: { 201: MaintenanceWindow },
      },
      preHandler: access.requireSession("admin"),
    },
    async (request, reply) => {
      const b = request.body;
      const startsAt = new Date(b.starts_at);
      const endsAt = new Date(b.ends_at);
      if (!(endsAt > startsAt)) throw AppError.onField("ends_at", "invalid_maintenance");
      const row = await planMaintenance(db, {
        deviceId: request.params.device_id,
        channel: b.channel,
        startsAt,
        endsAt,
        reason: b.reason ?? null,
        by: currentUser(request)?.email ?? "",
      }).catch(mapError);
      return reply.code(201).send(windowView(row));
    },
  );
};
