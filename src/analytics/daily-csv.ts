import { frenchDecimal } from "../i18n/format.js";
import { frenchCalendarDate } from "../i18n/fr.js";
import { csvLine, csvText } from "./cycles-csv.js";
import type { ChannelDay } from "./report-figures.js";

/** One line per local day and channel: the operator's own filings and spreadsheets (api-contract.md). */
export const DAILY_CSV_HEADER = [
  "Date",
  "Compteur",
  "Voie",
  "Démarrages",
  "Durée de marche (min)",
  "Volume estimé (m³)",
  "Énergie (kWh)",
  "Débit mesuré (m³/h)",
  "Apport de la bâche (m³)",
];

export interface DailyCsvRow extends ChannelDay {
  meterName: string;
  channelName: string;
  /** the volumetric method's (issue 17): the pump's measured flow, its wet well's inflow (shared by its pumps) */
  measuredFlowM3h: number | null;
  inflowM3: number | null;
}

/** The dashboard's rounding: runtime 0.1 min, volume 0.01 m³ (summary), energy 0.001 kWh. */
export function dailyCsvLine(row: DailyCsvRow): string {
  return csvLine([
    frenchCalendarDate(row.date),
    csvText(row.meterName),
    csvText(row.channelName),
    String(row.starts),
    frenchDecimal(row.runtimeMin, 1),
    frenchDecimal(row.volumeM3, 2),
    frenchDecimal(row.energyKwh, 3),
    frenchDecimal(row.measuredFlowM3h, 2),
    frenchDecimal(row.inflowM3, 2),
  ]);
}
