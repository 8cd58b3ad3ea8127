import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Compile } from "typebox/compile";
import type { Clock } from "../../clock.js";
import { IngestBatch, IngestEnvelope, IngestResponse } from "../../contracts/ingest.js";
import { message } from "../../i18n/fr.js";
import type { Ingestor } from "../../ingest/ingestor.js";
import { type KeyVerifier, requireApiKey } from "../auth.js";
import { AppError } from "../errors.js";

const envelope = Compile(IngestEnvelope);

/** Decompresses `Content-Encoding: gzip`; Fastify applies the body limit to the decompressed bytes. */
async function decode(request: FastifyRequest, payload: Readable): Promise<Readable> {
  const encoding = request.headers["content-encoding"]?.trim().toLowerCase();
  if (!encoding || encoding === "identity") return payload;
  if (encoding !== "gzip") throw new AppError("unsupported_encoding", 415);
  const gunzip = createGunzip() as ReturnType<typeof createGunzip> & { receivedEncodedLength: number };
  gunzip.receivedEncodedLength = 0;
  payload.on("data", (chunk: Buffer) => {
    gunzip.receivedEncodedLength += chunk.length;
  });
  payload.on("error", (error) => gunzip.destroy(error));
  return payload.pipe(gunzip);
}

export const ingestRoutes: FastifyPluginAsyncTypebox<{
  clock: Clock;
  verifyKey: KeyVerifier;
  ingestor: Ingestor;
}> = async (app, { clock, verifyKey, ingestor }) => {
  app.post(
    "/api/ingest/batch",
    {
      config: { validationError: ["invalid_batch", 422] },
      schema: {
        summary: "Reçoit un lot de messages de la file Cloudflare (ou des trames Shelly brutes)",
        description:
          "Un résultat par message, dans l'ordre : stored, duplicate, ignored ou rejected. " +
          "Tout le lot est écrit dans une transaction ; 503 + Retry-After si la base est indisponible.",
        security: [{ apiKey: [] }, { bearer: [] }],
        body: IngestBatch,
        response: { 200: IngestResponse },
      },
      // The documented schema above describes a valid message; only the envelope is checked here, so
      // one bad message is rejected on its own instead of sinking the batch.
      validatorCompiler: () => (data: unknown) =>
        envelope.Check(data) ? { value: data } : { error: new Error("messages: 1 à 1000 messages attendus") },
      preParsing: async (request, _reply, payload) => decode(request, payload),
      preHandler: requireApiKey(verifyKey, clock),
    },
    async (request) => {
      const started = performance.now();
      const summary = await ingestor.ingest(request.body.messages);
      // The response schema's serializer writes only its own properties, so entries without a rejection
      // go out as they are.
      const results = summary.results.map((entry) => {
        const { rejection } = entry;
        if (!rejection) return entry;
        const { rejection: _, ...rest } = entry;
        return {
          ...rest,
          error: { code: rejection.code, message: message(rejection.code, rejection.detail) },
        };
      });
      request.log.info(
        {
          inserted: summary.inserted,
          duplicates: summary.duplicates,
          errors: summary.errors,
          messages: results.length,
        },
        "batch ingested",
      );
      return {
        inserted: summary.inserted,
        duplicates: summary.duplicates,
        errors: summary.errors,
        total_messages: results.length,
        devices: summary.devices,
        processing_time: Math.round(performance.now() - started) / 1000,
        results,
      };
    },
  );
};
