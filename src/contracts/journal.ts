/** HTTP shapes of the journal and reports (api-contract.md, section "Journal and reports"). */
import { type Static, Type } from "typebox";
import {
  AUTOMATIC_KINDS,
  type AutomaticKind,
  JOURNAL_KINDS,
  JOURNAL_TEXT_MAX,
  type JournalKind,
} from "../domain/journal/index.js";

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
/** One `type` array: inside `anyOf [x, null]` Fastify's coercing Ajv would turn null into 0 (contracts/alerts.ts). */
const NullableChannel = Type.Unsafe<number | null>({
  type: ["integer", "null"],
  minimum: 0,
  maximum: 3,
  description: "voie 0–3 ; null ou absent : le compteur entier",
});

const WrittenKind = Type.Unsafe<JournalKind>({
  type: "string",
  enum: [...JOURNAL_KINDS],
  description: "intervention, pump_overhaul, pump_replaced, cleaning, visit, observation",
});

export const JournalEntryBody = Type.Object(
  {
    device_id: Type.String({ minLength: 1, maxLength: 128 }),
    channel: Type.Optional(NullableChannel),
    at: Type.String({ description: "instant ISO avec fuseau (2026-02-14T09:40:00Z)" }),
    kind: WrittenKind,
    text: Type.String({ maxLength: JOURNAL_TEXT_MAX * 2 }),
  },
  { additionalProperties: false },
);
export type JournalEntryBody = Static<typeof JournalEntryBody>;

export const JournalEntryChange = Type.Object(
  {
    channel: Type.Optional(NullableChannel),
    at: Type.String({ description: "instant ISO avec fuseau" }),
    kind: WrittenKind,
    text: Type.String({ maxLength: JOURNAL_TEXT_MAX * 2 }),
  },
  { additionalProperties: false },
);
export type JournalEntryChange = Static<typeof JournalEntryChange>;

export const JournalIdParam = Type.Object({
  id: Type.String({ minLength: 3, maxLength: 160, description: "<device_id>:<numéro>" }),
});

export const JournalLineSchema = Type.Object({
  id: Type.String(),
  device_id: Type.String(),
  channel: Nullable(Type.Integer()),
  at: Type.String({ format: "date-time" }),
  kind: Type.Unsafe<JournalKind | AutomaticKind>({
    type: "string",
    enum: [...JOURNAL_KINDS, ...AUTOMATIC_KINDS],
    description:
      "entrée écrite, ou événement automatique (alert_opened, alert_closed, configuration, meter_silence, import)",
  }),
  text: Type.String(),
  author: Nullable(Type.String()),
  automatic: Type.Boolean(),
});

export const JournalQuery = Type.Object({
  device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  site_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  from: Type.Optional(Type.String({ description: "date AAAA-MM-JJ (fuseau du site) ou instant ISO" })),
  to: Type.Optional(Type.String({ description: "date AAAA-MM-JJ incluse entière, ou instant ISO" })),
});
export type JournalQuery = Static<typeof JournalQuery>;

export const JournalResponse = Type.Object({ entries: Type.Array(JournalLineSchema) });

export const MonthlyReportQuery = Type.Object({
  device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  site_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  month: Type.String({ description: "AAAA-MM" }),
  download: Type.Optional(
    Type.Literal("1", { description: "1 : à enregistrer (sinon affiché dans la page)" }),
  ),
});
export type MonthlyReportQuery = Static<typeof MonthlyReportQuery>;

export const AnnualReportQuery = Type.Object({
  site_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  year: Type.String({ description: "AAAA" }),
  download: Type.Optional(
    Type.Literal("1", { description: "1 : à enregistrer (sinon affiché dans la page)" }),
  ),
});
export type AnnualReportQuery = Static<typeof AnnualReportQuery>;

export const DailyCsvQuery = Type.Object({
  device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  site_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
});
export type DailyCsvQuery = Static<typeof DailyCsvQuery>;

export const ReportPreferences = Type.Object(
  {
    monthly_email: Type.Boolean({
      description: "le rapport mensuel de ses sites par e-mail, le 1er du mois",
    }),
  },
  { additionalProperties: false },
);
