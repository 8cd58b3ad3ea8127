import type { Version, VersionChange } from "../../api/types";
import { calendarDate } from "../../i18n/format";

/**
 * The version in force on a date (the form is pre-filled with it: only what changes needs typing); before
 * the first version, the first one. What the change will do is the service's to say (its preview).
 */
export function versionInForce(versions: Version[], date: string): Version | null {
  return (
    versions.find((v) => v.effective_from <= date && (v.effective_to === null || date < v.effective_to)) ??
    versions[0] ??
    null
  );
}

/** What a saved version did, in a sentence. */
export function changeSentence(change: VersionChange): string {
  switch (change.kind) {
    case "unchanged":
      return "rien à changer : ces valeurs sont déjà celles de cette date.";
    case "correct":
      return `la version du ${calendarDate(change.version.effective_from)} est corrigée (v${change.version.version}).`;
    case "create":
      return `première version, à partir du ${calendarDate(change.version.effective_from)}.`;
    default:
      return `nouvelle version à partir du ${calendarDate(change.version.effective_from)}.`;
  }
}
