import type { FastifyReply, FastifyRequest } from "fastify";
import { resolveSession, type SessionPolicy, type SessionUser } from "../admin/sessions.js";
import type { Clock } from "../clock.js";
import type { Queryable } from "../db/database.js";
import { devicesForDashboard } from "../db/queries/devices-for-dashboard.js";
import { EVERY_METER, type MeterScope, sitesScope } from "../domain/meter-scope.js";
import type { MessageCode } from "../i18n/fr.js";
import { type OpenShareLink, openShareLink } from "../sites/share-links.js";
import { type KeyVerifier, presentedKey } from "./auth.js";
import { AppError } from "./errors.js";

/** The session cookie: `HttpOnly; Secure; SameSite=Lax; Path=/`, Max-Age = the absolute lifetime. */
export const SESSION_COOKIE = "pw_session";
/** State-changing requests made with the session cookie must carry `X-Requested-With: pumpwatch`. */
export const CSRF_HEADER = "x-requested-with";
export const CSRF_HEADER_VALUE = "pumpwatch";
/**
 * The share-link cookie (decision 0018): the link's token, set by `GET /api/share/{token}`; `HttpOnly;
 * Secure; SameSite=Strict; Path=/api`. Only `requireReader` reads it, for GET requests, and checks the link
 * again on each one (a revocation applies at once).
 */
export const SHARE_COOKIE = "pw_share";

/** Who a request was admitted as; set by the preHandlers below. */
export type Auth =
  | { kind: "session"; user: SessionUser }
  | { kind: "key"; keyId: number | null }
  /** a read-only share link: a viewer of its one site, with no account (decision 0018) */
  | { kind: "share"; link: OpenShareLink }
  | { kind: "public" };

declare module "fastify" {
  interface FastifyRequest {
    auth?: Auth;
    /** the meters a restricted caller may see, read once per request (null: every meter) */
    visibleMeters?: ReadonlySet<string> | null;
  }
}

export type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface Access {
  /**
   * A live session is required (401 otherwise); with `"admin"`, of an administrator (403 for the others);
   * with `"operator"`, of an operator or administrator (403 for a viewer). For POST/PUT/PATCH/DELETE the
   * CSRF rule applies too (403). Sets `request.auth`, and confines the request to the caller's meters.
   */
  requireSession(role?: "admin" | "operator"): PreHandler;
  /**
   * Reading endpoints: a live session of any role; else, for a GET, a share link's cookie (a viewer of its one
   * site: 410 once expired or revoked, 401 if unknown); else anyone when PUBLIC_DASHBOARD=true
   * (`{kind: "public"}`); else 401.
   */
  requireReader: PreHandler;
  /** An API key (header `X-Api-Key` or `Authorization: Bearer`) or else a session of any role. */
  requireKeyOrSession: PreHandler;
  /**
   * Confines a request already admitted (its body parsed) to the caller's meters; registered for every
   * route, it covers the bodies of routes whose caller was admitted before the body was read.
   */
  confine: PreHandler;
  /**
   * The reply's side of the same point (a `preSerialization` hook for every route): a list of meter ids
   * (`device_ids`) in an answer to a restricted caller loses the meters it may not see, e.g. notification
   * preferences saved before the account was restricted.
   */
  confineReply: (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>;
  readonly publicDashboard: boolean;
}

export interface AccessOptions {
  db: Queryable;
  clock: Clock;
  sessionPolicy: SessionPolicy;
  publicDashboard: boolean;
  verifyKey: KeyVerifier;
}

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isStateChanging(method: string): boolean {
  return UNSAFE_METHODS.has(method.toUpperCase());
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const cookies = (request as { cookies?: Record<string, string | undefined> }).cookies;
  const value = cookies?.[name];
  return value ? value : undefined;
}

/** The token of the session cookie, if the request carries one. */
export function sessionToken(request: FastifyRequest): string | undefined {
  return cookie(request, SESSION_COOKIE);
}

/** The token of the share-link cookie, if the request carries one. */
export function shareToken(request: FastifyRequest): string | undefined {
  return cookie(request, SHARE_COOKIE);
}

/**
 * Same origin, scheme aside: a TLS-terminating proxy makes the service see http while the browser says
 * https. Default ports are normalised by parsing the Host with the Origin's scheme.
 */
function sameOrigin(origin: string, host: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !host) return false;
  try {
    return new URL(`${url.protocol}//${host}`).host === url.host;
  } catch {
    return false;
  }
}

/**
 * The CSRF rule of the contract: `X-Requested-With: pumpwatch` (a header a cross-site form cannot send,
 * and that a cross-origin script cannot send without a CORS preflight we never grant) and an `Origin`
 * that is this site's, or none. 403 otherwise.
 */
export function checkCsrf(request: FastifyRequest): void {
  const header = request.headers[CSRF_HEADER];
  if (typeof header !== "string" || header.trim().toLowerCase() !== CSRF_HEADER_VALUE) {
    throw new AppError("csrf_rejected", 403);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, request.host)) throw new AppError("csrf_rejected", 403);
}

/** The user of the session that admitted this request, or null (API key, public dashboard). */
export function currentUser(request: FastifyRequest): SessionUser | null {
  return request.auth?.kind === "session" ? request.auth.user : null;
}

/**
 * The meters the admitted caller may see: a session's sites (an administrator's: every one); an API key and
 * the public dashboard (PUBLIC_DASHBOARD=true opens everything) see every meter.
 */
export function scopeOf(request: FastifyRequest): MeterScope {
  const auth = request.auth;
  if (auth?.kind === "session") return sitesScope(auth.user.siteIds);
  // a share link is a viewer of exactly its site: the same scope as a viewer restricted to it
  if (auth?.kind === "share") return sitesScope([auth.link.siteId]);
  if (auth?.kind === "key" || auth?.kind === "public") return EVERY_METER;
  // No preHandler admitted anyone: nothing is visible rather than everything.
  return { siteIds: [] };
}

/**
 * What a meter the caller may not see becomes in the request: an id no meter can have (a space: ingestion
 * refuses it as a `src`), so every route answers for it exactly as for a meter that does not exist, with no
 * check of its own.
 */
export const UNSEEN_METER = "compteur inconnu";

/** The meters the caller may see, read once per request; null: every meter (no restriction). */
export async function visibleMeterIds(
  db: Queryable,
  request: FastifyRequest,
): Promise<ReadonlySet<string> | null> {
  if (request.visibleMeters !== undefined) return request.visibleMeters;
  const scope = scopeOf(request);
  request.visibleMeters =
    scope.siteIds === null ? null : new Set((await devicesForDashboard(db, scope)).map((d) => d.device_id));
  return request.visibleMeters;
}

const METER_FIELDS = new Set(["device_id", "device_ids"]);

/** Replaces, in place, every meter the caller may not see by UNSEEN_METER (a few levels deep). */
function hideUnseen(value: unknown, visible: ReadonlySet<string>, depth: number): void {
  if (depth > 4 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) hideUnseen(item, visible, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(record)) {
    if (METER_FIELDS.has(key)) {
      if (typeof field === "string" && !visible.has(field)) record[key] = UNSEEN_METER;
      else if (Array.isArray(field))
        record[key] = field.map((id) => (typeof id === "string" && !visible.has(id) ? UNSEEN_METER : id));
    } else hideUnseen(field, visible, depth + 1);
  }
}

/**
 * The enforcement point of decision 0012: a meter the caller may not see, wherever the request names it (path,
 * query or body: `device_id`, `device_ids`), is replaced by one that does not exist. Lists are confined where
 * they are read: `devicesForDashboard` takes the caller's scope.
 */
export async function confineRequest(db: Queryable, request: FastifyRequest): Promise<void> {
  if (!request.auth) return;
  const visible = await visibleMeterIds(db, request);
  if (visible === null) return;
  hideUnseen(request.params, visible, 0);
  hideUnseen(request.query, visible, 0);
  hideUnseen(request.body, visible, 0);
}

/** Drops, from every `device_ids` list of an answer (a few levels deep), the meters not in `visible`. */
function dropUnseen(value: unknown, visible: ReadonlySet<string>, depth: number): void {
  if (depth > 4 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === null || typeof item !== "object") return; // a list of numbers or strings: nothing below
      dropUnseen(item, visible, depth + 1);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(record)) {
    if (key === "device_ids" && Array.isArray(field)) {
      // a new array: the answer's list may be shared with a cache, never changed in place
      if (field.some((id) => typeof id === "string" && !visible.has(id)))
        record[key] = field.filter((id) => typeof id !== "string" || visible.has(id));
    } else dropUnseen(field, visible, depth + 1);
  }
}

/** The answer as a restricted caller may read it: meter lists confined to its meters. */
export async function confineReply(
  db: Queryable,
  request: FastifyRequest,
  payload: unknown,
): Promise<unknown> {
  if (!request.auth) return payload;
  const visible = await visibleMeterIds(db, request);
  if (visible !== null) dropUnseen(payload, visible, 0);
  return payload;
}

export function createAccess(options: AccessOptions): Access {
  const { db, clock, sessionPolicy, publicDashboard, verifyKey } = options;

  async function authenticate(
    request: FastifyRequest,
    role: "admin" | "operator" | undefined,
    missing: MessageCode,
  ): Promise<void> {
    const token = sessionToken(request);
    if (!token) throw new AppError(missing, 401);
    if (isStateChanging(request.method)) checkCsrf(request);
    const user = await resolveSession(db, token, clock.now(), sessionPolicy);
    if (!user) throw new AppError(missing, 401);
    if (role === "admin" && user.role !== "admin") throw new AppError("forbidden", 403);
    if (role === "operator" && user.role === "viewer") throw new AppError("forbidden", 403);
    request.auth = { kind: "session", user };
    await confineRequest(db, request);
  }

  return {
    publicDashboard,
    confine: (request) => confineRequest(db, request),
    confineReply: (request, _reply, payload) => confineReply(db, request, payload),
    requireSession(role?: "admin" | "operator") {
      return (request) => authenticate(request, role, "session_required");
    },
    async requireReader(request) {
      const reading = !isStateChanging(request.method);
      // Read only: a share link never admits a POST/PUT/DELETE, even on a reading route.
      const share = reading ? shareToken(request) : undefined;
      if (!share && !publicDashboard) return authenticate(request, undefined, "session_required");
      const token = sessionToken(request);
      const user = token && reading ? await resolveSession(db, token, clock.now(), sessionPolicy) : null;
      // A live session wins over a share link: its holder is who they are (and the link sees no more).
      if (user) request.auth = { kind: "session", user };
      else if (share) {
        const opened = await openShareLink(db, share, clock.now());
        if (opened.kind === "gone") throw new AppError("share_link_gone", 410);
        if (opened.kind === "unknown") throw new AppError("share_link_unknown", 401);
        request.auth = { kind: "share", link: opened.link };
      } else request.auth = { kind: "public" };
      await confineRequest(db, request);
    },
    async requireKeyOrSession(request) {
      const key = presentedKey(request);
      if (key === undefined) return authenticate(request, undefined, "authentication_required");
      const check = await verifyKey(key, clock.now());
      if (!check.ok) throw new AppError("unauthorized", 401);
      request.auth = { kind: "key", keyId: check.keyId };
    },
  };
}
