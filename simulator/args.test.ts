import { describe, expect, it } from "vitest";
import { parseCliArgs, UsageError } from "./args.js";

const NOW = Date.parse("2025-10-08T12:34:56.789Z");

describe("parseCliArgs", () => {
  it("has the documented defaults", () => {
    const o = parseCliArgs([], NOW);
    expect(o).toMatchObject({
      mode: "print",
      seed: 1,
      devices: 2,
      days: 1,
      duplicates: 0,
      reorder: 0,
      loss: 0,
      reboots: 0,
      truth: null,
      batch: 100,
      concurrency: 2,
    });
    expect(o.startS).toBe(Date.parse("2025-10-07T12:34:00Z") / 1000); // now − days, floored to the minute
  });

  it("reads every flag", () => {
    const o = parseCliArgs(
      [
        "--seed=9",
        "--devices",
        "5",
        "--days",
        "0.5",
        "--start",
        "2025-01-01T00:00:30Z",
        "--duplicates",
        "0.1",
        "--reorder",
        "20",
        "--loss",
        "0.02",
        "--reboots",
        "1.5",
        "--truth",
        "t.json",
        "--post",
        "http://127.0.0.1:3000/api/ingest/batch",
        "--key",
        "k",
        "--batch",
        "1000",
        "--concurrency",
        "4",
      ],
      NOW,
    );
    expect(o).toMatchObject({
      mode: "post",
      seed: 9,
      devices: 5,
      days: 0.5,
      startS: Date.parse("2025-01-01T00:00:00Z") / 1000,
      duplicates: 0.1,
      reorder: 20,
      loss: 0.02,
      reboots: 1.5,
      truth: "t.json",
      url: "http://127.0.0.1:3000/api/ingest/batch",
      key: "k",
      batch: 1000,
      concurrency: 4,
    });
  });

  it.each([
    [["--devices", "0"]],
    [["--loss", "1.5"]],
    [["--batch", "1001"]],
    [["--start", "yesterday-ish"]],
    [["--post", "http://x"]],
    [["--post", "not a url", "--key", "k"]],
    [["--print", "--post", "http://x", "--key", "k"]],
    [["--bogus"]],
    [["--days", "abc"]],
  ])("rejects %j", (argv) => {
    expect(() => parseCliArgs(argv, NOW)).toThrow(UsageError);
  });
});
