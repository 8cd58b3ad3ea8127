import { frenchDate, frenchDecimal, frenchTime } from "../i18n/format.js";

/** One cycle as the table shows it, names resolved. */
export interface CycleCsvRow {
  deviceName: string;
  channelName: string;
  startS: number;
  endS: number | null;
  ongoing: boolean;
  noise: boolean;
  durationMin: number;
  runtimeMin: number;
  avgPowerW: number | null;
  avgCurrentA: number | null;
  medianVoltageV: number | null;
  energyKwh: number | null;
  pumpTypeLabel: string;
  flowRateM3h: number | null;
  volumeM3: number | null;
  co2eAvoidedKg: number | null;
}

// The predecessor's ten columns first (operators' spreadsheets read them by position), then ours.
export const CSV_HEADER = [
  "Device",
  "Canal",
  "Date",
  "Heure démarrage",
  "Heure arrêt",
  "Durée (min)",
  "Puissance moyenne (W)",
  "Courant moyen (A)",
  "Voltage moyen (V)",
  "Statut",
  "Durée de marche (min)",
  "Énergie (kWh)",
  "Type de poste",
  "Débit (m³/h)",
  "Volume (m³)",
  "CO₂e évité (kg)",
];

/** `volume_method=volumetric`: the volume column says how it was obtained. */
export const CSV_HEADER_VOLUMETRIC = CSV_HEADER.map((h) =>
  h === "Volume (m³)" ? "Volume mesuré, méthode volumétrique (m³)" : h,
);

// A lone "-" is the export's empty-cell placeholder and "-12,5" a plain number: neither runs as a formula, and
// an apostrophe there would show in the operator's sheet. Any other "-" start ("-1+1", "-cmd|…") may.
const PLAIN_DASH = /^-(\d+([.,]\d+)?)?$/;

/**
 * A text cell that a spreadsheet would run as a formula (=, +, @, tab, CR first, or "-" followed by more than
 * a number) gets a leading apostrophe; `;`, quotes and line breaks are quoted.
 */
export function csvText(value: string): string {
  const formula = /^[=+\-@\t\r]/.test(value) && !PLAIN_DASH.test(value);
  const safe = formula ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: string[]): string {
  return `${cells.join(";")}\r\n`;
}

export function cycleCsvLine(row: CycleCsvRow, timeZone: string): string {
  const status = row.ongoing ? "En cours" : row.noise ? "Bruit" : "Terminé";
  return csvLine([
    csvText(row.deviceName),
    csvText(row.channelName),
    frenchDate(row.startS, timeZone),
    frenchTime(row.startS, timeZone),
    row.endS === null ? "-" : frenchTime(row.endS, timeZone),
    frenchDecimal(row.durationMin, 1),
    frenchDecimal(row.avgPowerW, 1),
    frenchDecimal(row.avgCurrentA, 1),
    frenchDecimal(row.medianVoltageV, 1),
    status,
    frenchDecimal(row.runtimeMin, 1),
    frenchDecimal(row.energyKwh, 3),
    csvText(row.pumpTypeLabel),
    frenchDecimal(row.flowRateM3h, 1),
    frenchDecimal(row.volumeM3, 2),
    frenchDecimal(row.co2eAvoidedKg, 1),
  ]);
}
