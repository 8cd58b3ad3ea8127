import type { Version } from "../../api/types";
import { calendarDate } from "../../i18n/format";

/** The version in force on a date, and what a new version on that date would do to the history. */
export function plannedChange(
  versions: Version[],
  date: string,
): { inForce: Version | null; sentence: string } {
  const inForce =
    versions.find((v) => v.effective_from <= date && (v.effective_to === null || date < v.effective_to)) ??
    null;
  const first = versions[0];
  if (!first)
    return {
      inForce: null,
      sentence: "Ce sera la première version de ce canal, valable à partir de cette date.",
    };
  if (date < first.effective_from)
    return {
      inForce: null,
      sentence: `Cette date précède la première version (${calendarDate(first.effective_from)}) : une version sera ajoutée du ${calendarDate(date)} au ${calendarDate(first.effective_from)} exclu.`,
    };
  if (!inForce) return { inForce: null, sentence: "" };
  if (inForce.effective_from === date)
    return {
      inForce,
      sentence: `Une version commence déjà ce jour-là (v${inForce.version}) : elle sera corrigée (v${inForce.version + 1}), l'ancienne reste dans l'historique.`,
    };
  const end = inForce.effective_to
    ? `au ${calendarDate(inForce.effective_to)} exclu`
    : "à aujourd'hui et au-delà";
  return {
    inForce,
    sentence: `La version du ${calendarDate(inForce.effective_from)} sera coupée : elle s'appliquera jusqu'au ${calendarDate(date)} exclu, la nouvelle du ${calendarDate(date)} ${end}.`,
  };
}
