import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CSV_HEADER, type CycleCsvRow, csvLine, csvText, cycleCsvLine } from "./cycles-csv.js";

const row: CycleCsvRow = {
  deviceName: "Sagemcom",
  channelName: "PS",
  startS: Date.parse("2026-02-14T09:40:00Z") / 1000,
  endS: Date.parse("2026-02-14T09:54:00Z") / 1000,
  ongoing: false,
  noise: false,
  durationMin: 14,
  runtimeMin: 14.6,
  avgPowerW: 421.84,
  avgCurrentA: 2.48,
  medianVoltageV: 228.94,
  energyKwh: 0.1026,
  pumpTypeLabel: "Poste de sortie",
  flowRateM3h: 15,
  volumeM3: null,
  co2eAvoidedKg: null,
};

describe("cycles CSV", () => {
  it("keeps the predecessor's header first, with its exact words (bug 49)", () => {
    expect(
      csvLine(CSV_HEADER).startsWith(
        "Device;Canal;Date;Heure démarrage;Heure arrêt;Durée (min);Puissance moyenne (W);Courant moyen (A);Voltage moyen (V);Statut;",
      ),
    ).toBe(true);
  });

  it("writes a cycle with French dates, HHhMM times, one decimal for W, A, V and a decimal comma", () => {
    expect(cycleCsvLine(row, "UTC")).toBe(
      "Sagemcom;PS;14/02/2026;09h40;09h54;14,0;421,8;2,5;228,9;Terminé;14,6;0,103;Poste de sortie;15,0;-;-\r\n",
    );
  });

  it("shows an ongoing cycle with no end time", () => {
    expect(cycleCsvLine({ ...row, endS: null, ongoing: true }, "UTC")).toContain(";09h40;-;14,0;");
    expect(cycleCsvLine({ ...row, endS: null, ongoing: true }, "UTC")).toContain(";En cours;");
  });

  it("defuses formula injection and quotes separators in names", () => {
    expect(csvText('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvText("+33 pompe")).toBe("'+33 pompe");
    expect(csvText("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvText("-1+1")).toBe("'-1+1");
    expect(csvText("-cmd|' /C calc'!A0")).toBe("'-cmd|' /C calc'!A0");
    expect(csvText("- PR1")).toBe("'- PR1");
    expect(csvText("\tPR1")).toBe("'\tPR1");
    expect(csvText("\rPR1")).toBe('"\'\rPR1"');
    expect(csvText("PR 1; nord")).toBe('"PR 1; nord"');
    expect(cycleCsvLine({ ...row, deviceName: "=1+1" }, "UTC").startsWith("'=1+1;")).toBe(true);
  });

  it("leaves the empty-cell placeholder and negative numbers as they are", () => {
    expect(csvText("-")).toBe("-");
    expect(csvText("-2")).toBe("-2");
    expect(csvText("-12,5")).toBe("-12,5");
    expect(csvText("-0.75")).toBe("-0.75");
    // a channel without configuration: its "Type de poste" reads like the other empty cells
    const line = cycleCsvLine({ ...row, pumpTypeLabel: "-", flowRateM3h: null }, "UTC");
    expect(line).toBe(
      "Sagemcom;PS;14/02/2026;09h40;09h54;14,0;421,8;2,5;228,9;Terminé;14,6;0,103;-;-;-;-\r\n",
    );
  });

  it("never lets a cell start like a formula, and changes nothing else", () => {
    const risky = fc.string({
      unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "1", ",", "a", " ", "|"),
    });
    fc.assert(
      fc.property(fc.oneof(risky, fc.string()), (value) => {
        const cell = csvText(value);
        // undo the quoting to see what the spreadsheet reads
        const read = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
        const guarded = read === `'${value}`;
        expect(guarded || read === value).toBe(true);
        if (!guarded) {
          expect(/^[=+@\t\r]/.test(read)).toBe(false);
          if (read.startsWith("-")) expect(read).toMatch(/^-(\d+([.,]\d+)?)?$/);
        }
      }),
    );
  });
});
