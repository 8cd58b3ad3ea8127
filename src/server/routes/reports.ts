import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { csvLine } from "../../analytics/cycles-csv.js";
import { DAILY_CSV_HEADER, dailyCsvLine } from "../../analytics/daily-csv.js";
import { pumpHealth } from "../../analytics/pump-health.js";
import type { Clock } from "../../clock.js";
import {
  AnnualReportQuery,
  DailyCsvQuery,
  MonthlyReportQuery,
  ReportPreferences,
} from "../../contracts/journal.js";
import { reportPreferenceOf } from "../../db/queries/report-preference.js";
import { saveReportPreference } from "../../db/queries/save-report-preference.js";
import { localDateOf } from "../../domain/config-versions/index.js";
import { parsePeriod, periodErrorField } from "../../domain/period.js";
import type { PumpDay } from "../../domain/pump-health/daily.js";
import { principalOf } from "../../journal/meter-directory.js";
import { annualDocument, monthlyDocument } from "../../reports/document.js";
import { annualReport, monthlyReport } from "../../reports/monthly.js";
import { renderPdf } from "../../reports/pdf.js";
import { type ReportDeps, reportTarget, targetFigures } from "../../reports/targets.js";
import { type Access, currentUser } from "../access.js";
import { AppError } from "../errors.js";
import { mapJournalError } from "./journal.js";

const SECURITY = [{ session: [] }];

export const reportRoutes: FastifyPluginAsyncTypebox<ReportDeps & { clock: Clock; access: Access }> = async (
  app,
  options,
) => {
  const { clock, access, ...deps } = options;
  const nowS = () => Math.floor(clock.now().getTime() / 1000);

  async function target(request: { auth?: unknown; query: { device_id?: string; site_id?: string } }) {
    try {
      return await reportTarget(deps.directory, principalOf(request.auth as never), {
        deviceId: request.query.device_id,
        siteId: request.query.site_id,
      });
    } catch (error) {
      mapJournalError(error);
    }
  }

  app.get(
    "/api/reports/daily.csv",
    {
      preHandler: access.requireReader,
      schema: {
        summary:
          "Une ligne par jour local et par voie : démarrages, durée de marche, volume, énergie (séparateur « ; »)",
        security: SECURITY,
        querystring: DailyCsvQuery,
        produces: ["text/csv"],
      },
    },
    async (request, reply) => {
      const t = await target(request);
      const now = nowS();
      const parsed = parsePeriod(request.query.from, request.query.to, t.timeZone, now);
      if (!parsed.ok) throw AppError.onField(periodErrorField(parsed.error), parsed.error);
      const figures = await targetFigures(deps, t, parsed.period, now);
      // the volumetric method's figures (issue 17): measured where a sump and its volume are configured
      const measured = new Map<string, Map<string, PumpDay>>();
      // a sump's inflow is the sump's, not a pump's: printed once, on the row of its first pump
      const showsInflow = new Set<string>();
      for (const c of figures.channels) {
        const health = await pumpHealth(deps.db, deps.versions, {
          deviceId: c.deviceId,
          channel: c.channel,
          period: parsed.period,
          nowS: now,
          timeZone: t.timeZone,
          ...(deps.refreshBudget ? { refreshBudget: deps.refreshBudget } : {}),
        });
        measured.set(`${c.deviceId}_${c.channel}`, new Map(health.days.map((d) => [d.date, d])));
        if (c.channel === Math.min(...health.sumpChannels, c.channel))
          showsInflow.add(`${c.deviceId}_${c.channel}`);
      }
      function* lines() {
        yield `\uFEFF${csvLine(DAILY_CSV_HEADER)}`;
        for (const [i, date] of figures.dates.entries()) {
          yield figures.channels
            .map((c) => {
              const day = c.days[i] ?? { date, starts: 0, runtimeMin: 0, volumeM3: null, energyKwh: 0 };
              return dailyCsvLine({
                ...day,
                meterName: figures.meterName(c.deviceId),
                channelName: c.name,
                measuredFlowM3h:
                  measured.get(`${c.deviceId}_${c.channel}`)?.get(date)?.measuredFlowM3h ?? null,
                inflowM3: showsInflow.has(`${c.deviceId}_${c.channel}`)
                  ? (measured.get(`${c.deviceId}_${c.channel}`)?.get(date)?.inflowM3 ?? null)
                  : null,
              });
            })
            .join("");
        }
      }
      const day = localDateOf(now, t.timeZone);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="journalier_pompes_filtreplante_${day}.csv"`)
        .send(Readable.from(lines()));
    },
  );

  /** `inline`: shown in the page; `?download=1` saves it. */
  const disposition = (name: string, download: boolean) =>
    `${download ? "attachment" : "inline"}; filename="${name.replace(/[^\w.-]+/g, "_")}"`;

  app.get(
    "/api/reports/monthly.pdf",
    {
      preHandler: access.requireReader,
      schema: {
        summary:
          "Rapport mensuel d'un compteur ou d'un site en PDF : par pompe démarrages, durée, volume estimé, énergie, kWh/m³, CO₂e ; volumes journaliers ; alertes ; journal",
        security: SECURITY,
        querystring: MonthlyReportQuery,
        produces: ["application/pdf"],
      },
    },
    async (request, reply) => {
      const q = request.query;
      const data = await monthlyReport(
        deps,
        principalOf(request.auth),
        { deviceId: q.device_id, siteId: q.site_id, month: q.month },
        clock.now(),
      ).catch(mapJournalError);
      const pdf = await renderPdf(monthlyDocument(data));
      const who = q.site_id ?? q.device_id ?? "rapport";
      return reply
        .type("application/pdf")
        .header(
          "content-disposition",
          disposition(`rapport_mensuel_${who}_${data.period}.pdf`, q.download === "1"),
        )
        .send(pdf);
    },
  );

  app.get(
    "/api/reports/annual.pdf",
    {
      preHandler: access.requireReader,
      schema: {
        summary:
          "Rapport annuel d'un site (cahier de vie, section 3 ; arrêté du 21 juillet 2015, art. 20) en PDF",
        security: SECURITY,
        querystring: AnnualReportQuery,
        produces: ["application/pdf"],
      },
    },
    async (request, reply) => {
      const q = request.query;
      const data = await annualReport(
        deps,
        principalOf(request.auth),
        { deviceId: q.device_id, siteId: q.site_id, year: q.year },
        clock.now(),
      ).catch(mapJournalError);
      const pdf = await renderPdf(annualDocument(data));
      const who = q.site_id ?? q.device_id ?? "rapport";
      return reply
        .type("application/pdf")
        .header(
          "content-disposition",
          disposition(`rapport_annuel_${who}_${data.period}.pdf`, q.download === "1"),
        )
        .send(pdf);
    },
  );

  app.get(
    "/api/reports/preferences/me",
    {
      preHandler: access.requireSession(),
      schema: {
        summary: "Ma préférence : recevoir le rapport mensuel de mes sites par e-mail le 1er du mois",
        security: SECURITY,
        response: { 200: ReportPreferences },
      },
    },
    async (request) => {
      const me = currentUser(request);
      return { monthly_email: me ? await reportPreferenceOf(deps.db, me.id) : false };
    },
  );

  app.put(
    "/api/reports/preferences/me",
    {
      preHandler: access.requireSession(),
      schema: {
        summary: "Choisir de recevoir (ou non) le rapport mensuel par e-mail le 1er du mois",
        security: SECURITY,
        body: ReportPreferences,
        response: { 200: ReportPreferences },
      },
    },
    async (request) => {
      const me = currentUser(request);
      if (!me) throw new AppError("forbidden", 403);
      await saveReportPreference(deps.db, me.id, request.body.monthly_email, clock.now());
      return { monthly_email: request.body.monthly_email };
    },
  );
};
