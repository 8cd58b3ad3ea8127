import { alertMessage, RULE_NAMES_FR } from "../alerts/use-cases.js";
import type { Database, Queryable } from "../db/database.js";
import { alertsActiveBetween } from "../db/queries/alert-notifications.js";
import type { AlertRow } from "../db/queries/alerts.js";
import { appendConfigAudit } from "../db/queries/config-audit.js";
import { deleteJournalEntry } from "../db/queries/delete-journal-entry.js";
import { importsInRange } from "../db/queries/imports-in-range.js";
import { insertJournalEntry } from "../db/queries/insert-journal-entry.js";
import { journalEntriesInRange } from "../db/queries/journal-entries-in-range.js";
import { journalEntryById } from "../db/queries/journal-entry-by-id.js";
import { meterSilences } from "../db/queries/meter-silences.js";
import { updateJournalEntry } from "../db/queries/update-journal-entry.js";
import { versionsCreatedInRange } from "../db/queries/versions-created-in-range.js";
import type { RuleId } from "../domain/alerts/index.js";
import {
  type JournalEntry,
  type JournalKind,
  type JournalLine,
  journalOrder,
  normaliseText,
  parseJournalId,
} from "../domain/journal/index.js";
import { frenchDate, frenchTime } from "../i18n/format.js";
import { frenchCalendarDate, frenchDuration, JOURNAL_FR, type MessageCode } from "../i18n/fr.js";
import {
  type DirectoryMeter,
  type DirectorySite,
  type MeterDirectory,
  type Principal,
  writesJournal,
} from "./meter-directory.js";

/** A silence of the meter shorter than this is not an event of the journal (a lost minute or two). */
export const SILENCE_MIN_MINUTES = 30;

export class JournalError extends Error {
  constructor(
    readonly code: MessageCode,
    readonly status: number,
    readonly field: string | null = null,
  ) {
    super(code);
  }
}

/** The meters a request names (one meter, or a site's), as the principal may see them; 404 otherwise. */
export async function resolveTarget(
  directory: MeterDirectory,
  principal: Principal,
  target: { deviceId?: string | undefined; siteId?: string | undefined },
): Promise<{ meters: DirectoryMeter[]; site: DirectorySite | null; timeZone: string }> {
  if (target.deviceId !== undefined && target.siteId !== undefined)
    throw new JournalError("journal_target_both", 400, "site_id");
  if (target.deviceId !== undefined) {
    const meter = (await directory.meters(principal)).find((m) => m.deviceId === target.deviceId);
    if (!meter) throw new JournalError("unknown_device", 404, "device_id");
    const site =
      meter.siteId === null
        ? null
        : ((await directory.sites(principal)).find((s) => s.id === meter.siteId) ?? null);
    return { meters: [meter], site, timeZone: meter.timeZone };
  }
  if (target.siteId !== undefined) {
    const site = (await directory.sites(principal)).find((s) => s.id === target.siteId);
    if (!site) throw new JournalError("unknown_site", 404, "site_id");
    const visible = new Set(site.deviceIds);
    const meters = (await directory.meters(principal)).filter((m) => visible.has(m.deviceId));
    return { meters, site, timeZone: site.timeZone };
  }
  throw new JournalError("journal_target_required", 400, "device_id");
}

export interface EntryInput {
  deviceId: string;
  channel: number | null;
  at: Date;
  kind: JournalKind;
  text: string;
}

const auditState = (e: JournalEntry) => ({
  deviceId: e.deviceId,
  channel: e.channel,
  at: e.at.toISOString(),
  kind: e.kind,
  text: e.text,
  author: e.author,
});

function checkInput(input: { at: Date; text: string }, now: Date): string {
  if (Number.isNaN(input.at.getTime())) throw new JournalError("invalid_journal_at", 400, "at");
  // a few minutes of clock difference between a phone and the server are not "the future"
  if (input.at.getTime() > now.getTime() + 5 * 60_000)
    throw new JournalError("journal_at_in_future", 400, "at");
  const text = normaliseText(input.text);
  if (!text.ok) throw new JournalError("invalid_journal_text", 400, "text");
  return text.text;
}

async function visibleMeter(directory: MeterDirectory, principal: Principal, deviceId: string) {
  return (await directory.meters(principal)).find((m) => m.deviceId === deviceId) ?? null;
}

/** Writes an entry: an operator of the meter's site or an admin (a viewer: 403; a meter not seen: 404). */
export async function writeEntry(
  db: Database,
  directory: MeterDirectory,
  principal: Principal,
  input: EntryInput,
  now: Date,
): Promise<JournalEntry> {
  if (!(await visibleMeter(directory, principal, input.deviceId)))
    throw new JournalError("unknown_device", 404, "device_id");
  if (!writesJournal(principal) || principal.email === null)
    throw new JournalError("journal_write_forbidden", 403);
  const text = checkInput(input, now);
  const author = principal.email;
  return db.transaction(async (tx) => {
    const entry = await insertJournalEntry(tx, {
      ...input,
      text,
      author,
      authorId: principal.userId,
      now,
    });
    await appendConfigAudit(tx, [
      {
        at: now,
        actor: author,
        entity: "journal_entry",
        entityKey: entry.id,
        deviceId: entry.deviceId,
        action: "create",
        before: null,
        after: auditState(entry),
      },
    ]);
    return entry;
  });
}

/**
 * The meter and number an edit or a deletion names, once the principal may see that meter (read before the
 * transaction: the directory reads through the database, and PGlite has one connection).
 */
async function namedEntry(directory: MeterDirectory, principal: Principal, id: string) {
  const parsed = parseJournalId(id);
  if (!parsed) throw new JournalError("invalid_journal_id", 400, "id");
  // a meter the principal may not see answers as an entry that does not exist
  if (!(await visibleMeter(directory, principal, parsed.deviceId)))
    throw new JournalError("journal_entry_not_found", 404, "id");
  return parsed;
}

/** The entry, locked, once the principal may change it: its author or an admin. */
async function ownEntry(
  tx: Queryable,
  principal: Principal,
  named: { deviceId: string; n: string },
): Promise<JournalEntry> {
  const entry = await journalEntryById(tx, named.deviceId, named.n, true);
  if (!entry) throw new JournalError("journal_entry_not_found", 404, "id");
  const isAuthor = principal.userId !== null && entry.authorId === principal.userId;
  if (!writesJournal(principal) || (principal.role !== "admin" && !isAuthor))
    throw new JournalError("journal_not_author", 403);
  return entry;
}

export async function editEntry(
  db: Database,
  directory: MeterDirectory,
  principal: Principal,
  id: string,
  change: Omit<EntryInput, "deviceId">,
  now: Date,
): Promise<JournalEntry> {
  const named = await namedEntry(directory, principal, id);
  return db.transaction(async (tx) => {
    const before = await ownEntry(tx, principal, named);
    const text = checkInput(change, now);
    const after = await updateJournalEntry(tx, named.deviceId, named.n, { ...change, text, now });
    if (!after) throw new JournalError("journal_entry_not_found", 404, "id");
    await appendConfigAudit(tx, [
      {
        at: now,
        actor: principal.email ?? "?",
        entity: "journal_entry",
        entityKey: after.id,
        deviceId: after.deviceId,
        action: "update",
        before: auditState(before),
        after: auditState(after),
      },
    ]);
    return after;
  });
}

export async function removeEntry(
  db: Database,
  directory: MeterDirectory,
  principal: Principal,
  id: string,
  now: Date,
): Promise<void> {
  const named = await namedEntry(directory, principal, id);
  await db.transaction(async (tx) => {
    const before = await ownEntry(tx, principal, named);
    await deleteJournalEntry(tx, named.deviceId, named.n);
    await appendConfigAudit(tx, [
      {
        at: now,
        actor: principal.email ?? "?",
        entity: "journal_entry",
        entityKey: before.id,
        deviceId: before.deviceId,
        action: "delete",
        before: auditState(before),
        after: null,
      },
    ]);
  });
}

const writtenLine = (e: JournalEntry): JournalLine => ({
  id: e.id,
  deviceId: e.deviceId,
  channel: e.channel,
  at: e.at,
  kind: e.kind,
  text: e.text,
  author: e.author,
  automatic: false,
});

const at = (d: Date, timeZone: string) => {
  const s = Math.floor(d.getTime() / 1000);
  return JOURNAL_FR.at(frenchDate(s, timeZone), frenchTime(s, timeZone));
};

function alertLines(row: AlertRow, from: Date, to: Date, timeZone: string): JournalLine[] {
  const lines: JournalLine[] = [];
  const channel = row.channel === -1 ? null : row.channel;
  const base = `alert:${row.device_id}:${row.id}`;
  if (row.started_at >= from && row.started_at < to) {
    lines.push({
      id: `${base}:opened`,
      deviceId: row.device_id,
      channel,
      at: row.started_at,
      kind: "alert_opened",
      text: alertMessage(row, timeZone),
      author: null,
      automatic: true,
    });
  }
  if (row.ended_at !== null && row.ended_at >= from && row.ended_at < to) {
    const minutes = (row.ended_at.getTime() - row.started_at.getTime()) / 60_000;
    lines.push({
      id: `${base}:closed`,
      deviceId: row.device_id,
      channel,
      at: row.ended_at,
      kind: "alert_closed",
      text: JOURNAL_FR.alertClosed(
        RULE_NAMES_FR[row.rule as RuleId] ?? row.rule,
        channel,
        frenchDuration(minutes),
      ),
      author: null,
      automatic: true,
    });
  }
  return lines;
}

/** The automatic events of some meters in [from, to): alerts, configuration versions, silences, imports. */
export async function automaticEvents(
  db: Queryable,
  deviceIds: readonly string[],
  from: Date,
  to: Date,
  timeZone: string,
): Promise<JournalLine[]> {
  const [alerts, versions, silences, imports] = [
    await alertsActiveBetween(db, deviceIds, from, to),
    await versionsCreatedInRange(db, deviceIds, from, to),
    await meterSilences(db, deviceIds, from, to, SILENCE_MIN_MINUTES),
    await importsInRange(db, deviceIds, from, to),
  ];
  const lines: JournalLine[] = alerts.flatMap((a) => alertLines(a, from, to, timeZone));
  for (const v of versions) {
    const flow =
      v.flow_rate_m3h === null
        ? JOURNAL_FR.noFlow
        : JOURNAL_FR.flow(String(v.flow_rate_m3h).replace(".", ","));
    lines.push({
      id: `version:${v.device_id}:${v.id}`,
      deviceId: v.device_id,
      channel: v.channel,
      at: v.created_at,
      kind: "configuration",
      text: JOURNAL_FR.configuration({
        name: v.name ?? `switch:${v.channel}`,
        version: v.version,
        from: frenchCalendarDate(v.effective_from),
        pumpType: v.pump_type,
        flow,
        by: v.created_by,
      }),
      author: v.created_by,
      automatic: true,
    });
  }
  for (const s of silences) {
    const minutes = (s.to.getTime() - s.from.getTime()) / 60_000;
    lines.push({
      id: `silence:${s.deviceId}:${Math.floor(s.to.getTime() / 1000)}`,
      deviceId: s.deviceId,
      channel: null,
      at: s.to,
      kind: "meter_silence",
      text: JOURNAL_FR.silence(at(s.from, timeZone), at(s.to, timeZone), frenchDuration(minutes)),
      author: null,
      automatic: true,
    });
  }
  for (const i of imports) {
    lines.push({
      id: `import:${i.deviceId}:${i.channel}:${i.source}`,
      deviceId: i.deviceId,
      channel: i.channel,
      at: i.importedAt,
      kind: "import",
      text: JOURNAL_FR.imported(
        i.source === "predecessor" ? JOURNAL_FR.predecessor : i.source,
        i.rowsImported.toLocaleString("fr-FR"),
        at(i.from, timeZone),
        at(i.to, timeZone),
      ),
      author: null,
      automatic: true,
    });
  }
  return lines;
}

/** The journal of some meters in [from, to): written entries and automatic events, newest first. */
export async function journalOf(
  db: Queryable,
  deviceIds: readonly string[],
  from: Date,
  to: Date,
  timeZone: string,
): Promise<JournalLine[]> {
  const written = await journalEntriesInRange(db, deviceIds, from, to);
  const automatic = await automaticEvents(db, deviceIds, from, to, timeZone);
  return [...written.map(writtenLine), ...automatic].sort(journalOrder);
}
