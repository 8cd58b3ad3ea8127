import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Clock } from "../../clock.js";
import {
  JournalEntryBody,
  JournalEntryChange,
  JournalIdParam,
  JournalLineSchema,
  JournalQuery,
  JournalResponse,
} from "../../contracts/journal.js";
import type { Database } from "../../db/database.js";
import type { JournalEntry, JournalLine } from "../../domain/journal/index.js";
import { parsePeriod, periodErrorField } from "../../domain/period.js";
import {
  editEntry,
  JournalError,
  journalOf,
  removeEntry,
  resolveTarget,
  writeEntry,
} from "../../journal/journal.js";
import { type MeterDirectory, principalOf } from "../../journal/meter-directory.js";
import type { Access } from "../access.js";
import { AppError } from "../errors.js";

const SECURITY = [{ session: [] }];

export function mapJournalError(error: unknown): never {
  if (error instanceof JournalError) {
    throw error.field === null
      ? new AppError(error.code, error.status)
      : AppError.onField(error.field, error.code, error.status);
  }
  throw error;
}

const lineView = (l: JournalLine) => ({
  id: l.id,
  device_id: l.deviceId,
  channel: l.channel,
  at: l.at.toISOString(),
  kind: l.kind,
  text: l.text,
  author: l.author,
  automatic: l.automatic,
});

const entryView = (e: JournalEntry) => lineView({ ...e, automatic: false, author: e.author });

/** An ISO instant with an explicit zone: a bare local time would silently mean the server's zone. */
function instant(raw: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(raw.trim()))
    throw AppError.onField("at", "invalid_journal_at");
  const d = new Date(raw.trim());
  if (Number.isNaN(d.getTime())) throw AppError.onField("at", "invalid_journal_at");
  return d;
}

export const journalRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  clock: Clock;
  access: Access;
  directory: MeterDirectory;
}> = async (app, { db, clock, access, directory }) => {
  app.get(
    "/api/journal",
    {
      preHandler: access.requireReader,
      schema: {
        summary:
          "Journal d'exploitation d'un compteur ou d'un site : entrées écrites et événements automatiques",
        security: SECURITY,
        querystring: JournalQuery,
        response: { 200: JournalResponse },
      },
    },
    async (request) => {
      try {
        const principal = principalOf(request.auth);
        const target = await resolveTarget(directory, principal, {
          deviceId: request.query.device_id,
          siteId: request.query.site_id,
        });
        const nowS = Math.floor(clock.now().getTime() / 1000);
        const parsed = parsePeriod(request.query.from, request.query.to, target.timeZone, nowS);
        if (!parsed.ok) throw AppError.onField(periodErrorField(parsed.error), parsed.error);
        const lines = await journalOf(
          db,
          target.meters.map((m) => m.deviceId),
          new Date(parsed.period.fromS * 1000),
          new Date(parsed.period.toS * 1000),
          target.timeZone,
        );
        return { entries: lines.map(lineView) };
      } catch (error) {
        mapJournalError(error);
      }
    },
  );

  app.post(
    "/api/journal",
    {
      preHandler: access.requireSession(),
      schema: {
        summary: "Écrire une entrée du journal (exploitant du site ou administrateur)",
        security: SECURITY,
        body: JournalEntryBody,
        response: { 201: JournalLineSchema },
      },
    },
    async (request, reply) => {
      try {
        const b = request.body;
        const entry = await writeEntry(
          db,
          directory,
          principalOf(request.auth),
          {
            deviceId: b.device_id,
            channel: b.channel ?? null,
            at: instant(b.at),
            kind: b.kind,
            text: b.text,
          },
          clock.now(),
        );
        return reply.code(201).send(entryView(entry));
      } catch (error) {
        mapJournalError(error);
      }
    },
  );

  app.put(
    "/api/journal/:id",
    {
      preHandler: access.requireSession(),
      schema: {
        summary: "Modifier une entrée du journal (son auteur ou un administrateur)",
        security: SECURITY,
        params: JournalIdParam,
        body: JournalEntryChange,
        response: { 200: JournalLineSchema },
      },
    },
    async (request) => {
      try {
        const b = request.body;
        const entry = await editEntry(
          db,
          directory,
          principalOf(request.auth),
          request.params.id,
          { channel: b.channel ?? null, at: instant(b.at), kind: b.kind, text: b.text },
          clock.now(),
        );
        return entryView(entry);
      } catch (error) {
        mapJournalError(error);
      }
    },
  );

  app.delete(
    "/api/journal/:id",
    {
      preHandler: access.requireSession(),
      schema: {
        summary: "Supprimer une entrée du journal (son auteur ou un administrateur)",
        security: SECURITY,
        params: JournalIdParam,
      },
    },
    async (request, reply) => {
      try {
        await removeEntry(db, directory, principalOf(request.auth), request.params.id, clock.now());
        return reply.code(204).send();
      } catch (error) {
        mapJournalError(error);
      }
    },
  );
};
