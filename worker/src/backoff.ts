/** `Retry-After` in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, nowMs = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Exponential backoff from the message's attempts, never shorter than the service asked for. */
export function retryDelaySeconds(
  attempts: number,
  retryAfterS: number | null,
  baseS: number,
  maxS: number,
): number {
  const backoff = Math.min(maxS, baseS * 2 ** Math.max(0, attempts - 1));
  // Cloudflare accepts at most 12 h.
  return Math.min(43_200, Math.ceil(Math.max(backoff, retryAfterS ?? 0)));
}
