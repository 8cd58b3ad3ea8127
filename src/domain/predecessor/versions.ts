import { addDays, parseCalendarDate } from "../config-versions/calendar-date.js";
import { ConfigVersionError } from "../config-versions/errors.js";
import {
  type ChannelConfig,
  type ConfigVersion,
  DEFAULT_CHANNEL_CONFIG,
  FIRST_ALLOWED_DATE,
  LAST_ALLOWED_DATE,
  PUMP_TYPES,
  type PumpType,
} from "../config-versions/types.js";
import { validateChannelConfig } from "../config-versions/validate.js";
import { parseOldChannel } from "./readings.js";

/** One row of the predecessor's `device_config_versions` (predecessor-spec §1.4). */
export interface OldVersion {
  id: number;
  deviceId: string;
  channel: string;
  /** "YYYY-MM-DD" (year 206 reads "0206-…") */
  effectiveFrom: string;
  effectiveTo: string | null;
  version: number;
  channelName: string | null;
  /** already mapped to our catalogue; null when unknown */
  pumpModelId: number | null;
  flowRate: number | null;
  pumpType: string | null;
  dbo5: number | null;
  dco: number | null;
  mes: number | null;
}

/** One row of the predecessor's `device_config` (current values, §1.3), pump model already mapped. */
export interface OldDeviceConfig {
  deviceId: string;
  channel: string;
  deviceName: string | null;
  channelName: string | null;
  pumpModelId: number | null;
  flowRate: number | null;
  pumpType: string | null;
  dbo5: number | null;
  dco: number | null;
  mes: number | null;
}

export type VersionProblem =
  | "date_out_of_range"
  | "channel_invalid"
  | "invalid_values"
  | "same_date"
  | "one_day_hole"
  | "gap"
  | "overlap"
  | "closed_last_version"
  | "flow_rate_zero"
  | "no_version";

export interface VersionIssue {
  device_id: string;
  channel: number | string;
  problem: VersionProblem;
  /** what the import did, in French, for the operator */
  action: string;
  /** the predecessor's row(s) concerned */
  old_ids: number[];
}

export interface ChannelHistoryPlan {
  deviceId: string;
  channel: number;
  versions: ConfigVersion[];
}

export interface VersionsPlan {
  channels: ChannelHistoryPlan[];
  repaired: VersionIssue[];
  refused: VersionIssue[];
}

/** A channel that has readings, and the local date of its first one. */
export interface ChannelWithData {
  deviceId: string;
  channel: number;
  firstDate: string;
}

const fr = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/**
 * Turns the predecessor's version rows into histories our schema accepts (a tiling of [first date, ∞) per
 * channel), repairing what its code got wrong (§1.4 [GAP] 1–4, bugs 12, 13, 16) and saying so:
 *
 * - an impossible date (year 206, outside 2000–2100) is refused, never guessed;
 * - several rows of one date (corrections): the highest version wins, as the predecessor meant;
 * - each version runs until the next one starts, whatever its `effective_to` said: the one-day hole left by
 *   `effective_to = D − 1` (read as exclusive) and longer holes are closed by extending the earlier version,
 *   an overlap left by back-dating is cut where the later version starts, and a last version left closed
 *   (its successor was deleted or refused) stays in force;
 * - a channel with readings but no version gets one from its first reading's date, with the values of
 *   `device_config` where it has them and the predecessor's defaults otherwise (relevage, DBO5 570, DCO
 *   1250, MES 650; threshold 10 W, stop gap 4 min, minimum cycle 2 min).
 */
export function planVersionImport(
  oldVersions: readonly OldVersion[],
  deviceConfig: readonly OldDeviceConfig[],
  channelsWithData: readonly ChannelWithData[],
): VersionsPlan {
  const repaired: VersionIssue[] = [];
  const refused: VersionIssue[] = [];
  const configOf = new Map<string, OldDeviceConfig>();
  for (const c of deviceConfig) {
    const channel = parseOldChannel(c.channel);
    if (channel !== null) configOf.set(`${c.deviceId}\u0000${channel}`, c);
  }

  const byChannel = new Map<string, { deviceId: string; channel: number; rows: OldVersion[] }>();
  for (const row of oldVersions) {
    const channel = parseOldChannel(row.channel);
    if (channel === null) {
      refused.push(
        issue(
          row.deviceId,
          row.channel,
          "channel_invalid",
          `version ignorée : canal « ${row.channel} » inconnu`,
          [row.id],
        ),
      );
      continue;
    }
    if (!isAllowedDate(row.effectiveFrom)) {
      refused.push(
        issue(
          row.deviceId,
          channel,
          "date_out_of_range",
          `version ignorée : date d'effet ${row.effectiveFrom} impossible (hors ${FIRST_ALLOWED_DATE} … ${LAST_ALLOWED_DATE})`,
          [row.id],
        ),
      );
      continue;
    }
    const key = `${row.deviceId}\u0000${channel}`;
    let entry = byChannel.get(key);
    if (!entry) {
      entry = { deviceId: row.deviceId, channel, rows: [] };
      byChannel.set(key, entry);
    }
    entry.rows.push(row);
  }

  const channels: ChannelHistoryPlan[] = [];
  for (const { deviceId, channel, rows } of byChannel.values()) {
    const fallback = configOf.get(`${deviceId}\u0000${channel}`) ?? null;
    const kept = keepLatestPerDate(rows, (dropped, winner) =>
      repaired.push(
        issue(
          deviceId,
          channel,
          "same_date",
          `plusieurs versions au ${fr(winner.effectiveFrom)} : la dernière saisie (version ${winner.version}) est gardée`,
          [winner.id, ...dropped.map((d) => d.id)],
        ),
      ),
    );
    const versions: ConfigVersion[] = [];
    for (let i = 0; i < kept.length; i++) {
      const row = kept[i] as OldVersion;
      const next = kept[i + 1];
      const effectiveTo = next ? next.effectiveFrom : null;
      const oldTo = row.effectiveTo;
      if (next) {
        if (oldTo === null || oldTo > next.effectiveFrom) {
          repaired.push(
            issue(
              deviceId,
              channel,
              "overlap",
              `version du ${fr(row.effectiveFrom)} ${oldTo === null ? "restée ouverte" : `allant jusqu'au ${oldTo}`} : arrêtée au ${fr(next.effectiveFrom)}, début de la suivante`,
              [row.id, next.id],
            ),
          );
        } else if (oldTo === addDays(next.effectiveFrom, -1)) {
          repaired.push(
            issue(
              deviceId,
              channel,
              "one_day_hole",
              `le ${fr(oldTo)} n'avait aucune version : la version du ${fr(row.effectiveFrom)} le couvre`,
              [row.id, next.id],
            ),
          );
        } else if (oldTo < next.effectiveFrom) {
          repaired.push(
            issue(
              deviceId,
              channel,
              "gap",
              `du ${fr(oldTo)} au ${fr(addDays(next.effectiveFrom, -1))} sans version : la version du ${fr(row.effectiveFrom)} les couvre`,
              [row.id, next.id],
            ),
          );
        }
      } else if (oldTo !== null) {
        repaired.push(
          issue(
            deviceId,
            channel,
            "closed_last_version",
            `dernière version (du ${fr(row.effectiveFrom)}) close au ${oldTo} sans suivante : elle reste en vigueur`,
            [row.id],
          ),
        );
      }
      const config = toConfig(row, fallback, (problem, action) =>
        repaired.push(issue(deviceId, channel, problem, action, [row.id])),
      );
      if (config === null) {
        refused.push(
          issue(
            deviceId,
            channel,
            "invalid_values",
            `version du ${fr(row.effectiveFrom)} ignorée : valeurs invalides`,
            [row.id],
          ),
        );
        continue;
      }
      versions.push({
        ...config,
        effectiveFrom: row.effectiveFrom,
        effectiveTo,
        version: Math.max(1, row.version),
      });
    }
    // a refused row in the middle would leave a hole: the previous version runs on
    for (let i = 0; i < versions.length; i++) {
      (versions[i] as ConfigVersion).effectiveTo = versions[i + 1]?.effectiveFrom ?? null;
    }
    if (versions.length > 0) channels.push({ deviceId, channel, versions });
  }

  const planned = new Set(channels.map((c) => `${c.deviceId}\u0000${c.channel}`));
  for (const data of channelsWithData) {
    const key = `${data.deviceId}\u0000${data.channel}`;
    if (planned.has(key)) continue;
    const fallback = configOf.get(key) ?? null;
    const config = toConfig(null, fallback, (problem, action) =>
      repaired.push(issue(data.deviceId, data.channel, problem, action, [])),
    );
    if (config === null) continue;
    channels.push({
      deviceId: data.deviceId,
      channel: data.channel,
      versions: [{ ...config, effectiveFrom: data.firstDate, effectiveTo: null, version: 1 }],
    });
    repaired.push(
      issue(
        data.deviceId,
        data.channel,
        "no_version",
        fallback
          ? `relevés sans version : une version au ${fr(data.firstDate)} (premier relevé) reprend device_config`
          : `relevés sans version ni configuration : une version au ${fr(data.firstDate)} (premier relevé) avec les valeurs par défaut de l'ancien service`,
        [],
      ),
    );
  }
  channels.sort((a, b) =>
    a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.channel - b.channel,
  );
  return { channels, repaired, refused };
}

function isAllowedDate(date: string): boolean {
  return parseCalendarDate(date) !== null && date >= FIRST_ALLOWED_DATE && date <= LAST_ALLOWED_DATE;
}

function issue(
  deviceId: string,
  channel: number | string,
  problem: VersionProblem,
  action: string,
  oldIds: number[],
): VersionIssue {
  return { device_id: deviceId, channel, problem, action, old_ids: oldIds };
}

/** Sorted by date, one row per date: the highest version, then the highest id (the latest entry). */
function keepLatestPerDate(
  rows: readonly OldVersion[],
  onDropped: (dropped: OldVersion[], winner: OldVersion) => void,
): OldVersion[] {
  const sorted = [...rows].sort((a, b) =>
    a.effectiveFrom !== b.effectiveFrom
      ? a.effectiveFrom < b.effectiveFrom
        ? -1
        : 1
      : b.version - a.version || b.id - a.id,
  );
  const kept: OldVersion[] = [];
  for (let i = 0; i < sorted.length; ) {
    const winner = sorted[i] as OldVersion;
    let j = i + 1;
    while (j < sorted.length && (sorted[j] as OldVersion).effectiveFrom === winner.effectiveFrom) j++;
    if (j > i + 1) onDropped(sorted.slice(i + 1, j), winner);
    kept.push(winner);
    i = j;
  }
  return kept;
}

function toConfig(
  row: OldVersion | null,
  fallback: OldDeviceConfig | null,
  report: (problem: VersionProblem, action: string) => void,
): ChannelConfig | null {
  const source = row ?? fallback;
  let flow = source?.flowRate ?? null;
  if (flow !== null && flow <= 0) {
    report(
      "flow_rate_zero",
      `débit effectif ${flow} m³/h (accepté par l'ancien service) importé comme non renseigné`,
    );
    flow = null;
  }
  const pumpType = (PUMP_TYPES as readonly string[]).includes(source?.pumpType ?? "")
    ? (source?.pumpType as PumpType)
    : DEFAULT_CHANNEL_CONFIG.pumpType;
  try {
    return validateChannelConfig({
      name: (row?.channelName ?? fallback?.channelName ?? null)?.slice(0, 100) ?? null,
      pumpType,
      flowRateM3h: flow,
      pumpModelId: source?.pumpModelId ?? null,
      dbo5MgL: source?.dbo5 ?? DEFAULT_CHANNEL_CONFIG.dbo5MgL,
      dcoMgL: source?.dco ?? DEFAULT_CHANNEL_CONFIG.dcoMgL,
      mesMgL: source?.mes ?? DEFAULT_CHANNEL_CONFIG.mesMgL,
      activityThresholdW: DEFAULT_CHANNEL_CONFIG.activityThresholdW,
      stopGapMin: DEFAULT_CHANNEL_CONFIG.stopGapMin,
      minCycleMin: DEFAULT_CHANNEL_CONFIG.minCycleMin,
      sump: DEFAULT_CHANNEL_CONFIG.sump,
      sumpVolumeM3: DEFAULT_CHANNEL_CONFIG.sumpVolumeM3,
    });
  } catch (error) {
    if (error instanceof ConfigVersionError) return null;
    throw error;
  }
}
