import { describe, expect, it } from "vitest";
import type { IngestMessage } from "../src/contracts/ingest.js";
import { IngestPostError, parseRetryAfter, postBatches } from "./post.js";

const msg = (i: number): IngestMessage => ({
  src: "shellypro4pm-000000000000",
  timestamp: i,
  params: { ts: i },
});
const batchesOf = (count: number, size = 3): IngestMessage[][] =>
  Array.from({ length: count }, (_, b) => Array.from({ length: size }, (_, i) => msg(b * size + i)));

interface Call {
  url: string;
  headers: Record<string, string>;
  body: { messages: IngestMessage[] };
}

/** A fake fetch answering with `reply(call, n)`; records calls and the peak number in flight. */
function fakeFetch(reply: (call: Call, n: number) => Response | Promise<Response>) {
  const calls: Call[] = [];
  let inFlight = 0;
  let peak = 0;
  const fn = (async (url: string | URL | Request, init?: RequestInit) => {
    const call: Call = {
      url: String(url),
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)),
    };
    calls.push(call);
    inFlight++;
    peak = Math.max(peak, inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      return await reply(call, calls.length);
    } finally {
      inFlight--;
    }
  }) as typeof fetch;
  return { fn, calls, peak: () => peak };
}

const ok = (call: Call): Response =>
  Response.json({
    inserted: call.body.messages.length - 1,
    duplicates: 1,
    errors: 0,
    total_messages: call.body.messages.length,
    devices: 1,
    processing_time: 0.001,
    results: [],
  });

describe("postBatches", () => {
  it("posts every batch with the API key, bounded concurrency, and sums the responses", async () => {
    const f = fakeFetch(ok);
    const progress: number[] = [];
    const totals = await postBatches("http://svc/api/ingest/batch", "secret", batchesOf(10), {
      concurrency: 3,
      fetch: f.fn,
      onProgress: (t) => progress.push(t.batches),
    });
    expect(f.calls).toHaveLength(10);
    expect(f.peak()).toBeLessThanOrEqual(3);
    expect(f.peak()).toBeGreaterThan(1);
    for (const call of f.calls) {
      expect(call.url).toBe("http://svc/api/ingest/batch");
      expect(call.headers["x-api-key"]).toBe("secret");
      expect(call.headers["content-type"]).toBe("application/json");
      expect(call.body.messages).toHaveLength(3);
    }
    const sent = f.calls
      .flatMap((c) => c.body.messages.map((m) => m.timestamp))
      .sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(sent).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(totals).toMatchObject({
      messages: 30,
      batches: 10,
      inserted: 20,
      duplicates: 10,
      errors: 0,
      retries: 0,
    });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("retries 503 (honouring Retry-After), other 5xx and network errors", async () => {
    const f = fakeFetch((call, n) => {
      if (n === 1) return new Response("busy", { status: 503, headers: { "retry-after": "0" } });
      if (n === 2) throw new TypeError("fetch failed");
      if (n === 3) return new Response("oops", { status: 500 });
      return ok(call);
    });
    const totals = await postBatches("http://svc", "k", batchesOf(2), {
      concurrency: 1,
      fetch: f.fn,
      retryBaseMs: 1,
    });
    expect(totals).toMatchObject({ batches: 2, messages: 6, retries: 3 });
    expect(f.calls).toHaveLength(5);
  });

  it("stops with a clear error on 4xx and pulls no further batches", async () => {
    let pulled = 0;
    function* lazy() {
      for (const b of batchesOf(100)) {
        pulled++;
        yield b;
      }
    }
    const f = fakeFetch((call, n) =>
      n === 2 ? new Response('{"error":"bad key"}', { status: 401 }) : ok(call),
    );
    const err = await postBatches("http://svc", "k", lazy(), { concurrency: 2, fetch: f.fn }).catch((e) => e);
    expect(err).toBeInstanceOf(IngestPostError);
    expect((err as IngestPostError).status).toBe(401);
    expect((err as Error).message).toContain("HTTP 401");
    expect((err as Error).message).toContain("bad key");
    expect(pulled).toBeLessThan(10);
  });

  it("gives up after maxRetries", async () => {
    const f = fakeFetch(() => new Response("down", { status: 502 }));
    const err = await postBatches("http://svc", "k", batchesOf(1), {
      fetch: f.fn,
      maxRetries: 2,
      retryBaseMs: 1,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(IngestPostError);
    expect((err as Error).message).toContain("after 3 attempts");
    expect(f.calls).toHaveLength(3);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2025-10-08T00:00:00Z");
    expect(parseRetryAfter("5", now)).toBe(5000);
    expect(parseRetryAfter("Wed, 08 Oct 2025 00:00:02 GMT", now)).toBe(2000);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
});
