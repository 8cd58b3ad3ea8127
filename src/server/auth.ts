import type { FastifyRequest } from "fastify";
import type { makeApiKeyVerifier } from "../admin/api-keys.js";
import type { Clock } from "../clock.js";
import { AppError } from "./errors.js";

export type KeyVerifier = ReturnType<typeof makeApiKeyVerifier>;

/** The API key a request presents, if any: `X-Api-Key`, or `Authorization: Bearer`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers["x-api-key"];
  if (typeof header === "string" && header) return header.trim();
  const authorization = request.headers.authorization;
  const bearer = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
  return bearer?.[1]?.trim();
}

/** A preHandler: 401 with one and the same answer for a missing, unknown or revoked key. */
export function requireApiKey(verify: KeyVerifier, clock: Clock) {
  return async (request: FastifyRequest) => {
    const check = await verify(presentedKey(request), clock.now());
    if (!check.ok) throw new AppError("unauthorized", 401);
  };
}
