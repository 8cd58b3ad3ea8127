/** Meter tokens: `DEVICE_TOKENS` is a comma-separated list; `deviceId:token` binds a token to one meter. */
export interface TokenEntry {
  token: string;
  /** the only `src` this token may speak for; null: any meter */
  device: string | null;
}

export function parseTokens(setting: string | undefined): TokenEntry[] {
  if (!setting) return [];
  const entries: TokenEntry[] = [];
  for (const raw of setting.split(",")) {
    const item = raw.trim();
    if (!item) continue;
    const colon = item.indexOf(":");
    if (colon > 0 && colon < item.length - 1) {
      entries.push({ device: item.slice(0, colon), token: item.slice(colon + 1) });
    } else entries.push({ device: null, token: item });
  }
  return entries;
}

const encoder = new TextEncoder();

/** Compares in time that depends only on the expected token's length, never on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % Math.max(a.length, 1)] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * The entry the token matches, or null. Every entry is compared, so the time taken does not tell which
 * (or whether one) matched.
 */
export function authenticate(given: string | null, entries: readonly TokenEntry[]): TokenEntry | null {
  if (!given) return null;
  let found: TokenEntry | null = null;
  for (const entry of entries) if (sameSecret(given, entry.token) && !found) found = entry;
  return found;
}

/** The token of a request: `?token=` (a meter's WebSocket cannot send headers) or `Authorization: Bearer`. */
export function tokenOf(url: URL, authorization: string | null): string | null {
  const query = url.searchParams.get("token");
  if (query) return query;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  return match?.[1] ?? null;
}
