import { RULE_NAMES_FR } from "../alerts/use-cases.js";
import type { ChannelFigures } from "../analytics/report-figures.js";
import { alertsActiveBetween } from "../db/queries/alert-notifications.js";
import type { RuleId } from "../domain/alerts/index.js";
import { localCalendar } from "../domain/config-versions/index.js";
import type { CycleSummary, FactorSet, GridFactor } from "../domain/impact/index.js";
import type { JournalLine } from "../domain/journal/index.js";
import { parseReportMonth, parseReportYear, type ReportPeriodError } from "../domain/reports/period.js";
import type { MessageCode } from "../i18n/fr.js";
import { journalOf } from "../journal/journal.js";
import type { Principal } from "../journal/meter-directory.js";
import { type ReportDeps, ReportError, type ReportTarget, reportTarget, targetFigures } from "./targets.js";

export interface ReportAlert {
  deviceId: string;
  meterName: string;
  /** null: the meter as a whole */
  channel: number | null;
  rule: string;
  startedAt: Date;
  endedAt: Date | null;
}

export interface ReportPump extends ChannelFigures {
  meterName: string;
}

/** What a report shows; the layout (document.ts) only formats it. */
export interface ReportData {
  kind: "monthly" | "annual";
  /** "2026-03" or "2026" */
  period: string;
  fromDate: string;
  toDate: string;
  title: string;
  timeZone: string;
  site: ReportTarget["site"];
  meters: ReportTarget["meters"];
  pumps: ReportPump[];
  dates: readonly string[];
  summary: CycleSummary;
  hasData: boolean;
  factorSet: FactorSet;
  gridFactor: GridFactor | null;
  alerts: ReportAlert[];
  /** written entries and automatic events other than alerts (those have their own section), oldest first */
  journal: JournalLine[];
  generatedAt: Date;
  /** the instant the period ends (local midnight after its last day) */
  periodEnd: Date;
  /** the period is still running (the current month or year): figures so far */
  partial: boolean;
  /** received readings not yet all turned into cycles (a backfill, an import): the figures are provisional */
  refreshing: boolean;
}

const MONTH_ERRORS: Record<ReportPeriodError, MessageCode> = {
  malformed: "invalid_month",
  future: "month_in_future",
  too_old: "month_too_old",
};
const YEAR_ERRORS: Record<ReportPeriodError, MessageCode> = {
  malformed: "invalid_year",
  future: "year_in_future",
  too_old: "year_too_old",
};

export interface ReportRequest {
  deviceId?: string | undefined;
  siteId?: string | undefined;
}

/** The monthly report of a meter or a site: `month` "YYYY-MM", begun in the target's zone. */
export function monthlyReport(
  deps: ReportDeps,
  principal: Principal,
  request: ReportRequest & { month: string },
  now: Date,
): Promise<ReportData> {
  return report(deps, principal, request, now, (today) => {
    const parsed = parseReportMonth(request.month, today);
    if (!parsed.ok) throw new ReportError(MONTH_ERRORS[parsed.error], 400, "month");
    return { kind: "monthly", period: parsed.value.month, ...parsed.value };
  });
}

/** The annual report (cahier de vie, section 3) of a site, or of a meter while it has no site. */
export function annualReport(
  deps: ReportDeps,
  principal: Principal,
  request: ReportRequest & { year: string },
  now: Date,
): Promise<ReportData> {
  return report(deps, principal, request, now, (today) => {
    const parsed = parseReportYear(request.year, today);
    if (!parsed.ok) throw new ReportError(YEAR_ERRORS[parsed.error], 400, "year");
    return { kind: "annual", period: String(parsed.value.year), ...parsed.value };
  });
}

async function report(
  deps: ReportDeps,
  principal: Principal,
  request: ReportRequest,
  now: Date,
  periodOf: (today: string) => {
    kind: "monthly" | "annual";
    period: string;
    fromDate: string;
    toDate: string;
  },
): Promise<ReportData> {
  const target = await reportTarget(deps.directory, principal, request);
  const nowS = Math.floor(now.getTime() / 1000);
  const calendar = localCalendar(target.timeZone);
  const today = calendar.dateOf(nowS);
  const p = periodOf(today);
  const figures = await targetFigures(deps, target, p, nowS);
  const from = new Date(calendar.dayStart(p.fromDate) * 1000);
  const to = new Date(calendar.dayStart(nextDate(p.toDate)) * 1000);
  const deviceIds = target.meters.map((m) => m.deviceId);
  const alertRows = await alertsActiveBetween(deps.db, deviceIds, from, to);
  const journal = (await journalOf(deps.db, deviceIds, from, to, target.timeZone))
    .filter((l) => l.kind !== "alert_opened" && l.kind !== "alert_closed")
    .reverse();
  const meterName = figures.meterName;
  return {
    ...p,
    title:
      target.site !== null
        ? target.site.name
        : target.meters
            .map((m) => (m.name === m.deviceId ? m.deviceId : `${m.name} (${m.deviceId})`))
            .join(", "),
    timeZone: target.timeZone,
    site: target.site,
    meters: target.meters,
    pumps: figures.channels.map((c) => ({ ...c, meterName: meterName(c.deviceId) })),
    dates: figures.dates,
    summary: figures.summary,
    hasData: figures.hasData,
    factorSet: figures.factorSet,
    gridFactor: figures.gridFactor,
    alerts: alertRows.map((a) => ({
      deviceId: a.device_id,
      meterName: meterName(a.device_id),
      channel: a.channel === -1 ? null : a.channel,
      rule: RULE_NAMES_FR[a.rule as RuleId] ?? a.rule,
      startedAt: a.started_at,
      endedAt: a.ended_at,
    })),
    journal,
    generatedAt: now,
    periodEnd: to,
    partial: p.toDate >= today,
    refreshing: figures.refreshing,
  };
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
