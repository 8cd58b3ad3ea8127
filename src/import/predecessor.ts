import type { Database, Queryable } from "../db/database.js";
import {
  insertChannelVersion,
  liveVersionsOfChannel,
  lockChannelHistory,
} from "../db/queries/channel-versions.js";
import { type AuditEntry, appendConfigAudit } from "../db/queries/config-audit.js";
import { type ImportedSpan, recordImportedHistory } from "../db/queries/imported-history.js";
import {
  continuePumpModelIdsAfterMax,
  insertPumpModelWithId,
  nameUnnamedDevices,
  registerDevicesWithoutReadings,
  registeredDevices,
} from "../db/queries/predecessor-import.js";
import {
  countPowerLogs,
  fetchPowerLogs,
  type OldPumpModel,
  oldConfigVersions,
  oldDeviceConfig,
  oldPumpModels,
  openPowerLogCursor,
  predecessorTables,
} from "../db/queries/predecessor-source.js";
import { insertPumpModel, listPumpModelsByName } from "../db/queries/pump-models.js";
import { type DeviceSighting, type StoredBatch, storeReadings } from "../db/queries/store-readings.js";
import { localDateOf } from "../domain/config-versions/index.js";
import {
  type PowerLogRow,
  readingFromPowerLog,
  type SkipReason,
  sameKey,
} from "../domain/predecessor/readings.js";
import {
  type ChannelWithData,
  type OldDeviceConfig,
  planVersionImport,
  type VersionIssue,
} from "../domain/predecessor/versions.js";
import { mergeInto as mergeRow, type RankedReading } from "../domain/ranked-reading.js";

/** The predecessor's Worker forwarded only messages above this power (predecessor-spec §4.3). */
export const PREDECESSOR_FILTER_W = 10;
export const IMPORT_ACTOR = "import:predecessor";

export interface ImportOptions {
  /** the predecessor's database, inside a read-only transaction that stays open for the whole import */
  source: Queryable;
  target: Database;
  dryRun: boolean;
  timeZone: string;
  now: Date;
  /** merged readings per stored batch (one statement each) */
  batchRows?: number;
  onProgress?: (read: number, total: number) => void;
}

export interface ImportReport {
  dry_run: boolean;
  readings: {
    /** rows of power_logs read */
    read: number;
    /** minutes (device, channel) whose row was created or changed */
    stored: number;
    /** minutes that changed nothing: already imported, or every field already held by a live frame */
    duplicates: number;
    /** rows merged into another row of the same device, channel and minute */
    merged_in_minute: number;
    /** voltages of 0 V imported as "not measured" */
    zero_volt_as_null: number;
    skipped: Partial<Record<SkipReason, number>>;
  };
  devices: { with_readings: number; registered_from_config: string[]; named: string[] };
  pump_models: {
    read: number;
    same_id: number[];
    mapped: { old_id: number; new_id: number | null; name: string; reason: string }[];
    refused: { old_id: number; name: string; reason: string }[];
  };
  versions: {
    /** channels whose history was written */
    channels: number;
    /** version rows written */
    imported: number;
    /** channels left alone because they already have a history (a previous import, or entered here) */
    already_present: number;
    repaired: VersionIssue[];
    refused: VersionIssue[];
  };
  filtered_history: {
    device_id: string;
    channel: number;
    from: string;
    to: string;
    rows: number;
    rows_at_most_10_w: number;
  }[];
}

export class PredecessorImportError extends Error {
  override readonly name = "PredecessorImportError";
}

class DryRunRollback extends Error {
  constructor(readonly result: StoredBatch) {
    super("dry run");
  }
}

interface ChannelStats {
  deviceId: string;
  channel: number;
  firstMinute: number;
  lastMinute: number;
  rows: number;
  atMostW: number;
}

/**
 * Imports the predecessor's database into ours: pump models, device names, readings (through the
 * ingestion's own upsert, ranked below every live frame), the repaired configuration history, and the spans
 * of filtered history. Each step is idempotent, so a second run, or a run after one that was killed,
 * ends with the same database as one clean run. Cycles are not computed here: the stored readings queue
 * their refresh like any ingested batch.
 */
export async function importPredecessor(options: ImportOptions): Promise<ImportReport> {
  const { source, target, dryRun, now } = options;
  const tables = await predecessorTables(source);
  if (!tables.has("power_logs")) {
    throw new PredecessorImportError(
      "la base source n'a pas de table power_logs : ce n'est pas la base de l'ancien service",
    );
  }

  const report: ImportReport = {
    dry_run: dryRun,
    readings: { read: 0, stored: 0, duplicates: 0, merged_in_minute: 0, zero_volt_as_null: 0, skipped: {} },
    devices: { with_readings: 0, registered_from_config: [], named: [] },
    pump_models: { read: 0, same_id: [], mapped: [], refused: [] },
    versions: { channels: 0, imported: 0, already_present: 0, repaired: [], refused: [] },
    filtered_history: [],
  };

  const modelIds = await importPumpModels(
    target,
    tables.has("pump_models") ? await oldPumpModels(source) : [],
    report,
    dryRun,
    now,
  );
  const mapModel = (id: number | null) => (id === null ? null : (modelIds.get(id) ?? null));
  const deviceConfig: OldDeviceConfig[] = (
    tables.has("device_config") ? await oldDeviceConfig(source) : []
  ).map((c) => ({ ...c, pumpModelId: mapModel(c.pumpModelId) }));
  const oldVersions = (tables.has("device_config_versions") ? await oldConfigVersions(source) : []).map(
    (v) => ({
      ...v,
      pumpModelId: mapModel(v.pumpModelId),
    }),
  );

  const stats = await importReadings(options, report);
  report.devices.with_readings = new Set([...stats.values()].map((s) => s.deviceId)).size;

  const channelsWithData: ChannelWithData[] = [...stats.values()].map((s) => ({
    deviceId: s.deviceId,
    channel: s.channel,
    firstDate: localDateOf(s.firstMinute * 60, options.timeZone),
  }));
  const plan = planVersionImport(oldVersions, deviceConfig, channelsWithData);
  report.versions.repaired = plan.repaired;
  report.versions.refused = plan.refused;

  // Devices known only from their configuration: registered as first seen on their first version's date.
  const planned = [...new Set(plan.channels.map((c) => c.deviceId))];
  const known = dryRun
    ? new Set([...stats.values()].map((s) => s.deviceId))
    : await registeredDevices(target, planned);
  const missing = planned.filter((d) => !known.has(d));
  if (missing.length > 0) {
    const byDevice = new Map<string, string>();
    for (const c of plan.channels) {
      const first = c.versions[0]?.effectiveFrom as string;
      const seen = byDevice.get(c.deviceId);
      if (seen === undefined || first < seen) byDevice.set(c.deviceId, first);
    }
    for (const deviceId of missing) {
      if (!dryRun) {
        await registerDevicesWithoutReadings(
          target,
          [deviceId],
          new Date(`${byDevice.get(deviceId)}T00:00:00Z`),
        );
      }
      report.devices.registered_from_config.push(deviceId);
    }
  }

  const names = new Map<string, string>();
  for (const c of deviceConfig) {
    const name = c.deviceName?.trim().slice(0, 100);
    if (name && !names.has(c.deviceId)) names.set(c.deviceId, name);
  }
  const toName = [...names].map(([deviceId, name]) => ({ deviceId, name }));
  report.devices.named = dryRun ? toName.map((n) => n.deviceId) : await nameUnnamedDevices(target, toName);

  for (const channel of plan.channels) {
    const written = dryRun
      ? channel.versions.length
      : await target.transaction(async (tx) => {
          await lockChannelHistory(tx, channel.deviceId, channel.channel);
          if ((await liveVersionsOfChannel(tx, channel.deviceId, channel.channel)).length > 0) return 0;
          const audit: AuditEntry[] = [];
          for (const version of channel.versions) {
            const inserted = await insertChannelVersion(tx, {
              ...version,
              deviceId: channel.deviceId,
              channel: channel.channel,
              createdAt: now,
              createdBy: IMPORT_ACTOR,
              supersedesId: null,
            });
            audit.push({
              at: now,
              actor: IMPORT_ACTOR,
              entity: "channel_version",
              entityKey: String(inserted.id),
              action: "create",
              before: null,
              after: { ...inserted, kind: "import" },
            });
          }
          await appendConfigAudit(tx, audit);
          return channel.versions.length;
        });
    if (written === 0) report.versions.already_present++;
    else {
      report.versions.channels++;
      report.versions.imported += written;
    }
  }

  const spans: ImportedSpan[] = [...stats.values()].map((s) => ({
    deviceId: s.deviceId,
    channel: s.channel,
    fromMinute: s.firstMinute,
    toMinute: s.lastMinute + 1,
    filteredAtMostW: PREDECESSOR_FILTER_W,
    rowsImported: s.rows,
    rowsAtMostW: s.atMostW,
  }));
  if (!dryRun) await recordImportedHistory(target, "predecessor", spans, now);
  report.filtered_history = spans.map((s) => ({
    device_id: s.deviceId,
    channel: s.channel,
    from: new Date(s.fromMinute * 60_000).toISOString(),
    to: new Date(s.toMinute * 60_000).toISOString(),
    rows: s.rowsImported,
    rows_at_most_10_w: s.rowsAtMostW,
  }));
  return report;
}

async function importPumpModels(
  target: Database,
  models: readonly OldPumpModel[],
  report: ImportReport,
  dryRun: boolean,
  now: Date,
): Promise<Map<number, number>> {
  report.pump_models.read = models.length;
  const ids = new Map<number, number>();
  const run = async (tx: Queryable) => {
    const existing = await listPumpModelsByName(tx);
    const byId = new Map(existing.map((m) => [m.id, m]));
    const byName = new Map(existing.map((m) => [m.name.toLowerCase(), m]));
    for (const old of models) {
      const name = old.name.trim();
      const flow = old.flowRateHmt8 !== null && old.flowRateHmt8 > 0 ? old.flowRateHmt8 : null;
      if (name.length < 1 || name.length > 100 || !(old.powerKw > 0) || !(old.currentA > 0)) {
        report.pump_models.refused.push({
          old_id: old.id,
          name: old.name,
          reason: "nom, puissance ou intensité invalide",
        });
        continue;
      }
      const sameName = byName.get(name.toLowerCase());
      if (sameName) {
        ids.set(old.id, sameName.id);
        if (sameName.id === old.id) report.pump_models.same_id.push(old.id);
        else {
          report.pump_models.mapped.push({
            old_id: old.id,
            new_id: sameName.id,
            name,
            reason: "un modèle du même nom existe déjà sous un autre numéro",
          });
        }
        continue;
      }
      const fields = { name, powerKw: old.powerKw, currentA: old.currentA, nominalFlowM3hHmt8: flow };
      if (!byId.has(old.id)) {
        const id = dryRun ? old.id : await insertPumpModelWithId(tx, { id: old.id, ...fields }, now);
        if (id !== null) {
          // the identity must not hand out this id again
          if (!dryRun) await continuePumpModelIdsAfterMax(tx);
          ids.set(old.id, id);
          report.pump_models.same_id.push(old.id);
          byId.set(id, { ...fields, id, createdAt: now, updatedAt: null });
          byName.set(name.toLowerCase(), { ...fields, id, createdAt: now, updatedAt: null });
          continue;
        }
      }
      // a dry run predicts the id the identity would give (it continues above the largest id)
      const created = dryRun
        ? { ...fields, id: Math.max(0, ...byId.keys()) + 1, createdAt: now, updatedAt: null }
        : await insertPumpModel(tx, fields, now);
      if (created) {
        ids.set(old.id, created.id);
        byId.set(created.id, created);
        byName.set(name.toLowerCase(), created);
      }
      report.pump_models.mapped.push({
        old_id: old.id,
        new_id: created?.id ?? null,
        name,
        reason: `le numéro ${old.id} est pris par « ${byId.get(old.id)?.name ?? "?"} »`,
      });
    }
  };
  if (dryRun) await run(target);
  else await target.transaction(run);
  return ids;
}

async function importReadings(
  options: ImportOptions,
  report: ImportReport,
): Promise<Map<string, ChannelStats>> {
  const { source, target, dryRun } = options;
  const batchRows = options.batchRows ?? 5000;
  const total = await countPowerLogs(source);
  // a reading more than a day ahead of the import is a clock error, as the predecessor itself refused
  const lastMinute = Math.floor(options.now.getTime() / 60_000) + 1440;
  const stats = new Map<string, ChannelStats>();
  const skipped = report.readings.skipped;
  let batch: RankedReading[] = [];
  let pending: RankedReading | null = null;

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const devices: DeviceSighting[] = [];
    let latest = 0;
    for (const row of rows) {
      const last = devices[devices.length - 1];
      if (last?.deviceId === row.deviceId) {
        last.firstMinute = Math.min(last.firstMinute, row.minute);
        last.lastMinute = Math.max(last.lastMinute, row.minute);
      } else {
        devices.push({
          deviceId: row.deviceId,
          model: null,
          firstMinute: row.minute,
          lastMinute: row.minute,
          widen: true,
        });
      }
      latest = Math.max(latest, row.minute);
    }
    // received when the predecessor received it: imported rows do not count as today's arrivals
    const receivedAt = new Date((latest + 1) * 60_000);
    let result: StoredBatch;
    if (dryRun) {
      result = await target
        .transaction(async (tx) => {
          throw new DryRunRollback(await storeReadings(tx, { rows, devices, receivedAt }));
        })
        .catch((error: unknown) => {
          if (error instanceof DryRunRollback) return error.result;
          throw error;
        });
    } else {
      result = await storeReadings(target, { rows, devices, receivedAt });
    }
    report.readings.stored += result.changed.length;
    report.readings.duplicates += rows.length - result.changed.length;
    for (const row of rows) {
      const key = `${row.deviceId}\u0000${row.channel}`;
      let s = stats.get(key);
      if (!s) {
        s = {
          deviceId: row.deviceId,
          channel: row.channel,
          firstMinute: row.minute,
          lastMinute: row.minute,
          rows: 0,
          atMostW: 0,
        };
        stats.set(key, s);
      }
      s.firstMinute = Math.min(s.firstMinute, row.minute);
      s.lastMinute = Math.max(s.lastMinute, row.minute);
      s.rows++;
      if (row.apowerW !== null && row.apowerW <= PREDECESSOR_FILTER_W) s.atMostW++;
    }
  };

  await openPowerLogCursor(source);
  options.onProgress?.(0, total);
  for (;;) {
    const wires = await fetchPowerLogs(source, batchRows);
    for (const wire of wires) {
      report.readings.read++;
      const row: PowerLogRow = {
        deviceId: wire.device_id ?? "",
        channel: wire.channel ?? "",
        centiseconds: wire.cs === null ? Number.NaN : Number(wire.cs),
        apowerW: wire.apower_w,
        voltageV: wire.voltage_v,
        currentA: wire.current_a,
        energyTotalWh: wire.energy_total_wh,
      };
      const reading = readingFromPowerLog(row, lastMinute);
      if (typeof reading === "string") {
        skipped[reading] = (skipped[reading] ?? 0) + 1;
        continue;
      }
      if (row.voltageV === 0) report.readings.zero_volt_as_null++;
      if (pending !== null && sameKey(pending, reading)) {
        mergeRow(pending, reading);
        report.readings.merged_in_minute++;
        continue;
      }
      if (pending !== null) batch.push(pending);
      pending = reading;
      if (batch.length >= batchRows) await flush();
    }
    options.onProgress?.(report.readings.read, total);
    if (wires.length < batchRows) break;
  }
  if (pending !== null) batch.push(pending);
  await flush();
  return stats;
}
