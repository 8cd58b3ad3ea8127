/** Every text a user can read in an API answer, in French, by machine code. */
import { frenchDate, frenchTime } from "./format.js";

export const MESSAGES = {
  // HTTP-level errors
  unauthorized: "Clé d'API manquante ou invalide.",
  not_found: "Ressource introuvable.",
  method_not_allowed: "Méthode non autorisée.",
  unsupported_media_type: "Le corps doit être du JSON (Content-Type: application/json).",
  unsupported_encoding: "Encodage du corps non pris en charge (seul gzip l'est).",
  invalid_json: "Le corps n'est pas un JSON valide.",
  payload_too_large: "Le corps de la requête dépasse la taille maximale autorisée.",
  invalid_batch: 'Lot invalide : un objet {"messages": [...]} de 1 à 1000 messages est attendu.',
  invalid_request: "Requête invalide.",
  database_unavailable:
    "Base de données indisponible, réessayez plus tard. Rien de ce lot n'a été enregistré.",
  shutting_down: "Service en cours d'arrêt, réessayez plus tard.",
  internal_error: "Erreur interne du serveur.",
  // Accounts and sessions
  invalid_credentials: "Identifiants invalides.",
  session_required: "Connexion requise.",
  authentication_required: "Authentification requise (clé d'API ou session).",
  forbidden: "Accès refusé : droits insuffisants.",
  csrf_rejected:
    "Requête refusée : l'en-tête X-Requested-With: pumpwatch et une origine identique à celle du site sont exigés.",
  too_many_login_attempts: "Trop de tentatives de connexion. Réessayez plus tard.",
  share_link_unknown: "Lien de partage inconnu : vérifiez l'adresse reçue.",
  share_link_gone: "Ce lien de partage a expiré ou a été révoqué.",
  // Per-message rejections of a batch
  invalid_message: "Message invalide",
  invalid_src: "Identifiant d'appareil (src) invalide",
  invalid_params: "Champ params invalide",
  invalid_timestamp: "Horodatage invalide",
  timestamp_in_future: "Horodatage dans le futur (plus de 5 minutes d'avance)",
  timestamp_too_old: "Horodatage antérieur au 01/01/2020",
  invalid_channel: "Canal inconnu (switch:0 à switch:3 attendus)",
  invalid_field: "Valeur électrique invalide",
  // Reading queries
  unknown_device: "Appareil inconnu.",
  alert_not_found: "Alerte introuvable.",
  invalid_alert_id: "Identifiant d'alerte invalide : <appareil>:<numéro> attendu.",
  invalid_maintenance: "La fin de la maintenance doit suivre son début.",
  backtest_rule_required: "Un seuil à essayer (threshold) demande la règle (rule) à laquelle il s'applique.",
  backtest_channel_required:
    "Un seuil à essayer (threshold) demande la voie (channel), sauf pour « Compteur hors ligne » qui vaut pour tout le compteur.",
  invalid_from: "Date de début invalide : AAAA-MM-JJ, ou un instant ISO avec fuseau (2026-02-14T09:40:00Z).",
  invalid_to: "Date de fin invalide : AAAA-MM-JJ, ou un instant ISO avec fuseau (2026-02-14T09:40:00Z).",
  empty_period: "La date de fin doit suivre la date de début.",
  end_before_start: "La date de fin précède la date de début : inversez-les.",
  from_out_of_range: "Date de début hors limites : du 01/01/2000 au 31/12/2100.",
  to_out_of_range: "Date de fin hors limites : du 01/01/2000 au 31/12/2100.",
  period_too_long: "Période trop longue (dix ans au plus).",
  invalid_end: "Date de fin du graphique invalide : AAAA-MM-JJ attendu.",
  // Journal and reports
  unknown_site: "Site inconnu.",
  journal_target_required: "Indiquez un compteur (device_id) ou un site (site_id).",
  journal_target_both: "Indiquez un compteur (device_id) ou un site (site_id), pas les deux.",
  journal_entry_not_found: "Entrée du journal introuvable.",
  invalid_journal_id: "Identifiant d'entrée du journal invalide : <appareil>:<numéro> attendu.",
  invalid_journal_text: "Le texte de l'entrée est obligatoire (4 000 caractères au plus).",
  invalid_journal_at:
    "Date de l'entrée invalide : un instant ISO avec fuseau est attendu (2026-02-14T09:40:00Z).",
  journal_at_in_future: "La date de l'entrée est dans le futur.",
  journal_write_forbidden: "Seuls les exploitants du site et les administrateurs écrivent le journal.",
  journal_not_author:
    "Seuls l'auteur de l'entrée et les administrateurs peuvent la modifier ou la supprimer.",
  invalid_month: "Mois invalide : AAAA-MM attendu (2026-03).",
  month_in_future: "Ce mois n'a pas encore commencé.",
  month_too_old: "Mois trop ancien : à partir de 2000-01.",
  invalid_year: "Année invalide : AAAA attendu (2026).",
  year_in_future: "Cette année n'a pas encore commencé.",
  year_too_old: "Année trop ancienne : à partir de 2000.",
  annual_needs_site: "Le rapport annuel est celui d'un site (site_id).",
  // Administration
  unknown_field: "Champ inconnu dans la requête.",
  api_key_not_found: "Clé d'API introuvable ou déjà révoquée.",
  invalid_api_key_name: "Le nom de la clé d'API est obligatoire (100 caractères au plus).",
  // Alert notifications
  invalid_webhook_url: "Adresse du webhook invalide : une URL http:// ou https:// est attendue.",
  webhook_incomplete: "Pour activer le webhook, indiquez son adresse et un secret (16 caractères au moins).",
} as const;

export type MessageCode = keyof typeof MESSAGES;

export function message(code: MessageCode, detail?: string): string {
  return detail ? `${MESSAGES[code]} (${detail})` : MESSAGES[code];
}

// ---- Sentences of the administration answers (issue 7) -----------------------------------------------------

/** "2026-11-28" → "28/11/2026" (a calendar date, no time zone involved). */
export function frenchCalendarDate(date: string): string {
  const [year, month, day] = date.split("-");
  return `${day}/${month}/${year}`;
}

/** "PR1", "PR1 et PS", "PR1, PS et Surpresseur" */
export function frenchList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} et ${items.at(-1)}`;
}

/** What "Enregistrer tout" did: "Nouvelle version datée du 28/11/2026 pour PR1 ; PS inchangé." */
export function deviceSaveMessage(
  date: string,
  channels: readonly { label: string; result: "created" | "corrected" | "unchanged" }[],
  nameChanged: boolean,
): string {
  const of = (result: string) => channels.filter((c) => c.result === result).map((c) => c.label);
  const created = of("created");
  const corrected = of("corrected");
  const unchanged = of("unchanged");
  const parts: string[] = [];
  if (nameChanged) parts.push("nom de l'appareil enregistré");
  if (created.length > 0) {
    parts.push(`nouvelle version datée du ${frenchCalendarDate(date)} pour ${frenchList(created)}`);
  }
  if (corrected.length > 0) {
    parts.push(`version du ${frenchCalendarDate(date)} corrigée pour ${frenchList(corrected)}`);
  }
  if (parts.length === 0 && unchanged.length === 0) return "Rien à enregistrer.";
  const capitalised = parts.length > 0;
  if (unchanged.length > 0) {
    parts.push(`${frenchList(unchanged)} ${unchanged.length > 1 ? "inchangés" : "inchangé"}`);
  }
  // A channel's name keeps its own case, even at the start of the sentence.
  const sentence = parts.join(" ; ");
  return `${capitalised ? sentence.charAt(0).toUpperCase() : sentence.charAt(0)}${sentence.slice(1)}.`;
}

/** The French sentence of a version preview: which version it splits or corrects, from which date to which. */
export function versionPreviewExplanation(p: {
  action: "create" | "prepend" | "split" | "correct";
  /** the new version's start and its last day (null: open-ended) */
  from: string;
  lastDay: string | null;
  /** the version split or corrected, or the first version for a prepend */
  touched: { effectiveFrom: string; version: number } | null;
  affected: { from: string; to: string } | null;
}): string {
  const d = frenchCalendarDate;
  const span =
    p.lastDay === null ? `à partir du ${d(p.from)}, sans date de fin` : `du ${d(p.from)} au ${d(p.lastDay)}`;
  let what: string;
  if (p.action === "split" && p.touched) {
    what = `Coupe la version commencée le ${d(p.touched.effectiveFrom)} : la nouvelle version s'applique ${span}.`;
  } else if (p.action === "correct" && p.touched) {
    what =
      `Corrige la version du ${d(p.touched.effectiveFrom)} (version ${p.touched.version} → ` +
      `${p.touched.version + 1}), qui s'applique ${span}.`;
  } else if (p.action === "prepend" && p.touched) {
    what =
      `Ajoute une version avant la première (du ${d(p.touched.effectiveFrom)}) : elle s'applique ${span}, ` +
      "et aux dates antérieures.";
  } else {
    what = `Première version du canal : elle s'applique ${span}, et aux dates antérieures.`;
  }
  const figures =
    p.affected === null
      ? "Aucun jour passé n'est concerné : aucun chiffre ne change aujourd'hui."
      : `Chiffres recalculés du ${d(p.affected.from)} au ${d(p.affected.to)}.`;
  return `${what} ${figures}`;
}

/** One audit entry as the admin area lists it; the JSON states are those the use cases wrote. */
export function auditSummary(e: {
  kind: string;
  action: string;
  entityKey: string;
  deviceId: string | null;
  before: unknown;
  after: unknown;
}): string {
  const b = (e.before ?? {}) as Record<string, unknown>;
  const a = (e.after ?? {}) as Record<string, unknown>;
  const state = Object.keys(a).length > 0 ? a : b;
  const date = (v: unknown) => (typeof v === "string" ? frenchCalendarDate(v) : "?");
  // an instant has no zone of its own here (the audit names no site's): written in UTC, and said so
  const instant = (v: unknown) => {
    const s = typeof v === "string" ? Date.parse(v) / 1000 : Number.NaN;
    return Number.isFinite(s) ? `${frenchDate(s, "UTC")} ${frenchTime(s, "UTC")} UTC` : "?";
  };
  const quoted = (v: unknown) => (v === null || v === undefined || v === "" ? "(aucun)" : `« ${String(v)} »`);
  const number = (v: unknown) => (typeof v === "number" ? String(v).replace(".", ",") : "aucun");
  const where = `canal ${String(state.channel ?? "?")} de ${e.deviceId ?? "?"}`;
  switch (`${e.kind}:${e.action}`) {
    case "channel_version:create": {
      const how: Record<string, string> = {
        create: "Première version",
        prepend: "Version ajoutée avant la première",
        split: "Nouvelle version",
        correct: "Correction",
      };
      return (
        `${how[String(a.kind)] ?? "Version"} du ${date(a.effectiveFrom)}, ${where} : ` +
        `${typeof a.flowRateM3h === "number" ? `débit ${number(a.flowRateM3h)} m³/h` : "sans débit"}, ` +
        `${String(a.pumpType ?? "?")}, DBO5 ${number(a.dbo5MgL)} mg/L.`
      );
    }
    case "channel_version:close":
      return `Version du ${date(a.effectiveFrom)}, ${where}, close au ${date(a.effectiveTo)}.`;
    case "channel_version:supersede":
      return `Version du ${date(b.effectiveFrom)} (v${String(b.version ?? "?")}), ${where}, remplacée par une correction.`;
    case "device:rename":
      return `Appareil ${e.entityKey} renommé : ${quoted(b.name)} → ${quoted(a.name)}.`;
    case "pump_model:create":
      return `Modèle de pompe ${quoted(a.name)} créé.`;
    case "pump_model:update":
      return `Modèle de pompe ${quoted(b.name)} modifié${a.name !== b.name ? ` (nouveau nom ${quoted(a.name)})` : ""}.`;
    case "pump_model:delete":
      return `Modèle de pompe ${quoted(b.name)} supprimé.`;
    case "api_key:create":
      return `Clé d'API ${quoted(a.name)} créée.`;
    case "api_key:revoke":
      return `Clé d'API n° ${e.entityKey} révoquée.`;
    case "user:create":
      return `Compte ${String(a.email)} créé (rôle ${String(a.role)}).`;
    case "user:change_role":
      return `Rôle de ${String(a.email)} : ${String(b.role)} → ${String(a.role)}.`;
    case "user:disable":
      return `Compte ${String(a.email)} désactivé.`;
    case "user:enable":
      return `Compte ${String(a.email)} réactivé.`;
    case "user:reset_password":
      return `Mot de passe de ${String(a.email)} réinitialisé.`;
    case "share_link:create":
      return (
        `Lien de partage n° ${e.entityKey} créé pour le site n° ${String(a.site_id ?? "?")}` +
        `${a.label ? ` (${quoted(a.label)})` : ""}, valable jusqu'au ${instant(a.expires_at)}.`
      );
    case "share_link:revoke":
      return `Lien de partage n° ${e.entityKey} du site n° ${String(a.site_id ?? "?")} révoqué.`;
    case "journal_entry:create":
      return `Entrée du journal ${e.entityKey} écrite (${String(a.kind)}).`;
    case "journal_entry:update":
      return `Entrée du journal ${e.entityKey} modifiée.`;
    case "journal_entry:delete":
      return `Entrée du journal ${e.entityKey} supprimée.`;
    case "settings:update":
      if (e.entityKey === "factor_set") {
        const set = (v: unknown) => {
          const s = (v ?? {}) as Record<string, unknown>;
          return [s.id, s.reference, s.gwp].filter((x) => x !== null && x !== undefined).join(" / ");
        };
        return `Jeu de coefficients CO₂e : ${set(b.value)} → ${set(a.value)}.`;
      }
      {
        const grid = (v: unknown) => {
          if (v === null || v === undefined) return "aucun";
          const g = v as Record<string, unknown>;
          return `${number(g.kgCo2ePerKwh)} kg CO₂e/kWh (${String(g.source)})`;
        };
        return `Facteur d'émission de l'électricité : ${grid(b.value)} → ${grid(a.value)}.`;
      }
    default:
      return `${e.kind} ${e.entityKey} : ${e.action}.`;
  }
}

// ---- Request-schema failures ---------------------------------------------------------------------------
// The validator's own words are English and name patterns; the client gets one of these sentences instead,
// with the offending field beside it, so a form can show it next to that field.

const number = (value: unknown) => String(value).replace(".", ",");

const TYPE_NAMES: Record<string, string> = {
  integer: "un nombre entier",
  number: "un nombre",
  string: "du texte",
  boolean: "true ou false",
  object: "un objet JSON",
  array: "une liste",
  null: "null",
};

const FORMAT_REASONS: Record<string, string> = {
  "date-time": "Format invalide : un instant ISO avec fuseau est attendu (2026-02-14T09:40:00Z).",
  date: "Format invalide : une date AAAA-MM-JJ est attendue.",
  email: "Adresse e-mail invalide.",
};

/** What a JSON-schema keyword's failure means, from its parameters (Ajv's `params`). */
export const SCHEMA_REASONS: Record<string, (params: Record<string, unknown>) => string> = {
  type: (p) =>
    `Valeur attendue : ${String(p.type)
      .split(",")
      .map((t) => TYPE_NAMES[t] ?? t)
      .join(" ou ")}.`,
  minimum: (p) => `Valeur trop petite : ${number(p.limit)} au minimum.`,
  exclusiveMinimum: (p) => `Valeur trop petite : plus de ${number(p.limit)} attendu.`,
  maximum: (p) => `Valeur trop grande : ${number(p.limit)} au maximum.`,
  exclusiveMaximum: (p) => `Valeur trop grande : moins de ${number(p.limit)} attendu.`,
  minLength: (p) =>
    Number(p.limit) === 1
      ? "Ce champ ne peut pas être vide."
      : `Texte trop court : ${number(p.limit)} caractères au moins.`,
  maxLength: (p) => `Texte trop long : ${number(p.limit)} caractères au plus.`,
  minItems: (p) => `Liste trop courte : ${number(p.limit)} élément(s) au moins.`,
  maxItems: (p) => `Liste trop longue : ${number(p.limit)} élément(s) au plus.`,
  pattern: () => "Format invalide.",
  format: (p) => FORMAT_REASONS[String(p.format)] ?? "Format invalide.",
  enum: (p) =>
    `Valeur inconnue ; valeurs possibles : ${(Array.isArray(p.allowedValues) ? p.allowedValues : []).join(", ")}.`,
  required: () => "Champ obligatoire.",
  additionalProperties: () => "Champ inconnu.",
  multipleOf: (p) => `Valeur invalide : multiple de ${number(p.multipleOf)} attendu.`,
  uniqueItems: () => "Liste invalide : éléments en double.",
};

export const SCHEMA_REASON_FALLBACK = "Valeur invalide.";

/** Fields whose rule a generic sentence would not explain (a pattern), by field name and keyword. */
export const FIELD_REASONS: Record<string, Record<string, string>> = {
  channel: { pattern: "Canal inconnu : 0 à 3 ou switch:0 à switch:3." },
};

// ---- Alert notifications (issue 11): e-mails, webhook summaries, daily digest, delivery failures ---------

/** What an alert notice says: names, times (unix seconds), figures and the dashboard link. */
export interface AlertNoticeFacts {
  event: "opened" | "resolved";
  rule: string;
  ruleName: string;
  severity: "critical" | "warning";
  deviceId: string;
  /** the device's chosen name, null: none */
  deviceName: string | null;
  /** null: the whole meter */
  channel: number | null;
  /** the channel's name on the alert's day, null: none */
  channelName: string | null;
  startedS: number;
  endedS: number | null;
  /** worst value seen while open */
  value: number;
  threshold: number | null;
  unit: string;
  acknowledgedBy: string | null;
  comment: string | null;
  link: string;
  timeZone: string;
}

export interface MailText {
  subject: string;
  text: string;
  html: string;
}

const decimal1 = (v: number) => String(Math.round(v * 10) / 10).replace(".", ",");
const withUnit = (v: number, unit: string) => `${decimal1(v)} ${unit}`;
const at = (s: number, timeZone: string) => `le ${frenchDate(s, timeZone)} à ${frenchTime(s, timeZone)}`;
const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** "24 min", "2 h 05", "3 j 4 h" */
export function frenchDuration(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m} min`;
  if (m < 1440) return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")}`;
  return `${Math.floor(m / 1440)} j ${Math.floor((m % 1440) / 60)} h`;
}

function deviceLabel(f: Pick<AlertNoticeFacts, "deviceId" | "deviceName">): string {
  return f.deviceName ? `${f.deviceName} (${f.deviceId})` : f.deviceId;
}

function channelLabel(f: Pick<AlertNoticeFacts, "channel" | "channelName">): string {
  if (f.channel === null) return "tout le compteur";
  const technical = `switch:${f.channel}`;
  return f.channelName && f.channelName !== technical ? `${f.channelName} (${technical})` : technical;
}

/** "Station Nord, PR1" / "Station Sud (compteur)": where, in a subject or a digest line. */
function shortWhere(
  f: Pick<AlertNoticeFacts, "deviceId" | "deviceName" | "channel" | "channelName">,
): string {
  const device = f.deviceName ?? f.deviceId;
  if (f.channel === null) return `${device} (compteur)`;
  return `${device}, ${f.channelName ?? `switch:${f.channel}`}`;
}

const severityLabel = (s: AlertNoticeFacts["severity"]) =>
  s === "critical" ? "Alerte critique" : "Avertissement";

/** The sentence saying what the rule saw, with its figures. */
export function whatHappened(f: Pick<AlertNoticeFacts, "rule" | "value" | "threshold" | "unit">): string {
  const v = decimal1(f.value);
  const limit = f.threshold === null ? "" : ` (seuil ${withUnit(f.threshold, f.unit)})`;
  switch (f.rule) {
    case "pump_inactive":
      return `La pompe n'a pas démarré depuis ${frenchDuration(f.value)}, plus longtemps que d'habitude à cette heure${limit}.`;
    case "cycle_too_long":
      return `La pompe tourne sans s'arrêter depuis ${frenchDuration(f.value)}${limit}.`;
    case "dry_run":
      return `La pompe tourne à ${v} W seulement, signe d'une marche à sec${limit}.`;
    case "overload":
      return (
        "Les derniers cycles demandent une puissance ou un courant anormalement élevés " +
        `(écart robuste ${v}${f.threshold === null ? "" : `, seuil ${decimal1(f.threshold)}`}) : pompe encrassée ou obstruée ?`
      );
    case "short_cycling":
      return `${v} démarrages à moins de 10 minutes d'intervalle dans l'heure${limit}.`;
    case "meter_offline":
      return `Le compteur n'envoie plus de relevés depuis ${frenchDuration(f.value)}${limit}.`;
    case "voltage":
      return (
        `Tension médiane de ${v} V sur 10 minutes, hors de la plage normale` +
        `${f.threshold === null ? "" : ` (${withUnit(f.threshold, "V")} à 253 V)`}.`
      );
    case "pump_wear":
      return (
        `Le débit mesuré de la pompe (médiane des 20 derniers cycles) est tombé à ${withUnit(f.value, "m³/h")}` +
        `${limit}, sous sa référence : usure ou colmatage ?`
      );
    case "inflow_high":
      return `Arrivée d'eau de ${withUnit(f.value, "m³")} dans la bâche sur 24 h${limit} : pluie ou eaux parasites ?`;
    default:
      return `Valeur ${withUnit(f.value, f.unit)}${limit}.`;
  }
}

/** The one-line summary of a notice: the e-mail's subject, the webhook's `summary`. */
export function alertNoticeSummary(f: AlertNoticeFacts): string {
  const head = f.event === "opened" ? severityLabel(f.severity) : "Fin d'alerte";
  return `[pumpwatch] ${head} : ${f.ruleName} — ${shortWhere(f)}`;
}

const FOOTER =
  "Message envoyé par pumpwatch. Les alertes reçues par e-mail (sites, gravités, résumé quotidien) se " +
  "choisissent dans vos préférences de notification.";

/** The e-mail of an alert opened or resolved. */
export function alertNotice(f: AlertNoticeFacts): MailText {
  const rows: [string, string][] = [
    ["Appareil", deviceLabel(f)],
    ["Canal", channelLabel(f)],
    [f.event === "resolved" ? "Ce qui s'était passé" : "Ce qui s'est passé", whatHappened(f)],
    ["Depuis", `${at(f.startedS, f.timeZone)} (fuseau ${f.timeZone})`],
  ];
  if (f.event === "resolved" && f.endedS !== null) {
    rows.push([
      "Fin",
      `${at(f.endedS, f.timeZone)}, après ${frenchDuration((f.endedS - f.startedS) / 60)} : la condition a cessé`,
    ]);
  }
  rows.push([
    f.event === "resolved" ? "Valeur la plus grave" : "Valeur",
    f.threshold === null
      ? withUnit(f.value, f.unit)
      : `${withUnit(f.value, f.unit)} — seuil : ${withUnit(f.threshold, f.unit)}`,
  ]);
  if (f.acknowledgedBy) {
    rows.push(["Acquittée par", `${f.acknowledgedBy}${f.comment ? ` : « ${f.comment} »` : ""}`]);
  }
  const title = `${f.event === "opened" ? severityLabel(f.severity) : "Alerte terminée"} : ${f.ruleName}`;
  const call =
    f.event === "opened"
      ? "Acquittez l'alerte dans pumpwatch (page Alertes) pour signaler qu'elle est prise en charge."
      : "Aucune action n'est demandée.";
  const text = [
    title,
    "",
    ...rows.map(([k, v]) => `${k} : ${v}`),
    "",
    `Tableau de bord à ce moment : ${f.link}`,
    "",
    call,
    "",
    "--",
    FOOTER,
    "",
  ].join("\n");
  const html = [
    "<!doctype html>",
    '<html lang="fr"><body style="font-family: sans-serif">',
    `<h2>${escapeHtml(title)}</h2>`,
    "<table>",
    ...rows.map(
      ([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
    ),
    "</table>",
    `<p><a href="${escapeHtml(f.link)}">Voir le tableau de bord à ce moment</a></p>`,
    `<p>${escapeHtml(call)}</p>`,
    `<p style="color: #666; font-size: smaller">${escapeHtml(FOOTER)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject: alertNoticeSummary(f), text, html };
}

/** The daily digest: every alert of the local day `day` (YYYY-MM-DD) that concerns the user. */
export function digestNotice(day: string, timeZone: string, alerts: readonly AlertNoticeFacts[]): MailText {
  const date = frenchCalendarDate(day);
  const count =
    alerts.length === 0 ? "aucune alerte" : `${alerts.length} alerte${alerts.length > 1 ? "s" : ""}`;
  const subject = `[pumpwatch] Résumé des alertes du ${date} : ${count}`;
  const line = (f: AlertNoticeFacts) => {
    const when =
      f.endedS === null
        ? `depuis ${at(f.startedS, timeZone)}, toujours en cours`
        : `du ${frenchDate(f.startedS, timeZone)} à ${frenchTime(f.startedS, timeZone)} au ${frenchDate(f.endedS, timeZone)} à ${frenchTime(f.endedS, timeZone)}`;
    const figures =
      f.threshold === null
        ? `valeur ${withUnit(f.value, f.unit)}`
        : `valeur ${withUnit(f.value, f.unit)}, seuil ${withUnit(f.threshold, f.unit)}`;
    const ack = f.acknowledgedBy ? `, acquittée par ${f.acknowledgedBy}` : "";
    return `${severityLabel(f.severity)} — ${f.ruleName} — ${shortWhere(f)} : ${when} (${figures})${ack}.`;
  };
  const intro =
    alerts.length === 0
      ? `Aucune alerte le ${date} (fuseau ${timeZone}) sur les sites et gravités que vous suivez.`
      : `Alertes du ${date} (fuseau ${timeZone}) sur les sites et gravités que vous suivez :`;
  const text = [
    intro,
    "",
    ...alerts.flatMap((f) => [`- ${line(f)}`, `  Tableau de bord : ${f.link}`]),
    ...(alerts.length > 0 ? [""] : []),
    "--",
    FOOTER,
    "",
  ].join("\n");
  const html = [
    "<!doctype html>",
    '<html lang="fr"><body style="font-family: sans-serif">',
    `<p>${escapeHtml(intro)}</p>`,
    ...(alerts.length > 0
      ? [
          "<ul>",
          ...alerts.map(
            (f) => `<li>${escapeHtml(line(f))} <a href="${escapeHtml(f.link)}">Tableau de bord</a></li>`,
          ),
          "</ul>",
        ]
      : []),
    `<p style="color: #666; font-size: smaller">${escapeHtml(FOOTER)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject, text, html };
}

/** Why a delivery attempt failed, as the deliveries list shows it (short, no technical trace). */
export const DELIVERY_ERRORS = {
  http_status: (status: number) => `Le destinataire du webhook a répondu HTTP ${status}.`,
  refused: "Connexion refusée par le destinataire.",
  unknown_host: "Nom d'hôte introuvable.",
  timeout: "Pas de réponse dans le délai imparti.",
  reset: "Connexion interrompue.",
  tls: "Certificat TLS refusé.",
  network: "Erreur réseau.",
  webhook_disabled: "Webhook désactivé ou sans secret depuis l'alerte : envoi abandonné.",
  smtp_not_configured: "Envoi d'e-mails non configuré (SMTP_URL absent) : envoi abandonné.",
  smtp_unreachable: "Serveur SMTP injoignable.",
  smtp_auth: "Authentification refusée par le serveur SMTP.",
  smtp_rejected: (code: number) => `Refusé par le serveur SMTP (code ${code}).`,
  smtp_deferred: (code: number) => `Refusé pour l'instant par le serveur SMTP (code ${code}).`,
  smtp_failed: "Échec de l'envoi de l'e-mail.",
  internal: "Erreur interne lors de la préparation du message.",
} as const;

// ---- Monthly and annual reports (issue 19): the PDF's labels, headings and sentences -----------------------

export const REPORT_FR = {
  brand: "FiltrePlante — pumpwatch",
  shortMonths: [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
  ],
  noData: "Aucune donnée pour cette période.",
  noDataMonth: "Aucune donnée pour ce mois.",
  noDataYear: "Aucune donnée pour cette année.",
  noPumps: "Aucune donnée : aucune pompe configurée ni mesurée.",
  noAlerts: "Aucune alerte sur la période.",
  noJournal: "Aucune entrée au journal sur la période.",
  total: "Total",
  year: "Année",
  ongoing: "en cours",
  automaticAuthor: "automatique",
  columns: {
    pump: "Pompe",
    starts: "Démarrages",
    runtimeH: "Durée de marche (h)",
    volumeM3: "Volume traité estimé (m³)",
    energyKwh: "Énergie (kWh)",
    kwhPerM3: "kWh/m³",
    co2eKg: "CO₂e évité (kg)",
    date: "Date",
    month: "Mois",
    meterChannel: "Compteur / voie",
    alert: "Alerte",
    start: "Début",
    end: "Fin",
    duration: "Durée",
    kind: "Nature",
    text: "Texte",
    author: "Auteur",
  },
  tiles: {
    volume: "Volume traité estimé",
    perDay: "Traitement journalier",
    energy: "Énergie",
    starts: "Démarrages",
    co2e: "CO₂e évité",
  },
  units: { m3: "m³", m3PerDay: "m³/jour", kwh: "kWh", kg: "kg" },
  /** "sur 8 jours suivis", and the period's whole days when the meters were watched on fewer (issue 21). */
  monitoredDays: (monitoredDays: number, wholeDays: number): string => {
    const days = monitoredDays <= 1 ? `${monitoredDays} jour suivi` : `${monitoredDays} jours suivis`;
    return monitoredDays < wholeDays ? `sur ${days} (période : ${wholeDays} jours entiers)` : `sur ${days}`;
  },
  channel: (channel: number) => ` / voie ${channel}`,
  // the method
  method: "Méthode",
  flowNone: (pump: string) => `${pump} : aucun débit déclaré, pas de volume`,
  flow: (pump: string, flow: string) => `${pump} : ${flow} m³/h`,
  volumeMethodTitle: "Volume traité estimé d'après la durée de fonctionnement",
  volumeMethod: (flows: readonly string[]) =>
    " (estimation, pas une mesure) : durée de marche des cycles terminés des postes de relevage × débit " +
    "effectif de l'installation déclaré pour la pompe, en vigueur le jour du cycle. " +
    (flows.length > 0 ? `Débits : ${flows.join(" ; ")}.` : "Aucun poste de relevage."),
  energyMethod: (timeZone: string) =>
    "Énergie : mesurée par le compteur (Shelly Pro 4PM), tous les cycles, en cours et parasites compris. " +
    "Démarrages : cycles de pompage hors parasites. Jours comptés en heure locale " +
    `(${timeZone}), chaque cycle le jour de son démarrage.`,
  co2eTitle: "CO₂e évité",
  co2eMethod: (fs: {
    label: string;
    id: string;
    referenceLabel: string;
    gwpLabel: string;
    excluded: readonly string[];
  }) =>
    ` : jeu de facteurs « ${fs.label} » (${fs.id}), référence ${fs.referenceLabel}, ${fs.gwpLabel}. ` +
    `Non compté : ${fs.excluded.join(" ; ")}.`,
  noGridFactor: "CO₂e de l'électricité consommée : aucun facteur du réseau renseigné.",
  gridCo2e: (kg: string, factor: string, source: string) =>
    `CO₂e de l'électricité consommée : ${kg} kg ` +
    `(${factor} kg CO₂e/kWh, ${source}), indiqué à part, jamais déduit.`,
  // the header
  sandreCode: (code: string) => `Code SANDRE de la station : ${code}`,
  capacity: (pe: string) => `Capacité : ${pe} EH`,
  meters: (meters: readonly string[]) => `Compteurs : ${meters.join(", ")}`,
  period: (from: string, to: string, timeZone: string, partial: boolean) =>
    `Du ${from} au ${to}, heure locale ${timeZone}` +
    (partial ? " — période en cours : chiffres à ce jour" : ""),
  generatedAt: (at: string) => `Édité le ${at}`,
  refreshing:
    "Chiffres provisoires : des relevés reçus en rattrapage ou par import n'étaient pas encore tous " +
    "transformés en cycles à l'édition. Rééditez ce rapport dans quelques minutes.",
  page: (page: number, pages: number) => `Page ${page} / ${pages}`,
  // the monthly report
  monthlyHeading: (month: string) => `Rapport mensuel — ${month}`,
  perPump: "Par pompe",
  dailyVolumes: "Volumes journaliers estimés (m³)",
  monthAlerts: "Alertes du mois",
  monthJournal: "Journal d'exploitation",
  // the annual report (section 3 of the cahier de vie)
  annualHeading: (year: string) => `Rapport annuel ${year} — cahier de vie, section 3`,
  annualIntro:
    "Suivi de l'exécution du cahier de vie (arrêté du 21 juillet 2015, art. 20) : données de surveillance " +
    "du système de pompage, consommation d'énergie, actes datés effectués sur le système, événements et alertes.",
  annualVolumes: "3.1 Volumes traités (estimation) et énergie, par mois",
  annualPerPump: "Par pompe sur l'année",
  annualJournal: "3.2 Actes datés effectués sur le système et événements",
  annualAlerts: "3.3 Alertes et leurs durées",
} as const;

// ---- Operating journal (issue 19): the texts of the automatic events -----------------------------------------

export const JOURNAL_FR = {
  /** "28/11/2026 à 14:05" */
  at: (date: string, time: string) => `${date} à ${time}`,
  alertClosed: (rule: string, channel: number | null, duration: string) =>
    `${rule} — ${channel === null ? "compteur" : `voie ${channel}`} : terminée après ${duration}.`,
  noFlow: "sans débit",
  flow: (flow: string) => `débit ${flow} m³/h`,
  configuration: (v: {
    name: string;
    version: number;
    from: string;
    pumpType: string;
    flow: string;
    by: string | null;
  }) =>
    `Configuration de ${v.name} : version ${v.version} en vigueur à partir du ${v.from} (${v.pumpType}, ${v.flow})${v.by ? `, par ${v.by}` : ""}.`,
  silence: (from: string, to: string, duration: string) =>
    `Aucun relevé du compteur du ${from} au ${to} (${duration}).`,
  predecessor: "ancien système",
  imported: (source: string, rows: string, from: string, to: string) =>
    `Historique importé (${source}) : ${rows} relevés du ${from} au ${to}.`,
} as const;
