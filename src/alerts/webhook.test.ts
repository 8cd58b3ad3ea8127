import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { deliverWebhook, SIGNATURE_HEADER, verifySignature } from "./webhook.js";

const SECRET = "webhook-secret-for-tests";
let close: (() => Promise<void>) | null = null;

/** A local receiver answering the given statuses in turn (then 200), recording what it got. */
async function receiver(statuses: number[]) {
  const received: { body: string; signature: string | undefined }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ body, signature: req.headers[SIGNATURE_HEADER] as string | undefined });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  close = () => new Promise((r) => server.close(() => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

afterEach(async () => {
  await close?.();
  close = null;
});

describe("webhook delivery", () => {
  it("arrives signed, after retries with doubling waits", async () => {
    const { url, received } = await receiver([500, 503]);
    const waits: number[] = [];
    const payload = { rule: "dry_run", device_id: "shellypro4pm-a", message: "Marche à sec" };
    const result = await deliverWebhook(url, payload, SECRET, {
      backoffMs: 100,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result).toEqual({ delivered: true, attempts: 3, lastError: null });
    expect(waits).toEqual([100, 200]);
    expect(received).toHaveLength(3);
    const last = received[2] as { body: string; signature: string };
    expect(JSON.parse(last.body)).toEqual(payload);
    expect(verifySignature(last.body, SECRET, last.signature)).toBe(true);
    expect(verifySignature(last.body, "another secret", last.signature)).toBe(false);
    expect(verifySignature(`${last.body} `, SECRET, last.signature)).toBe(false);
  });

  it("is given up after the last attempt, with the reason", async () => {
    const { url, received } = await receiver([500, 500, 500]);
    const result = await deliverWebhook(url, {}, SECRET, { attempts: 3, sleep: async () => {} });
    expect(result).toEqual({ delivered: false, attempts: 3, lastError: "HTTP 500" });
    expect(received).toHaveLength(3);
  });
});
