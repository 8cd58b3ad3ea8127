/** French presentation of numbers, dates and times, in the site's time zone. */

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(unixS: number, timeZone: string): Record<string, string> {
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("fr-FR", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    dateFormatters.set(timeZone, formatter);
  }
  const out: Record<string, string> = {};
  for (const part of formatter.formatToParts(new Date(unixS * 1000))) out[part.type] = part.value;
  return out;
}

/** "14/02/2026" */
export function frenchDate(unixS: number, timeZone: string): string {
  const p = partsIn(unixS, timeZone);
  return `${p.day}/${p.month}/${p.year}`;
}

/** "09h40" */
export function frenchTime(unixS: number, timeZone: string): string {
  const p = partsIn(unixS, timeZone);
  return `${p.hour}h${p.minute}`;
}

/** "422,6" — a fixed number of decimals, decimal comma, no thousands separator (spreadsheets read it back). */
export function frenchDecimal(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "-";
  return value.toFixed(decimals).replace(".", ",");
}
