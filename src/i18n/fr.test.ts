import { describe, expect, it } from "vitest";
import { auditSummary } from "./fr.js";

describe("audit summaries", () => {
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
