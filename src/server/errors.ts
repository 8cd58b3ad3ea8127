import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ConfigAdminError } from "../admin/config-errors.js";
import { DatabaseUnavailableError } from "../db/database.js";
import { ConfigVersionError } from "../domain/config-versions/index.js";
import {
  FIELD_REASONS,
  MESSAGES,
  type MessageCode,
  message,
  SCHEMA_REASON_FALLBACK,
  SCHEMA_REASONS,
} from "../i18n/fr.js";
import { ClientGoneError } from "./client-gone.js";

/** An error the client may read: a code, a status and a French message from the catalogue. */
export class AppError extends Error {
  constructor(
    readonly code: MessageCode,
    readonly statusCode: number,
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
    /** the request field at fault (query parameter or body property), for a form to show the message beside it */
    readonly field: string | null = null,
  ) {
    super(code);
  }

  /** A 4xx about one field of the request. */
  static onField(field: string, code: MessageCode, statusCode = 400): AppError {
    return new AppError(code, statusCode, undefined, {}, field);
  }
}

/** One failure as Ajv reports it (Fastify's `error.validation`). */
export interface SchemaIssue {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** "/messages/3/src" → "messages.3.src" (JSON-pointer escapes undone); "" → null, the whole body or query. */
function fieldOf(issue: SchemaIssue): string | null {
  const segments = (issue.instancePath ?? "")
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const params = issue.params ?? {};
  const named = params.missingProperty ?? params.additionalProperty ?? params.propertyName;
  if (typeof named === "string") segments.push(named);
  return segments.length > 0 ? segments.join(".") : null;
}

/**
 * The field and French reason of a request-schema failure. A union (TypeBox `Union` of literals or of types)
 * fails as one error per branch plus `anyOf`: those at the same place merge into one list of what is allowed.
 */
export function describeValidation(issues: readonly SchemaIssue[]): { field: string | null; reason: string } {
  const first = issues[0];
  if (!first) return { field: null, reason: SCHEMA_REASON_FALLBACK };
  const field = fieldOf(first);
  const here = issues.filter((i) => (i.instancePath ?? "") === (first.instancePath ?? ""));
  const branches = here.filter((i) => i.keyword !== "anyOf" && i.keyword !== "oneOf");
  let keyword = first.keyword ?? "";
  let params = first.params ?? {};
  if (branches.length > 0 && branches.every((i) => i.keyword === "const" || i.keyword === "enum")) {
    keyword = "enum";
    params = {
      allowedValues: branches.flatMap((i) =>
        i.keyword === "const"
          ? [i.params?.allowedValue]
          : Array.isArray(i.params?.allowedValues)
            ? i.params.allowedValues
            : [],
      ),
    };
  } else if (branches.length > 1 && branches.every((i) => i.keyword === "type")) {
    keyword = "type";
    params = { type: branches.map((i) => String(i.params?.type)).join(",") };
  }
  const ownWords = field === null ? undefined : FIELD_REASONS[field.split(".").at(-1) ?? ""]?.[keyword];
  const reason = ownWords ?? SCHEMA_REASONS[keyword]?.(params) ?? SCHEMA_REASON_FALLBACK;
  return { field, reason };
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
  invalid_time_zone: 400,
  invalid_site: 400,
  site_not_found: 404,
  site_name_taken: 409,
  site_has_meters: 409,
  restricted_admin: 400,
  invalid_site_ids: 400,
  invalid_share_link: 400,
  share_link_not_found: 404,
  // issue 17 asks a French 400 naming the field for a sump the operator mistyped
  invalid_sump: 400,
  invalid_sump_volume: 400,
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

interface Classified {
  code: MessageCode;
  status: number;
  /** appended to the catalogue text, in brackets */
  detail?: string | undefined;
  /** the whole message, when the catalogue text is not it */
  text?: string;
  headers?: Record<string, string>;
  field?: string | null;
}

function classify(
  error: FastifyError & { validation?: unknown },
  routeValidation?: [MessageCode, number],
): Classified {
  if (error instanceof AppError) {
    return {
      code: error.code,
      status: error.statusCode,
      detail: error.detail,
      headers: error.headers,
      field: error.field,
    };
  }
  if (error instanceof DatabaseUnavailableError) {
    return {
      code: "database_unavailable",
      status: 503,
      headers: { "retry-after": String(RETRY_AFTER_S) },
    };
  }
  if (error.validation || error.code === "FST_ERR_VALIDATION") {
    const [code, status] = routeValidation ?? ["invalid_request", 400];
    // A route's own validator (ingestion's envelope) throws our words; Ajv's are English and described here.
    if (!Array.isArray(error.validation)) return { code, status, detail: error.message };
    const { field, reason } = describeValidation(error.validation as SchemaIssue[]);
    // Beside its field the reason says it all; for the whole body or a route's own code, after the code's text.
    const text = field !== null && code === "invalid_request" ? reason : `${MESSAGES[code]} ${reason}`;
    return { code, status, text, field };
  }
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return { code: known[0], status: known[1] };
  if (
    error instanceof SyntaxError ||
    (error.statusCode === 400 && /JSON|gzip|incorrect header|unexpected end/i.test(error.message))
  ) {
    return { code: "invalid_json", status: 400 };
  }
  return { code: "internal_error", status: 500 };
}

/**
 * One place maps every error to `{"error": {code, message, request_id}}`, plus `field` when one request field
 * is at fault (the web app shows the message beside it). Only catalogue texts reach the client; SQL, stacks
 * and paths go to the log with the request id.
 */
export function installErrorHandling(
  app: FastifyInstance,
  options: { serveApp?: (request: FastifyRequest, reply: FastifyReply) => boolean } = {},
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if ((error as Error) instanceof ClientGoneError) {
      // nobody is there to read an answer: the work was stopped on purpose, not a failure
      request.log.info("client closed the request: its reads stopped");
      void reply.code(499).send();
      return;
    }
    const authored = authoredError(error);
    if (authored) {
      request.log.info({ code: authored.code }, "request rejected");
      const body = { code: authored.code, message: authored.text, request_id: request.id };
      void reply
        .code(authored.status)
        .send({ error: authored.field ? { ...body, field: authored.field } : body });
      return;
    }
    const classified = classify(error, request.routeOptions.config?.validationError);
    const { code, status, detail, headers, field } = classified;
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ code, err: { message: error.message } }, "request rejected");
    // Details are the client's own JSON paths or our own words, never library internals: safe to show.
    const text = classified.text ?? message(code, status < 500 ? detail : undefined);
    const body = { code, message: text, request_id: request.id };
    void reply
      .code(status)
      .headers(headers ?? {})
      .send({ error: field ? { ...body, field } : body });
  });
  app.setNotFoundHandler((request, reply) => {
    if (options.serveApp?.(request, reply)) return;
    void reply
      .code(404)
      .send({ error: { code: "not_found", message: message("not_found"), request_id: request.id } });
  });
}
