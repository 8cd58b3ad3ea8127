/**
 * The channel form's rules, pure so they are tested without a browser: what an operator typed → the body
 * the service takes, or a French message per field. Ranges are the predecessor's (§3.2): nothing is sent
 * while a field is invalid.
 */

/** "12,5" or "12.5" → 12.5; "" → null; anything else → NaN */
export function parseDecimal(text: string): number | null {
  const t = text.trim().replace(",", ".");
  if (t === "") return null;
  if (!/^[-+]?\d+(\.\d+)?$|^[-+]?\.\d+$/.test(t)) return Number.NaN;
  return Number(t);
}

/** 12.5 → "12,5"; null → "" */
export const decimalText = (value: number | null | undefined): string =>
  value === null || value === undefined ? "" : String(value).replace(".", ",");

export interface ChannelDraft {
  name: string;
  pumpModelId: string;
  pumpType: string;
  flowRate: string;
  threshold: string;
  /** the wet well this pump empties (pumps of one well share it) */
  sump: string;
  /** useful volume between the stop and the start float, m³; "" unknown */
  sumpVolume: string;
}

export interface WaterDraft {
  dbo5: string;
  dco: string;
  mes: string;
}

export type FieldErrors = Record<string, string>;

export function validateFlowRate(text: string, label: string): string | null {
  const v = parseDecimal(text);
  if (v === null) return null;
  if (Number.isNaN(v) || v <= 0 || v > 1000)
    return `Débit effectif invalide pour ${label} : un nombre supérieur à 0 et jusqu'à 1000 m³/h (ex. 12,5), ou vide.`;
  return null;
}

export function validateSump(text: string, label: string): string | null {
  const t = text.trim();
  if (t === "" || t.length > 20)
    return `Bâche invalide pour ${label} : un nom court de 1 à 20 caractères (ex. 1) ; les pompes d'un même poste partagent la même bâche.`;
  return null;
}

/** The service refuses above 1000 m³: a lift station's useful volume is a few m³ (litres typed as m³). */
export function validateSumpVolume(text: string, label: string): string | null {
  const v = parseDecimal(text);
  if (v === null) return null;
  if (Number.isNaN(v) || v <= 0 || v > 1000)
    return `Volume utile invalide pour ${label} : un nombre de m³ supérieur à 0 et jusqu'à 1000 (ex. 2,4), ou vide.`;
  return null;
}

export function validateThreshold(text: string, label: string): string | null {
  const v = parseDecimal(text);
  if (v === null || Number.isNaN(v) || v <= 0 || v > 10_000)
    return `Seuil d'activité invalide pour ${label} : un nombre de watts supérieur à 0 (ex. 10).`;
  return null;
}

const WATER_RANGES = { dbo5: ["DBO5", 5000], dco: ["DCO", 10000], mes: ["MES", 5000] } as const;

export function validateWater(draft: WaterDraft): FieldErrors {
  const errors: FieldErrors = {};
  for (const key of ["dbo5", "dco", "mes"] as const) {
    const [label, max] = WATER_RANGES[key];
    const v = parseDecimal(draft[key]);
    if (v === null || Number.isNaN(v) || v < 0 || v > max)
      errors[key] = `${label} invalide : un nombre de mg/L entre 0 et ${max}.`;
  }
  return errors;
}

export function validateName(text: string, what: string): string | null {
  return text.trim().length > 100 ? `${what} : 100 caractères au plus.` : null;
}

/** A date typed or picked: real, YYYY-MM-DD, between 2000 and 2100 (predecessor bug 16: year 206). */
export function validateEffectiveDate(text: string): string | null {
  if (!text) return "Date d'effet requise.";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return "Date d'effet invalide : JJ/MM/AAAA.";
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return "Date d'effet invalide : ce jour n'existe pas.";
  if (y < 2000 || y > 2100) return `Date d'effet invalide : l'année ${y} n'est pas entre 2000 et 2100.`;
  return null;
}
