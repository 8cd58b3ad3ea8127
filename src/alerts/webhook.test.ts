import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DELIVERY_HEADER, postWebhook, SIGNATURE_HEADER, verifySignature } from "./webhook.js";

const SECRET = "webhook-secret-for-tests";
let close: (() => Promise<void>) | null = null;

/** A local receiver answering the given statuses in turn (then 200), recording what it got. */
async function receiver(statuses: number[]) {
  const received: { body: string; signature: string | undefined; delivery: string | undefined }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({
        body,
        signature: req.headers[SIGNATURE_HEADER] as string | undefined,
        delivery: req.headers[DELIVERY_HEADER] as string | undefined,
      });
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
  it("arrives signed, with the delivery's name", async () => {
    const { url, received } = await receiver([]);
    const payload = { rule: "dry_run", device_id: "shellypro4pm-a", message: "Marche à sec" };
    const result = await postWebhook(url, payload, SECRET, { deliveryId: "alert:shellypro4pm-a:7" });
    expect(result).toEqual({ ok: true });
    expect(received).toHaveLength(1);
    const last = received[0] as { body: string; signature: string; delivery: string };
    expect(JSON.parse(last.body)).toEqual(payload);
    expect(last.delivery).toBe("alert:shellypro4pm-a:7");
    expect(verifySignature(last.body, SECRET, last.signature)).toBe(true);
    expect(verifySignature(last.body, "another secret", last.signature)).toBe(false);
    expect(verifySignature(`${last.body} `, SECRET, last.signature)).toBe(false);
  });

  it("reports an error status or a refused connection in French, to be tried again", async () => {
    const { url } = await receiver([503]);
    expect(await postWebhook(url, {}, SECRET, { deliveryId: "x" })).toEqual({
      ok: false,
      reason: "Le destinataire du webhook a répondu HTTP 503.",
      final: false,
    });
    await close?.();
    close = null;
    expect(await postWebhook(url, {}, SECRET, { deliveryId: "x" })).toEqual({
      ok: false,
      reason: "Connexion refusée par le destinataire.",
      final: false,
    });
  });
});
