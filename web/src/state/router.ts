import { signal } from "@preact/signals";

export interface Location {
  path: string;
  query: URLSearchParams;
}

const read = (): Location => ({
  path: window.location.pathname,
  query: new URLSearchParams(window.location.search),
});

/** The current client-side route; pages re-render when it changes. */
export const location = signal<Location>(read());

window.addEventListener("popstate", () => {
  location.value = read();
});

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search;
  if (to !== current) {
    if (options.replace) window.history.replaceState(null, "", to);
    else window.history.pushState(null, "", to);
  }
  location.value = read();
  if (!options.replace) window.scrollTo(0, 0);
}

/** Changes the query string in place (filters mirrored in the URL) without a history entry per keystroke. */
export function setQuery(params: Record<string, string | null>, options: { push?: boolean } = {}): void {
  const query = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === "") query.delete(key);
    else query.set(key, value);
  }
  const s = query.toString();
  navigate(window.location.pathname + (s ? `?${s}` : ""), { replace: !options.push });
}

/** Matches "/admin/appareils/:device/canal/:channel" against a path; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split("/").filter(Boolean);
  const b = path.split("/").filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const p = a[i] as string;
    const v = b[i] as string;
    if (p.startsWith(":")) params[p.slice(1)] = decodeURIComponent(v);
    else if (p !== v) return null;
  }
  return params;
}
