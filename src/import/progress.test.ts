import { describe, expect, it } from "vitest";
import { progressReporter } from "./progress.js";

describe("progress of the predecessor import", () => {
  it("on a terminal the progress is one bar redrawn in place", () => {
    let clock = 0;
    let out = "";
    const report = progressReporter({ isTTY: true, write: (s) => (out += s) }, () => clock);
    report(0, 200);
    clock = 2000;
    report(100, 200);
    clock = 4000;
    report(200, 200);
    const frames = out.split("\r").filter((f) => f.length > 0);
    expect(frames).toHaveLength(3);
    expect(frames[1]).toMatch(/^\[#{15}-{15}\] 50 % 100 \/ 200 relevés, 50 \/s/);
    expect(frames[2]).toMatch(/^\[#{30}\] 100 % 200 \/ 200 relevés, 50 \/s\s*\n$/);
  });

  it("in a log, one line every 10 s and one at the end", () => {
    let clock = 0;
    const lines: string[] = [];
    const report = progressReporter({ isTTY: false, write: (s) => lines.push(s) }, () => clock);
    for (let read = 0; read <= 100; read += 10) {
      report(read, 100);
      clock += 3000;
    }
    // at 0 s, 12 s, 24 s and the end (30 s)
    expect(lines.map((l) => l.slice(0, l.indexOf(" —")))).toEqual([
      "import : 0 %",
      "import : 40 %",
      "import : 80 %",
      "import : 100 %",
    ]);
    expect(lines.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
  });
});
