/** Every text a user can read in an API answer, in French, by machine code. */
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
  invalid_from: "Date de début invalide : AAAA-MM-JJ, ou un instant ISO avec fuseau (2026-02-14T09:40:00Z).",
  invalid_to: "Date de fin invalide : AAAA-MM-JJ, ou un instant ISO avec fuseau (2026-02-14T09:40:00Z).",
  empty_period: "La date de fin doit suivre la date de début.",
  period_too_long: "Période trop longue (dix ans au plus).",
  invalid_end: "Date de fin du graphique invalide : AAAA-MM-JJ attendu.",
  // Administration
  unknown_field: "Champ inconnu dans la requête.",
  api_key_not_found: "Clé d'API introuvable ou déjà révoquée.",
  invalid_api_key_name: "Le nom de la clé d'API est obligatoire (100 caractères au plus).",
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
  if (nameChanged) parts.push("Nom de l'appareil enregistré");
  if (created.length > 0) {
    parts.push(`Nouvelle version datée du ${frenchCalendarDate(date)} pour ${frenchList(created)}`);
  }
  if (corrected.length > 0) {
    parts.push(`Version du ${frenchCalendarDate(date)} corrigée pour ${frenchList(corrected)}`);
  }
  if (unchanged.length > 0) {
    parts.push(`${frenchList(unchanged)} ${unchanged.length > 1 ? "inchangés" : "inchangé"}`);
  }
  if (parts.length === 0) return "Rien à enregistrer.";
  const sentence = parts.join(" ; ");
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}
