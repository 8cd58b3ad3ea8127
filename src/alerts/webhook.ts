/**
 * Webhook delivery of an alert: one JSON POST signed with HMAC-SHA256 of the exact body
 * (`X-Pumpwatch-Signature: sha256=<hex>`). Retries are the outbox's (src/alerts/dispatch.ts): each attempt is
 * a row update, so a restart loses no pending delivery. `X-Pumpwatch-Delivery` names the delivery, the same
 * on every attempt, so that a receiver can ignore a repeat.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { DELIVERY_ERRORS } from "../i18n/fr.js";

export const SIGNATURE_HEADER = "x-pumpwatch-signature";
export const DELIVERY_HEADER = "x-pumpwatch-delivery";

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** What a receiver runs: constant-time comparison of the header with the body's signature. */
export function verifySignature(body: string, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** One attempt's outcome; `reason` is the French sentence the deliveries list shows. */
export type AttemptResult = { ok: true } | { ok: false; reason: string; final: boolean };

/** Why a request got no answer, in the words of the deliveries list. */
export function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return DELIVERY_ERRORS.timeout;
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = String(cause?.code ?? (error as { code?: unknown } | null)?.code ?? "");
  if (code === "ECONNREFUSED") return DELIVERY_ERRORS.refused;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return DELIVERY_ERRORS.unknown_host;
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") return DELIVERY_ERRORS.reset;
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT") return DELIVERY_ERRORS.timeout;
  if (/CERT|SSL|TLS/i.test(code)) return DELIVERY_ERRORS.tls;
  return DELIVERY_ERRORS.network;
}

export async function postWebhook(
  url: string,
  payload: unknown,
  secret: string,
  options: { deliveryId: string; timeoutMs?: number },
): Promise<AttemptResult> {
  const body = JSON.stringify(payload);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: signBody(body, secret),
        [DELIVERY_HEADER]: options.deliveryId,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    // The body is not read: release the connection.
    await response.body?.cancel().catch(() => {});
    if (response.ok) return { ok: true };
    return { ok: false, reason: DELIVERY_ERRORS.http_status(response.status), final: false };
  } catch (error) {
    return { ok: false, reason: networkReason(error), final: false };
  }
}
