/**
 * Webhook delivery of an alert: a JSON POST signed with HMAC-SHA256 of the exact body
 * (`X-Pumpwatch-Signature: sha256=<hex>`), retried with exponential backoff, then given up with the
 * reason, for the caller to show. Not wired to the evaluator yet (see docs/alerts.md).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-pumpwatch-signature";

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

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  /** why the last attempt failed (HTTP status or network error), null when delivered */
  lastError: string | null;
}

export interface DeliveryOptions {
  attempts?: number;
  /** first wait; doubled after each failure (default 1 s → 1, 2, 4, 8 s) */
  backoffMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export async function deliverWebhook(
  url: string,
  payload: unknown,
  secret: string,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const body = JSON.stringify(payload);
  let wait = options.backoffMs ?? 1000;
  let lastError: string | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signBody(body, secret) },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (response.ok) return { delivered: true, attempts: attempt, lastError: null };
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (attempt < attempts) {
      await sleep(wait);
      wait *= 2;
    }
  }
  return { delivered: false, attempts, lastError };
}
