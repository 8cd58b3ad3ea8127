import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ConfigAdminError } from "../admin/config-errors.js";
import { DatabaseUnavailableError } from "../db/database.js";
import { ConfigVersionError } from "../domain/config-versions/index.js";
import { type MessageCode, message } from "../i18n/fr.js";

/** An error the client may read: a code, a status and a French message from the catalogue. */
export class AppError extends Error {
  constructor(
    readonly code: MessageCode,
    readonly statusCode: number,
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
  }
}

/** Seconds a client should wait before retrying when the database is away. */
export const RETRY_AFTER_S = 5;

const FASTIFY_CODES: Record<string, [MessageCode, number]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ["unsupported_media_type", 415],
  FST_ERR_CTP_BODY_TOO_LARGE: ["payload_too_large", 413],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ["invalid_request", 400],
  FST_ERR_CTP_EMPTY_JSON_BODY: ["invalid_json", 400],
  FST_ERR_CTP_INVALID_JSON_BODY: ["invalid_json", 400],
};

declare module "fastify" {
  interface FastifyContextConfig {
    /** the code and status a schema validation failure gets on this route (default: invalid_request, 400) */
    validationError?: [MessageCode, number];
  }
}

const ADMIN_STATUS: Partial<Record<string, number>> = {
  unknown_device: 404,
  pump_model_not_found: 404,
  pump_model_in_use: 409,
  pump_model_name_taken: 409,
  user_not_found: 404,
  email_taken: 409,
  last_admin: 409,
};

/**
 * Errors whose French message was written for the administrator by the use case itself (which field, which
 * count): shown as they are.
 */
function authoredError(
  error: unknown,
): { code: string; status: number; text: string; field: string | null } | null {
  if (error instanceof ConfigVersionError || error instanceof ConfigAdminError) {
    return {
      code: error.code,
      status: ADMIN_STATUS[error.code] ?? 422,
      text: error.message,
      field: error.field,
    };
  }
  return null;
}

function classify(error: FastifyError & { validation?: unknown }, routeValidation?: [MessageCode, number]) {
  if (error instanceof AppError)
    return { code: error.code, status: error.statusCode, detail: error.detail, headers: error.headers };
  if (error instanceof DatabaseUnavailableError) {
    return {
      code: "database_unavailable" as const,
      status: 503,
      headers: { "retry-after": String(RETRY_AFTER_S) },
    };
  }
  if (error.validation || error.code === "FST_ERR_VALIDATION") {
    const [code, status] = routeValidation ?? ["invalid_request", 400];
    return { code, status, detail: error.message };
  }
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return { code: known[0], status: known[1] };
  if (
    error instanceof SyntaxError ||
    (error.statusCode === 400 && /JSON|gzip|incorrect header|unexpected end/i.test(error.message))
  ) {
    return { code: "invalid_json" as const, status: 400 };
  }
  return { code: "internal_error" as const, status: 500 };
}

/**
 * One place maps every error to `{"error": {code, message, request_id}}`. Only catalogue texts reach the
 * client; SQL, stacks and paths go to the log with the request id.
 */
export function installErrorHandling(
  app: FastifyInstance,
  options: { serveApp?: (request: FastifyRequest, reply: FastifyReply) => boolean } = {},
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const authored = authoredError(error);
    if (authored) {
      request.log.info({ code: authored.code }, "request rejected");
      const body = { code: authored.code, message: authored.text, request_id: request.id };
      void reply
        .code(authored.status)
        .send({ error: authored.field ? { ...body, field: authored.field } : body });
      return;
    }
    const { code, status, detail, headers } = classify(error, request.routeOptions.config?.validationError);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ code, err: { message: error.message } }, "request rejected");
    // Details are the client's own JSON paths or our own words, never library internals: safe to show.
    const text = message(code, status < 500 ? detail : undefined);
    void reply
      .code(status)
      .headers(headers ?? {})
      .send({ error: { code, message: text, request_id: request.id } });
  });
  app.setNotFoundHandler((request, reply) => {
    if (options.serveApp?.(request, reply)) return;
    void reply
      .code(404)
      .send({ error: { code: "not_found", message: message("not_found"), request_id: request.id } });
  });
}
