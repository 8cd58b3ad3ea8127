import { fr } from "../i18n/fr";

/** A refusal of the service, with its French message and, for a form, the field it names. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

type Listener = () => void;
let onSessionLost: Listener = () => {};
let onShareGone: Listener = () => {};

/** What to do when the session ends under the user (expired, disabled): the shell sends them to sign in. */
export function setSessionLostHandler(listener: Listener): void {
  onSessionLost = listener;
}

/** What to do when a share link is revoked or expires under its visitor: the French page says so. */
export function setShareGoneHandler(listener: Listener): void {
  onShareGone = listener;
}

/**
 * The one way the app talks to the service: same-origin cookie, the CSRF header on every request, the
 * service's error shape turned into an ApiError carrying its French message.
 */
export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", "x-requested-with": "pumpwatch" };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch {
    // a request its page gave up (the filters changed) is no network failure: nothing to tell the user
    if (signal?.aborted) throw new ApiError(0, "aborted", fr.errors.network);
    throw new ApiError(0, "network", fr.errors.network);
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    if (signal?.aborted) throw new ApiError(0, "aborted", fr.errors.network);
    throw new ApiError(0, "network", fr.errors.network);
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (response.ok) return json as T;
  const error = (json as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
  const retry = Number(response.headers.get("retry-after"));
  const apiError = new ApiError(
    response.status,
    error?.code ?? "http_error",
    error?.message ?? (response.status >= 500 ? fr.errors.network : fr.errors.unexpected),
    error?.field ?? null,
    Number.isFinite(retry) && retry > 0 ? retry : null,
  );
  const isAuthCall = path.startsWith("/api/auth/");
  if (response.status === 401 && !isAuthCall) onSessionLost();
  if (response.status === 410 && apiError.code === "share_link_gone") onShareGone();
  throw apiError;
}

/** `signal`: abort the request when its view is gone (decision 0008's page requests on a filter change). */
export const get = <T>(path: string, signal?: AbortSignal) => api<T>("GET", path, undefined, signal);
export const post = <T>(path: string, body?: unknown) => api<T>("POST", path, body ?? {});
export const put = <T>(path: string, body?: unknown) => api<T>("PUT", path, body ?? {});
export const patch = <T>(path: string, body?: unknown) => api<T>("PATCH", path, body ?? {});
export const del = <T>(path: string) => api<T>("DELETE", path);

/** "?a=1&b=2" without the empty ones */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : "";
}
