import type { Logger } from "pino";
import { versionsOfChannels } from "../admin/config-versions.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import { devicesForDashboard } from "../db/queries/devices-for-dashboard.js";
import { localDateOf } from "../domain/config-versions/index.js";
import { EVERY_METER } from "../domain/meter-scope.js";
import { zonesOfDevices } from "../sites/zones.js";
import { settingsFromVersions } from "./cycles-report.js";
import { refreshPendingCycles } from "./refresh-cycles.js";

/**
 * Brings stored cycles up to date in the background, so that reads rarely have anything left to do.
 * One run at a time; a failed run is logged and the next tick tries again.
 */
export function startCycleUpkeep(deps: {
  db: Database;
  clock: Clock;
  timeZone: string;
  logger: Logger;
  intervalMs: number;
  /** called after each run that refreshed cycles (the alert evaluator's cycle rules) */
  onRefreshed?: () => void;
}): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;

  const run = async () => {
    const now = deps.clock.now();
    const nowS = Math.floor(now.getTime() / 1000);
    const devices = await devicesForDashboard(deps.db, EVERY_METER);
    const channels = devices.flatMap((d) =>
      [0, 1, 2, 3].map((channel) => ({ deviceId: d.device_id, channel })),
    );
    const versions = await versionsOfChannels(deps.db, channels);
    // Each meter's settings are those of its version in force today in its site's zone: a version written at
    // 23:30 UTC for a Paris meter is dated the next day, and a rebuild run then with APP_TIMEZONE's today would
    // store its cycles with the previous settings until the next change (issue 18).
    const zoneOf = await zonesOfDevices(deps.db, devices, deps.timeZone);
    const summary = await refreshPendingCycles(deps.db, {
      nowMinute: Math.floor(nowS / 60),
      settingsFor: (deviceId, channel) =>
        settingsFromVersions(versions, localDateOf(nowS, zoneOf(deviceId)))(deviceId, channel),
      detectedAt: now,
    });
    for (const failure of summary.failed) {
      deps.logger.error(
        { err: failure.error, deviceId: failure.deviceId, channel: failure.channel },
        "cycle refresh failed",
      );
    }
    if (summary.written + summary.deleted > 0) deps.onRefreshed?.();
  };

  const timer = setInterval(() => {
    if (running || stopped) return;
    running = run()
      .catch((error) => deps.logger.warn({ err: error }, "cycle upkeep skipped"))
      .finally(() => {
        running = null;
      });
  }, deps.intervalMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
