import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// WCAG 2.1 contrast of the palette's text/background pairs, read from the stylesheet itself so a change of
// colour that breaks AA (4.5:1 for body text) fails here rather than in an operator's eyes.
const css = readFileSync(new URL("./base.css", import.meta.url), "utf8");
const token = (name: string): string => {
  const m = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`).exec(css);
  if (!m?.[1]) throw new Error(`no --${name}`);
  return m[1];
};

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe("the palette meets WCAG AA", () => {
  it("computes the reference ratios", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });

  const WHITE = "#ffffff";
  const pairs: [string, string, string][] = [
    ["text", "bg", "texte sur le fond de page"],
    ["muted", "surface", "texte secondaire sur carte"],
    ["muted", "bg", "texte secondaire sur le fond"],
    ["green-strong", "surface", "bouton secondaire, liens"],
    ["green-dark", "green-tint", "badge « en ligne », message de succès"],
    ["danger", "danger-tint", "erreur"],
    ["info", "info-tint", "information"],
    ["warning", "warning-tint", "avertissement"],
  ];
  for (const [fg, bg, what] of pairs) {
    it(`${what} (--${fg} sur --${bg})`, () => {
      expect(contrast(token(fg), token(bg))).toBeGreaterThanOrEqual(4.5);
    });
  }
  for (const bg of ["green-strong", "green-dark", "danger"]) {
    it(`texte blanc sur --${bg} (boutons, en-tête, tableaux)`, () => {
      expect(contrast(WHITE, token(bg))).toBeGreaterThanOrEqual(4.5);
    });
  }
});
