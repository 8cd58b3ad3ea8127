import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { csvLine } from "../../analytics/cycles-csv.js";
import { DAILY_CSV_HEADER, dailyCsvLine } from "../../analytics/daily-csv.js";
import type { Clock } from "../../clock.js";
import { DailyCsvQuery } from "../../contracts/journal.js";
import { localDateOf } from "../../domain/config-versions/index.js";
import { parsePeriod, periodErrorField } from "../../domain/period.js";
import { principalOf } from "../../journal/meter-directory.js";
import { type ReportDeps, reportTarget, targetFigures } from "../../reports/targets.js";
import type { Access } from "../access.js";
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
                measuredFlowM3h: null,
                inflowM3: null,
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
};
