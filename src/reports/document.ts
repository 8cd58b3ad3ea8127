/**
 * The layout of the monthly and annual reports as a pdfmake document: French, A4, the FiltrePlante green,
 * page numbers. Figures are rounded as the dashboard shows them (`/api/cycles` summary): volume 0,01 m³,
 * energy 0,001 kWh, CO₂e avoided 0,1 kg, electricity CO₂e 0,01 kg.
 */

import { localDateOf } from "../domain/config-versions/index.js";
import { AUTOMATIC_KIND_LABELS, JOURNAL_KIND_LABELS } from "../domain/journal/index.js";
import { FRENCH_MONTHS, frenchMonth, monthsOf } from "../domain/reports/period.js";
import { frenchDate, frenchTime } from "../i18n/format.js";
import { frenchCalendarDate, frenchDuration, REPORT_FR } from "../i18n/fr.js";
import { volumeChartSvg } from "./chart.js";
import type { ReportData, ReportPump } from "./monthly.js";

export const GREEN = "#2d8659";
const LIGHT = "#e8f3ed";
const GREY = "#5f6b66";
// the provisional-figures line: the amber of the dashboard's warnings, dark enough to read on paper
const WARNING = "#8a5a00";

// biome-ignore lint/suspicious/noExplicitAny: pdfmake's document tree is plain, loosely typed JSON
export type Content = any;

const formatters = new Map<number, Intl.NumberFormat>();
/** French number: decimal comma, thin no-break space (U+202F) between thousands, "-" for none. */
export function frenchNumber(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "-";
  let f = formatters.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formatters.set(decimals, f);
  }
  const rounded = Math.round(value * 10 ** decimals) / 10 ** decimals;
  return f.format(rounded === 0 ? 0 : rounded);
}

/** The dashboard's rounding of each figure, the one place the report and its tests read it from. */
export const DECIMALS = {
  volume: 2,
  energy: 3,
  co2e: 1,
  electricityCo2e: 2,
  runtimeH: 1,
  kwhPerM3: 3,
} as const;

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

/** kWh per m³ of the figures as shown (the ratio of the rounded figures the reader sees). */
export function kwhPerM3(energyKwh: number, volumeM3: number | null): number | null {
  if (volumeM3 === null) return null;
  const v = round(volumeM3, DECIMALS.volume);
  return v > 0 ? round(energyKwh, DECIMALS.energy) / v : null;
}

const at = (d: Date, tz: string) => {
  const s = Math.floor(d.getTime() / 1000);
  return `${frenchDate(s, tz)} ${frenchTime(s, tz)}`;
};

function pumpVolume(p: ReportPump): number | null {
  if (p.pumpType !== "relevage") return null;
  return p.flowRateM3h === null && p.summary.treatedVolumeM3 === 0 ? null : p.summary.treatedVolumeM3;
}

/**
 * Whether the report has a volume at all: a lift-station pump with a flow rate, or one that got a volume. Without
 * one the totals of volume, kWh/m³ and CO₂e avoided print « - » (nothing to estimate), not a false 0,00.
 */
function hasVolume(data: ReportData): boolean {
  return data.pumps.some((p) => pumpVolume(p) !== null);
}

/** "sur 8 jours suivis", and the period's whole days when the meters were watched on fewer (issue 21). */
export const monitoredDaysText = REPORT_FR.monitoredDays;

const th = (text: string, alignment: "left" | "right" = "right") => ({ text, style: "th", alignment });
const num = (text: string) => ({ text, alignment: "right" });

function table(widths: Content[], header: Content[], rows: Content[][], footer?: Content[]): Content {
  return {
    table: {
      headerRows: 1,
      keepWithHeaderRows: 1,
      widths,
      body: [header, ...rows, ...(footer ? [footer] : [])],
    },
    layout: {
      fillColor: (row: number) => (row === 0 ? GREEN : row % 2 === 0 ? LIGHT : null),
      hLineWidth: () => 0.5,
      vLineWidth: () => 0,
      hLineColor: () => "#c9d6cf",
      paddingTop: () => 3,
      paddingBottom: () => 3,
    },
    margin: [0, 4, 0, 10],
  };
}

const empty = (text: string = REPORT_FR.noData) => ({
  text,
  color: GREY,
  margin: [0, 2, 0, 10],
});

function pumpsTable(data: ReportData): Content {
  if (data.pumps.length === 0) return empty(REPORT_FR.noPumps);
  const rows = data.pumps.map((p) => {
    const volume = pumpVolume(p);
    return [
      data.meters.length > 1
        ? { text: [p.name, { text: `\n${p.meterName}`, fontSize: 7, color: GREY }] }
        : p.name,
      num(String(p.summary.cycles)),
      num(frenchNumber(p.runtimeMin / 60, DECIMALS.runtimeH)),
      num(frenchNumber(volume, DECIMALS.volume)),
      num(frenchNumber(p.summary.energyKwh, DECIMALS.energy)),
      num(frenchNumber(kwhPerM3(p.summary.energyKwh, volume), DECIMALS.kwhPerM3)),
      num(volume === null ? "-" : frenchNumber(p.summary.co2eAvoidedKg, DECIMALS.co2e)),
    ];
  });
  const s = data.summary;
  const volume = hasVolume(data) ? s.treatedVolumeM3 : null;
  const total = [
    { text: REPORT_FR.total, bold: true },
    num(String(s.cycles)),
    num(frenchNumber(data.pumps.reduce((a, p) => a + p.runtimeMin, 0) / 60, DECIMALS.runtimeH)),
    num(frenchNumber(volume, DECIMALS.volume)),
    num(frenchNumber(s.energyKwh, DECIMALS.energy)),
    num(frenchNumber(kwhPerM3(s.energyKwh, volume), DECIMALS.kwhPerM3)),
    num(frenchNumber(volume === null ? null : s.co2eAvoidedKg, DECIMALS.co2e)),
  ].map((c) => (typeof c === "object" ? { ...c, bold: true } : c));
  return table(
    ["*", 56, 56, 70, 58, 44, 56],
    [
      th(REPORT_FR.columns.pump, "left"),
      th(REPORT_FR.columns.starts),
      th(REPORT_FR.columns.runtimeH),
      th(REPORT_FR.columns.volumeM3),
      th(REPORT_FR.columns.energyKwh),
      th(REPORT_FR.columns.kwhPerM3),
      th(REPORT_FR.columns.co2eKg),
    ],
    rows,
    total,
  );
}

function methodText(data: ReportData): Content[] {
  const flows = data.pumps
    .filter((p) => p.pumpType === "relevage")
    .map((p) =>
      p.flowRateM3h === null
        ? REPORT_FR.flowNone(p.name)
        : REPORT_FR.flow(p.name, frenchNumber(p.flowRateM3h, 1)),
    );
  const fs = data.factorSet;
  const grid = data.gridFactor;
  return [
    { text: REPORT_FR.method, style: "h2", headlineLevel: 1 },
    {
      text: [{ text: REPORT_FR.volumeMethodTitle, bold: true }, REPORT_FR.volumeMethod(flows)],
      margin: [0, 0, 0, 4],
    },
    {
      text: REPORT_FR.energyMethod(data.timeZone),
      margin: [0, 0, 0, 4],
    },
    {
      text: [{ text: REPORT_FR.co2eTitle, bold: true }, REPORT_FR.co2eMethod(fs)],
      margin: [0, 0, 0, 2],
    },
    { ul: fs.sources.map((s) => ({ text: s, fontSize: 8 })), margin: [8, 0, 0, 4] },
    {
      text:
        grid === null
          ? REPORT_FR.noGridFactor
          : REPORT_FR.gridCo2e(
              frenchNumber(data.summary.electricityCo2eKg, DECIMALS.electricityCo2e),
              frenchNumber(grid.kgCo2ePerKwh, 3),
              grid.source,
            ),
      margin: [0, 0, 0, 10],
    },
  ];
}

/** Columns of the volume table: one per lift-station pump, or per meter when a site has many. */
function volumeColumns(data: ReportData): { label: string; pumps: ReportPump[] }[] {
  const lift = data.pumps.filter((p) => p.pumpType === "relevage");
  if (lift.length <= 5) return lift.map((p) => ({ label: p.name, pumps: [p] }));
  return data.meters
    .map((m) => ({ label: m.name, pumps: lift.filter((p) => p.deviceId === m.deviceId) }))
    .filter((c) => c.pumps.length > 0);
}

const sumOr = (xs: (number | null)[]) =>
  xs.some((x) => x !== null) ? xs.reduce<number>((a, x) => a + (x ?? 0), 0) : null;

function dailyVolumes(data: ReportData): Content[] {
  const columns = volumeColumns(data);
  const head = [{ text: REPORT_FR.dailyVolumes, style: "h2", headlineLevel: 1 }];
  if (!data.hasData || columns.length === 0) return [...head, empty()];
  const perDay = data.dates.map((date, i) => ({
    label: date.slice(8, 10),
    values: columns.map((c) => sumOr(c.pumps.map((p) => p.days[i]?.volumeM3 ?? null))),
  }));
  const rows = data.dates.map((date, i) => {
    const values = perDay[i]?.values ?? [];
    return [
      frenchCalendarDate(date),
      ...values.map((v) => num(frenchNumber(v, DECIMALS.volume))),
      num(frenchNumber(sumOr(values), DECIMALS.volume)),
    ];
  });
  return [
    ...head,
    {
      svg: volumeChartSvg(
        perDay.map((d) => ({ label: d.label, values: d.values.map((v) => v ?? 0) })),
        columns.map((c) => c.label),
        { width: 515, height: 170 },
      ),
      font: "DejaVu",
      width: 515,
      margin: [0, 0, 0, 8],
    },
    ...dayTables(
      columns.map((c) => c.label),
      rows,
    ),
  ];
}

/** A month's days in two halves side by side when the table is narrow: the month then fits on two pages. */
function dayTables(labels: string[], rows: Content[][]): Content[] {
  // a fresh header per table: pdfmake writes its measures into the cells it lays out
  const header = () => [th(REPORT_FR.columns.date, "left"), ...labels.map((l) => th(l)), th(REPORT_FR.total)];
  const compact = (part: Content[][]) => ({
    ...table([54, ...labels.map(() => "*"), 44], header(), part),
    fontSize: 7.5,
  });
  if (labels.length > 2) return [table([70, ...labels.map(() => "*"), 70], header(), rows)];
  const half = Math.ceil(rows.length / 2);
  return [
    { columns: [compact(rows.slice(0, half)), compact(rows.slice(half))], columnGap: 12, unbreakable: true },
  ];
}

function alertsSection(data: ReportData, title: string): Content[] {
  const head = { text: title, style: "h2", headlineLevel: 1 };
  if (data.alerts.length === 0) return [head, empty(REPORT_FR.noAlerts)];
  const tz = data.timeZone;
  const endMs = Math.min(data.generatedAt.getTime(), data.periodEnd.getTime());
  return [
    head,
    table(
      [110, "*", 80, 80, 60],
      [
        th(REPORT_FR.columns.meterChannel, "left"),
        th(REPORT_FR.columns.alert, "left"),
        th(REPORT_FR.columns.start, "left"),
        th(REPORT_FR.columns.end, "left"),
        th(REPORT_FR.columns.duration, "left"),
      ],
      data.alerts.map((a) => [
        `${a.meterName}${a.channel === null ? "" : REPORT_FR.channel(a.channel)}`,
        a.rule,
        at(a.startedAt, tz),
        a.endedAt === null ? REPORT_FR.ongoing : at(a.endedAt, tz),
        frenchDuration(((a.endedAt?.getTime() ?? endMs) - a.startedAt.getTime()) / 60_000),
      ]),
    ),
  ];
}

function journalSection(data: ReportData, title: string): Content[] {
  const head = { text: title, style: "h2", headlineLevel: 1 };
  if (data.journal.length === 0) return [head, empty(REPORT_FR.noJournal)];
  const tz = data.timeZone;
  const name = new Map(data.meters.map((m) => [m.deviceId, m.name]));
  return [
    head,
    table(
      [80, 80, "*", 80],
      [
        th(REPORT_FR.columns.date, "left"),
        th(REPORT_FR.columns.kind, "left"),
        th(REPORT_FR.columns.text, "left"),
        th(REPORT_FR.columns.author, "left"),
      ],
      data.journal.map((l) => [
        at(l.at, tz),
        l.automatic
          ? AUTOMATIC_KIND_LABELS[l.kind as keyof typeof AUTOMATIC_KIND_LABELS]
          : JOURNAL_KIND_LABELS[l.kind as keyof typeof JOURNAL_KIND_LABELS],
        `${data.meters.length > 1 ? `${name.get(l.deviceId) ?? l.deviceId} — ` : ""}${l.text}`,
        l.author ?? REPORT_FR.automaticAuthor,
      ]),
    ),
  ];
}

function headerBlock(data: ReportData, heading: string): Content[] {
  const site = data.site;
  const lines = [
    site?.sandreCode ? REPORT_FR.sandreCode(site.sandreCode) : null,
    site?.populationEquivalent ? REPORT_FR.capacity(frenchNumber(site.populationEquivalent, 0)) : null,
    REPORT_FR.meters(
      data.meters.map((m) => (m.name === m.deviceId ? m.deviceId : `${m.name} (${m.deviceId})`)),
    ),
    REPORT_FR.period(
      frenchCalendarDate(data.fromDate),
      frenchCalendarDate(data.toDate),
      data.timeZone,
      data.partial,
    ),
    REPORT_FR.generatedAt(at(data.generatedAt, data.timeZone)),
  ].filter((l): l is string => l !== null);
  return [
    { text: REPORT_FR.brand, color: GREEN, bold: true, fontSize: 9 },
    { text: heading, style: "h1" },
    { text: data.title, fontSize: 13, bold: true, margin: [0, 0, 0, 4] },
    ...lines.map((text) => ({ text, fontSize: 9, color: GREY })),
    ...(data.refreshing ? [{ text: REPORT_FR.refreshing, fontSize: 9, bold: true, color: WARNING }] : []),
    {
      canvas: [{ type: "line", x1: 0, y1: 4, x2: 515, y2: 4, lineWidth: 1.5, lineColor: GREEN }],
      margin: [0, 0, 0, 8],
    },
  ];
}

function docOf(content: Content[], title: string): Content {
  // a bottom margin after the last block can push pdfmake onto an empty last page
  const last = content.at(-1);
  if (last && typeof last === "object" && "table" in last) last.margin = [0, 4, 0, 0];
  return {
    pageSize: "A4",
    pageMargins: [40, 40, 40, 50],
    info: {
      title,
      author: REPORT_FR.brand,
      creator: "pumpwatch",
      producer: "pumpwatch (pdfmake)",
    },
    defaultStyle: { font: "DejaVu", fontSize: 9, lineHeight: 1.15 },
    styles: {
      h1: { fontSize: 18, bold: true, color: GREEN, margin: [0, 4, 0, 2] },
      h2: { fontSize: 12, bold: true, color: GREEN, margin: [0, 8, 0, 4] },
      th: { bold: true, color: "#ffffff", fontSize: 7.5 },
    },
    // a heading left last on its page goes over to the next, with what it heads
    // (the footer's nodes are on every page: they do not count)
    pageBreakBefore: (
      node: { headlineLevel?: number },
      page: { getFollowingNodesOnPage: () => { style?: unknown }[] },
    ) => node.headlineLevel === 1 && page.getFollowingNodesOnPage().every((n) => n.style === "footer"),
    footer: (page: number, pages: number) => ({
      style: "footer",
      columns: [
        { text: title, style: "footer", fontSize: 7, color: GREY },
        { text: REPORT_FR.page(page, pages), style: "footer", alignment: "right", fontSize: 8, color: GREEN },
      ],
      margin: [40, 16, 40, 0],
    }),
    content,
  };
}

/**
 * The period at a glance, as the dashboard's tiles: volume, per-day volume (over the days the meters were
 * monitored, issue 21), energy, starts, CO₂e avoided; « - » where there is no volume to estimate.
 */
function keyFiguresBlock(data: ReportData): Content {
  const s = data.summary;
  const volume = hasVolume(data);
  const unit = (value: number | null, decimals: number, suffix: string) =>
    value === null ? "-" : `${frenchNumber(value, decimals)} ${suffix}`;
  const tiles: [string, string, string?][] = [
    [REPORT_FR.tiles.volume, unit(volume ? s.treatedVolumeM3 : null, DECIMALS.volume, REPORT_FR.units.m3)],
    [
      REPORT_FR.tiles.perDay,
      unit(volume ? s.treatedVolumePerDayM3 : null, DECIMALS.volume, REPORT_FR.units.m3PerDay),
      monitoredDaysText(s.monitoredDays, s.wholeDays),
    ],
    [REPORT_FR.tiles.energy, unit(s.energyKwh, DECIMALS.energy, REPORT_FR.units.kwh)],
    [REPORT_FR.tiles.starts, String(s.cycles)],
    [REPORT_FR.tiles.co2e, unit(volume ? s.co2eAvoidedKg : null, DECIMALS.co2e, REPORT_FR.units.kg)],
  ];
  return {
    columns: tiles.map(([label, value, note]) => ({
      stack: [
        { text: label, fontSize: 8, color: GREY },
        { text: value, fontSize: 12, bold: true, color: GREEN },
        ...(note ? [{ text: note, fontSize: 7, color: GREY }] : []),
      ],
    })),
    columnGap: 6,
    margin: [0, 0, 0, 8],
  };
}

export function monthlyDocument(data: ReportData): Content {
  const heading = REPORT_FR.monthlyHeading(frenchMonth(data.period));
  const keyFigures = data.hasData
    ? keyFiguresBlock(data)
    : { text: REPORT_FR.noDataMonth, fontSize: 12, bold: true, color: GREY, margin: [0, 4, 0, 8] };
  return docOf(
    [
      ...headerBlock(data, heading),
      keyFigures,
      // a pump per row, a page at most: the heading and its table kept together
      { stack: [{ text: REPORT_FR.perPump, style: "h2" }, pumpsTable(data)], unbreakable: true },
      ...methodText(data),
      ...dailyVolumes(data),
      ...alertsSection(data, REPORT_FR.monthAlerts),
      ...journalSection(data, REPORT_FR.monthJournal),
    ],
    `${heading} — ${data.title}`,
  );
}

/** The year per month: what section 3 of the cahier de vie asks of the monitoring data. */
function monthlyRows(data: ReportData) {
  // a month not begun yet when the report is made has no figures, not zeros
  const thisMonth = localDateOf(Math.floor(data.generatedAt.getTime() / 1000), data.timeZone).slice(0, 7);
  return monthsOf(Number(data.period)).map((month, m) => {
    const idx = data.dates.flatMap((d, i) => (d.startsWith(month) ? [i] : []));
    const day = (p: ReportPump, i: number) => p.days[i];
    let starts = 0;
    let runtime = 0;
    let energy = 0;
    let volume: number | null = null;
    for (const p of data.pumps)
      for (const i of idx) {
        const d = day(p, i);
        if (!d) continue;
        starts += d.starts;
        runtime += d.runtimeMin;
        energy += d.energyKwh;
        if (d.volumeM3 !== null) volume = (volume ?? 0) + d.volumeM3;
      }
    return { label: FRENCH_MONTHS[m] ?? month, begun: month <= thisMonth, starts, runtime, energy, volume };
  });
}

/** A month of the annual table: starts, runtime, volume, energy, kWh/m³. */
function monthRow(m: ReturnType<typeof monthlyRows>[number]): Content[] {
  return [
    m.label,
    num(String(m.starts)),
    num(frenchNumber(m.runtime / 60, DECIMALS.runtimeH)),
    num(frenchNumber(m.volume, DECIMALS.volume)),
    num(frenchNumber(m.energy, DECIMALS.energy)),
    num(frenchNumber(kwhPerM3(m.energy, m.volume), DECIMALS.kwhPerM3)),
  ];
}

export function annualDocument(data: ReportData): Content {
  const heading = REPORT_FR.annualHeading(data.period);
  const months = monthlyRows(data);
  const s = data.summary;
  const yearVolume = hasVolume(data) ? s.treatedVolumeM3 : null;
  const volumesTable = data.hasData
    ? [
        keyFiguresBlock(data),
        {
          svg: volumeChartSvg(
            months.map((m, i) => ({ label: REPORT_FR.shortMonths[i] ?? m.label, values: [m.volume ?? 0] })),
            [REPORT_FR.tiles.volume],
            { width: 515, height: 150 },
          ),
          font: "DejaVu",
          width: 515,
          margin: [0, 0, 0, 8],
        },
        table(
          ["*", 60, 70, 80, 70, 60],
          [
            th(REPORT_FR.columns.month, "left"),
            th(REPORT_FR.columns.starts),
            th(REPORT_FR.columns.runtimeH),
            th(REPORT_FR.columns.volumeM3),
            th(REPORT_FR.columns.energyKwh),
            th(REPORT_FR.columns.kwhPerM3),
          ],
          months.map((m) =>
            m.begun ? monthRow(m) : [m.label, ...Array.from({ length: 5 }, () => num("-"))],
          ),
          [
            { text: REPORT_FR.year, bold: true },
            num(String(s.cycles)),
            num(frenchNumber(months.reduce((a, m) => a + m.runtime, 0) / 60, DECIMALS.runtimeH)),
            num(frenchNumber(yearVolume, DECIMALS.volume)),
            num(frenchNumber(s.energyKwh, DECIMALS.energy)),
            num(frenchNumber(kwhPerM3(s.energyKwh, yearVolume), DECIMALS.kwhPerM3)),
          ].map((c) => ({ ...c, bold: true })),
        ),
      ]
    : [empty(REPORT_FR.noDataYear)];
  return docOf(
    [
      ...headerBlock(data, heading),
      {
        text: REPORT_FR.annualIntro,
        margin: [0, 0, 0, 6],
      },
      { text: REPORT_FR.annualVolumes, style: "h2", headlineLevel: 1 },
      ...volumesTable,
      // a pump per row, a page at most: the heading and its table kept together
      { stack: [{ text: REPORT_FR.annualPerPump, style: "h2" }, pumpsTable(data)], unbreakable: true },
      ...methodText(data),
      ...journalSection(data, REPORT_FR.annualJournal),
      ...alertsSection(data, REPORT_FR.annualAlerts),
    ],
    `${heading} — ${data.title}`,
  );
}
