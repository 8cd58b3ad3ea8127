import type { Settings } from "../admin/settings.js";
import { factorSetOf } from "../admin/settings.js";
import type { ChannelVersions } from "../analytics/cycles-report.js";
import { channelKey } from "../analytics/cycles-report.js";
import type { ReadBudget } from "../analytics/refresh-cycles.js";
import { type PeriodFigures, periodFigures } from "../analytics/report-figures.js";
import type { Database } from "../db/database.js";
import type { ChannelRef } from "../db/queries/stored-cycle.js";
import { JournalError, resolveTarget } from "../journal/journal.js";
import type { DirectoryMeter, DirectorySite, MeterDirectory, Principal } from "../journal/meter-directory.js";

const CHANNELS = [0, 1, 2, 3];

export interface ReportDeps {
  db: Database;
  directory: MeterDirectory;
  versions: ChannelVersions;
  settings: () => Promise<Settings>;
  refreshBudget?: ReadBudget;
}

export interface ReportTarget {
  meters: DirectoryMeter[];
  site: DirectorySite | null;
  timeZone: string;
}

export { JournalError as ReportError };

/** The meters a report names (one meter, or a site's), as the principal may see them; 404 otherwise. */
export function reportTarget(
  directory: MeterDirectory,
  principal: Principal,
  target: { deviceId?: string | undefined; siteId?: string | undefined },
): Promise<ReportTarget> {
  return resolveTarget(directory, principal, target);
}

export interface TargetFigures extends PeriodFigures {
  meterName: (deviceId: string) => string;
  factorSet: ReturnType<typeof factorSetOf>;
  gridFactor: Settings["gridFactor"];
}

/**
 * The figures of a target's pumps over local dates: every channel that is configured (or ran in the period),
 * with the factor set chosen in the admin area — the one the dashboard shows by default.
 */
export async function targetFigures(
  deps: ReportDeps,
  target: ReportTarget,
  period: { fromDate: string; toDate: string },
  nowS: number,
): Promise<TargetFigures> {
  const stored = await deps.settings();
  const factorSet = factorSetOf(stored.factorSetChoice);
  const all: ChannelRef[] = target.meters.flatMap((m) =>
    CHANNELS.map((channel) => ({ deviceId: m.deviceId, channel })),
  );
  const history = await deps.versions.versionsOf(all);
  const figures = await periodFigures(deps.db, deps.versions, {
    channels: all,
    fromDate: period.fromDate,
    toDate: period.toDate,
    timeZone: target.timeZone,
    nowS,
    factorSet,
    gridFactor: stored.gridFactor,
    ...(deps.refreshBudget ? { refreshBudget: deps.refreshBudget } : {}),
  });
  // A channel never configured and silent over the period is not a pump of this report.
  const channels = figures.channels.filter(
    (c) =>
      (history.get(channelKey(c))?.length ?? 0) > 0 || c.days.some((d) => d.starts > 0 || d.energyKwh > 0),
  );
  const names = new Map(target.meters.map((m) => [m.deviceId, m.name]));
  return {
    ...figures,
    channels,
    meterName: (deviceId) => names.get(deviceId) ?? deviceId,
    factorSet,
    gridFactor: stored.gridFactor,
  };
}
