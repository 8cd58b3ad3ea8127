/** The operating journal (« Journal d'exploitation », arrêté du 21 juillet 2015, art. 20). */

export const JOURNAL_KINDS = [
  "intervention",
  "pump_overhaul",
  "pump_replaced",
  "cleaning",
  "visit",
  "observation",
] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

export const JOURNAL_KIND_LABELS: Readonly<Record<JournalKind, string>> = {
  intervention: "Intervention",
  pump_overhaul: "Révision de pompe",
  pump_replaced: "Remplacement de pompe",
  cleaning: "Nettoyage",
  visit: "Visite",
  observation: "Observation",
};

/** What happened by itself, listed beside the written entries. */
export const AUTOMATIC_KINDS = [
  "alert_opened",
  "alert_closed",
  "configuration",
  "meter_silence",
  "import",
] as const;
export type AutomaticKind = (typeof AUTOMATIC_KINDS)[number];

export const AUTOMATIC_KIND_LABELS: Readonly<Record<AutomaticKind, string>> = {
  alert_opened: "Alerte ouverte",
  alert_closed: "Alerte close",
  configuration: "Configuration",
  meter_silence: "Silence du compteur",
  import: "Import d'historique",
};

export const JOURNAL_TEXT_MAX = 4000;

/** A written entry as the domain sees it; `id` is "<device_id>:<n>" as for alerts. */
export interface JournalEntry {
  id: string;
  deviceId: string;
  channel: number | null;
  at: Date;
  kind: JournalKind;
  text: string;
  author: string;
  authorId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One line of the journal, written or automatic, in the API's shape before serialisation. */
export interface JournalLine {
  id: string;
  deviceId: string;
  channel: number | null;
  at: Date;
  kind: JournalKind | AutomaticKind;
  text: string;
  author: string | null;
  automatic: boolean;
}

/** Newest first; at the same instant, written entries before automatic ones, then by id (stable). */
export function journalOrder(a: JournalLine, b: JournalLine): number {
  const t = b.at.getTime() - a.at.getTime();
  if (t !== 0) return t;
  if (a.automatic !== b.automatic) return a.automatic ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The text of an entry once trimmed, or why it is refused. */
export function normaliseText(raw: string): { ok: true; text: string } | { ok: false } {
  const text = raw.trim();
  return text.length >= 1 && text.length <= JOURNAL_TEXT_MAX ? { ok: true, text } : { ok: false };
}

/** "<device_id>:<n>" → its parts; null when it is not one. Device ids may hold ':' themselves. */
export function parseJournalId(id: string): { deviceId: string; n: string } | null {
  const at = id.lastIndexOf(":");
  if (at <= 0) return null;
  const n = id.slice(at + 1);
  if (!/^[1-9]\d{0,17}$/.test(n)) return null;
  return { deviceId: id.slice(0, at), n };
}
