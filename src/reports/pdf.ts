/**
 * PDFs without a browser (decision 0013): pdfmake on pdfkit, DejaVu Sans embedded (Roboto, pdfmake's own
 * font, has no U+202F, the thin no-break space French thousands are written with).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Content } from "./document.js";

const require = createRequire(import.meta.url);

interface PdfMake {
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
  setLocalAccessPolicy(policy: (path: string) => boolean): void;
  createPdf(doc: Content, options?: Record<string, unknown>): { getBuffer(): Promise<Buffer> };
}

let instance: PdfMake | null = null;

function pdfmake(): PdfMake {
  if (instance !== null) return instance;
  const pdf = require("pdfmake") as PdfMake;
  const dir = join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
  const files = {
    normal: join(dir, "DejaVuSans.ttf"),
    bold: join(dir, "DejaVuSans-Bold.ttf"),
    italics: join(dir, "DejaVuSans-Oblique.ttf"),
    bolditalics: join(dir, "DejaVuSans-BoldOblique.ttf"),
  };
  const allowed = new Set(Object.values(files));
  pdf.setFonts({ DejaVu: files });
  // A report never fetches anything: no URL, no file but the fonts.
  pdf.setUrlAccessPolicy(() => false);
  pdf.setLocalAccessPolicy((path) => allowed.has(path));
  instance = pdf;
  return pdf;
}

export function renderPdf(doc: Content): Promise<Buffer> {
  return pdfmake().createPdf(doc).getBuffer();
}
