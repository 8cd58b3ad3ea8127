/** A stacked bar chart as SVG (drawn as vectors in the PDF): one bar per day or month, one shade per series. */

const SHADES = ["#2d8659", "#7fbf9b", "#1b5638", "#b9dcc8", "#4f9e74", "#0f3322"];
const AXIS = "#5f6b66";

export interface Bar {
  label: string;
  values: number[];
}

/** 1, 2 or 5 × 10ⁿ: a tick step giving about four lines up to `max`. */
export function niceStep(max: number): number {
  if (!(max > 0)) return 1;
  const raw = max / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const tick = (v: number) =>
  Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0+$/, "").replace(".", ",");

export function volumeChartSvg(
  bars: Bar[],
  series: string[],
  size: { width: number; height: number },
): string {
  const { width, height } = size;
  const left = 40;
  const bottom = 18;
  const top = series.length > 1 ? 16 : 6;
  const plotW = width - left - 4;
  const plotH = height - top - bottom;
  const max = Math.max(0, ...bars.map((b) => b.values.reduce((a, v) => a + v, 0)));
  const step = niceStep(max);
  const yMax = Math.max(step, Math.ceil(max / step) * step);
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.max(1, slot * 0.7);
  const parts: string[] = [];
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    parts.push(
      `<line x1="${left}" x2="${width - 4}" y1="${y(v).toFixed(2)}" y2="${y(v).toFixed(2)}" stroke="#d5e2da" stroke-width="0.5"/>`,
      `<text x="${left - 3}" y="${(y(v) + 3).toFixed(2)}" font-size="7" fill="${AXIS}" text-anchor="end">${tick(v)}</text>`,
    );
  }
  const every = bars.length > 16 ? Math.ceil(bars.length / 16) : 1;
  bars.forEach((b, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let base = 0;
    b.values.forEach((v, s) => {
      if (v <= 0) return;
      parts.push(
        `<rect x="${x.toFixed(2)}" y="${y(base + v).toFixed(2)}" width="${barW.toFixed(2)}" height="${(y(base) - y(base + v)).toFixed(2)}" fill="${SHADES[s % SHADES.length]}"/>`,
      );
      base += v;
    });
    if (i % every === 0 || i === bars.length - 1)
      parts.push(
        `<text x="${(x + barW / 2).toFixed(2)}" y="${height - 6}" font-size="7" fill="${AXIS}" text-anchor="middle">${esc(b.label)}</text>`,
      );
  });
  parts.push(
    `<line x1="${left}" x2="${width - 4}" y1="${y(0).toFixed(2)}" y2="${y(0).toFixed(2)}" stroke="${AXIS}" stroke-width="0.8"/>`,
    `<text x="2" y="${top + 2}" font-size="7" fill="${AXIS}">m³</text>`,
  );
  if (series.length > 1) {
    let lx = left;
    series.forEach((name, s) => {
      parts.push(
        `<rect x="${lx}" y="2" width="8" height="8" fill="${SHADES[s % SHADES.length]}"/>`,
        `<text x="${lx + 11}" y="9" font-size="7" fill="${AXIS}">${esc(name)}</text>`,
      );
      lx += 16 + name.length * 4.2;
    });
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join("")}</svg>`;
}
