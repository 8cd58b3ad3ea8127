import { describe, expect, it } from "vitest";
import { createProgress } from "./progress.js";

function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, write: (text: string) => chunks.push(text) }, chunks };
}

describe("createProgress", () => {
  it("redraws one line in place on a terminal and ends it with a newline", () => {
    const { out, chunks } = recorder(true);
    const progress = createProgress(out, { lineEvery: 3 });
    progress.update("1 000 relevés");
    progress.update("2 000 relevés");
    progress.done("2 500 relevés, terminé");
    expect(chunks).toEqual([
      "\r1 000 relevés\x1b[K",
      "\r2 000 relevés\x1b[K",
      "\r2 500 relevés, terminé\x1b[K\n",
    ]);
  });

  it("piped into a log, writes whole lines now and then and never a carriage return", () => {
    const { out, chunks } = recorder(false);
    const progress = createProgress(out, { lineEvery: 3 });
    for (let i = 1; i <= 7; i++) progress.update(`${i} lots`);
    progress.done("7 lots, terminé");
    expect(chunks).toEqual(["3 lots\n", "6 lots\n", "7 lots, terminé\n"]);
    expect(chunks.join("")).not.toContain("\r");
  });

  it("treats an output that does not say it is a terminal as a pipe", () => {
    const chunks: string[] = [];
    createProgress({ write: (text: string) => chunks.push(text) }, { lineEvery: 1 }).update("x");
    expect(chunks).toEqual(["x\n"]);
  });
});
