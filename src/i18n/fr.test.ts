import { describe, expect, it } from "vitest";
import { auditSummary, frenchDuration, whatHappened } from "./fr.js";

describe("audit summaries", () => {
  it("words a share link's creation and revocation in French, with its expiry as a date", () => {
    const link = { site_id: 3, label: "Mairie", expires_at: "2026-01-07T12:00:00.000Z", revoked_at: null };
    expect(
      auditSummary({
        kind: "share_link",
        action: "create",
        entityKey: "7",
        deviceId: null,
        before: null,
        after: link,
      }),
    ).toBe(
      "Lien de partage n° 7 créé pour le site n° 3 (« Mairie »), valable jusqu'au 07/01/2026 12h00 UTC.",
    );
    expect(
      auditSummary({
        kind: "share_link",
        action: "revoke",
        entityKey: "7",
        deviceId: null,
        before: link,
        after: { ...link, revoked_at: "2025-12-01T09:00:00.000Z" },
      }),
    ).toBe("Lien de partage n° 7 du site n° 3 révoqué.");
  });

  const version = (flowRateM3h: number | null) =>
    auditSummary({
      kind: "channel_version",
      action: "create",
      entityKey: "12",
      deviceId: "shellypro4pm-a0dd6c9ef474",
      before: null,
      after: {
        kind: "create",
        channel: 3,
        effectiveFrom: "2026-11-20",
        flowRateM3h,
        pumpType: "autre",
        dbo5MgL: 570,
      },
    });

  it("words a version without a flow rate as such, not as « aucun m³/h »", () => {
    expect(version(null)).toBe(
      "Première version du 20/11/2026, canal 3 de shellypro4pm-a0dd6c9ef474 : sans débit, autre, DBO5 570 mg/L.",
    );
  });

  it("gives a flow rate with a decimal comma", () => {
    expect(version(9.5)).toContain(": débit 9,5 m³/h, autre");
  });
});

describe("alert notification texts", () => {
  it("says long silences in days and hours, short ones in minutes", () => {
    expect(frenchDuration(31)).toBe("31 min");
    expect(frenchDuration(125)).toBe("2 h 05");
    expect(frenchDuration(7949)).toBe("5 j 12 h");
    expect(whatHappened({ rule: "meter_offline", value: 7949, threshold: 10, unit: "min" })).toBe(
      "Le compteur n'envoie plus de relevés depuis 5 j 12 h (seuil 10 min).",
    );
    expect(whatHappened({ rule: "dry_run", value: 412.34, threshold: null, unit: "W" })).toBe(
      "La pompe tourne à 412,3 W seulement, signe d'une marche à sec.",
    );
  });
});
