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
  end_before_start: "La date de fin précède la date de début : inversez-les.",
  from_out_of_range: "Date de début hors limites : du 01/01/2000 au 31/12/2100.",
  to_out_of_range: "Date de fin hors limites : du 01/01/2000 au 31/12/2100.",
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
