import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import {
  beginLoginAttempt,
  LOGIN_THROTTLE,
  loginSucceeded,
  type ThrottleRule,
} from "../../admin/login-throttle.js";
import {
  createSession,
  purgeExpiredSessions,
  revokeSession,
  type SessionPolicy,
} from "../../admin/sessions.js";
import { PASSWORD_MAX_LENGTH, verifyCredentials } from "../../admin/users.js";
import type { Clock } from "../../clock.js";
import type { Database } from "../../db/database.js";
import { type Access, checkCsrf, currentUser, SESSION_COOKIE, sessionToken } from "../access.js";
import { AppError } from "../errors.js";

const Credentials = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
});

const Me = Type.Object({
  email: Type.String(),
  role: Type.Union([Type.Literal("admin"), Type.Literal("operator"), Type.Literal("viewer")]),
  site_ids: Type.Union([Type.Array(Type.Integer()), Type.Null()], { description: "null : tous les sites" }),
});

const CSRF_NOTE =
  "En-tête `X-Requested-With: pumpwatch` obligatoire, et `Origin` (s'il est présent) identique au site ; 403 sinon.";

function cookieOptions(policy: SessionPolicy) {
  return {
    path: "/",
    httpOnly: true,
    secure: true,
    sameSite: "lax" as const,
    maxAge: Math.floor(policy.absoluteMs / 1000),
  };
}

function noStore(reply: FastifyReply): void {
  reply.header("cache-control", "no-store");
}

export const authRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  clock: Clock;
  access: Access;
  sessionPolicy: SessionPolicy;
  loginThrottle?: ThrottleRule;
}> = async (app, { db, clock, access, sessionPolicy, loginThrottle = LOGIN_THROTTLE }) => {
  // Login CSRF (being logged in as someone else) is blocked too: the rule applies to every login.
  const csrf = async (request: FastifyRequest) => checkCsrf(request);

  app.post(
    "/api/auth/login",
    {
      onRequest: csrf,
      schema: {
        summary: "Ouvre une session (cookie pw_session)",
        description:
          `${CSRF_NOTE} 401 pour un e-mail inconnu comme pour un mauvais mot de passe (même réponse). ` +
          `429 + Retry-After après ${loginThrottle.perAccount} échecs pour un compte ou ` +
          `${loginThrottle.perAddress} pour une adresse en ${loginThrottle.windowMs / 60_000} min.`,
        body: Credentials,
        response: { 200: Me },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const now = clock.now();
      const { email, password } = request.body;
      const permit = await beginLoginAttempt(db, { email, ip: request.ip, now }, loginThrottle);
      if (!permit.allowed) {
        request.log.warn({ scope: permit.scope, retryAfterS: permit.retryAfterS }, "login throttled");
        throw new AppError("too_many_login_attempts", 429, undefined, {
          "retry-after": String(permit.retryAfterS),
        });
      }
      const check = await verifyCredentials(db, email, password);
      if (!check.ok) {
        request.log.warn({ reason: check.reason, userId: check.userId }, "login failed");
        throw new AppError("invalid_credentials", 401);
      }
      await loginSucceeded(db, permit);
      // A new session at each login; the one the browser still held (if any) ends.
      await revokeSession(db, sessionToken(request));
      await purgeExpiredSessions(db, now, sessionPolicy);
      const token = await createSession(db, check.user.id, now);
      reply.setCookie(SESSION_COOKIE, token, cookieOptions(sessionPolicy));
      request.log.info({ userId: check.user.id, role: check.user.role }, "login");
      return { email: check.user.email, role: check.user.role, site_ids: check.user.siteIds };
    },
  );

  app.post(
    "/api/auth/logout",
    {
      onRequest: async (request) => {
        if (sessionToken(request)) checkCsrf(request);
      },
      schema: {
        summary: "Ferme la session courante (204, même sans session)",
        description: CSRF_NOTE,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const ended = await revokeSession(db, sessionToken(request));
      if (ended) request.log.info("logout");
      const { maxAge: _maxAge, ...options } = cookieOptions(sessionPolicy);
      reply.clearCookie(SESSION_COOKIE, options);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/auth/me",
    {
      preHandler: access.requireSession(),
      schema: {
        summary: "L'utilisateur de la session courante",
        response: { 200: Me },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const user = currentUser(request);
      if (!user) throw new AppError("session_required", 401);
      return {
        email: user.email,
        role: user.role,
        site_ids: user.siteIds === null ? null : [...user.siteIds],
      };
    },
  );
};
