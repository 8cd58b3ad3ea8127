import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The README's first paragraph is what a newcomer reads first: it said the dashboard "comes with the next
// issues" long after the dashboard shipped (issue 21, item 6). It describes what exists, never what is planned.

const readme = readFileSync("README.md", "utf8");
const firstParagraph = (readme.split(/\n\s*\n/).find((p) => !p.startsWith("#")) ?? "").replace(/\s+/g, " ");

describe("README, first paragraph", () => {
  it("promises nothing for later", () => {
    expect(firstParagraph).not.toMatch(
      /next issues?|comes? with the next|coming soon|will (come|be added)|later issues?|to come\b/i,
    );
  });

  it("names the web application and its parts that exist", () => {
    expect(firstParagraph).toMatch(/web application/);
    expect(firstParagraph).toMatch(/dashboard/);
    expect(firstParagraph).toMatch(/alerts/);
    expect(firstParagraph).toMatch(/administration/);
  });
});
