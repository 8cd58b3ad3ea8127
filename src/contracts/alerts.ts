/** HTTP shapes of the alerts API (api-contract.md, section "Alerts"; the rest: docs/alerts.md). */
import { Type } from "typebox";
import { RefreshingFields } from "./read.js";

const RuleId = Type.Union([
  Type.Literal("pump_inactive"),
  Type.Literal("cycle_too_long"),
  Type.Literal("dry_run"),
  Type.Literal("overload"),
  Type.Literal("short_cycling"),
  Type.Literal("meter_offline"),
  Type.Literal("voltage"),
  Type.Literal("pump_wear"),
  Type.Literal("inflow_high"),
]);
const Instant = Type.String({ format: "date-time" });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
/**
 * A nullable field of a request body: one `type` array, as in contracts/admin.ts. Inside `anyOf [x, null]`
 * Fastify's coercing Ajv turns null into 0 (or "") in the first branch: "channel null, the whole meter"
 * would arrive as channel 0.
 */
const NullableField = <T>(type: "string" | "integer" | "array", options: Record<string, unknown> = {}) =>
  Type.Unsafe<T | null>({ type: [type, "null"], ...options });

export const Alert = Type.Object({
  id: Type.String({ description: "<device_id>:<numéro>" }),
  device_id: Type.String(),
  channel: Nullable(Type.Integer({ minimum: 0, maximum: 3 })),
  rule: RuleId,
  severity: Type.Union([Type.Literal("critical"), Type.Literal("warning")]),
  state: Type.Union([Type.Literal("open"), Type.Literal("acknowledged"), Type.Literal("resolved")]),
  started_at: Instant,
  ended_at: Nullable(Instant),
  value: Type.Number({ description: "valeur la plus grave vue pendant l'alerte (unité de la règle)" }),
  threshold: Nullable(Type.Number()),
  acknowledged_by: Nullable(Type.String()),
  acknowledged_at: Nullable(Instant),
  comment: Nullable(Type.String()),
  message: Type.String({
    description: "phrase en français : appareil, voie, ce qui s'est passé, depuis quand",
  }),
});

export const AlertsQuery = Type.Object({
  state: Type.Optional(
    Type.Union(
      [Type.Literal("open"), Type.Literal("acknowledged"), Type.Literal("resolved"), Type.Literal("all")],
      {
        default: "all",
      },
    ),
  ),
  device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  channel: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
  rule: Type.Optional(RuleId),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

export const AlertList = Type.Object({ alerts: Type.Array(Alert), total: Type.Integer() });

export const AcknowledgeBody = Type.Object({ comment: Type.String({ maxLength: 2000 }) });

export const BacktestQuery = Type.Object({
  device_id: Type.String({ minLength: 1, maxLength: 128 }),
  channel: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  rule: Type.Optional(
    Type.Union(RuleId.anyOf, {
      description: "règle du seuil à essayer (obligatoire avec threshold)",
    }),
  ),
  threshold: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      description:
        "seuil à essayer pour cette règle sur cette voie (channel obligatoire, sauf meter_offline : sans channel), pour ce rejeu seulement ; rien n'est enregistré",
    }),
  ),
});

export const Backtest = Type.Object({
  alerts: Type.Array(
    Type.Object({
      device_id: Type.String(),
      channel: Nullable(Type.Integer()),
      rule: RuleId,
      started_at: Instant,
      ended_at: Nullable(Instant),
      value: Type.Number(),
      threshold: Nullable(Type.Number()),
    }),
  ),
  ...RefreshingFields,
});

export const RuleSetting = Type.Object({
  rule: RuleId,
  channel: Nullable(Type.Integer()),
  severity: Type.String(),
  unit: Type.String(),
  enabled: Type.Boolean(),
  threshold: Nullable(Type.Number({ description: "seuil appliqué" })),
  learned_threshold: Nullable(
    Type.Number({ description: "seuil appris (ou par défaut), montré à côté d'un seuil forcé" }),
  ),
  source: Type.Union([Type.Literal("learned"), Type.Literal("default"), Type.Literal("override")]),
  learning: Type.Boolean({ description: "moins de 7 jours d'historique : valeurs par défaut" }),
});
export const RuleList = Type.Object({ rules: Type.Array(RuleSetting) });

export const RuleBody = Type.Object({
  channel: NullableField<number>("integer", { minimum: 0, maximum: 3 }),
  rule: RuleId,
  enabled: Type.Boolean(),
  threshold: Nullable(Type.Number({ exclusiveMinimum: 0 })),
});

export const MaintenanceWindow = Type.Object({
  id: Type.String(),
  device_id: Type.String(),
  channel: Nullable(Type.Integer()),
  starts_at: Instant,
  ends_at: Instant,
  reason: Nullable(Type.String()),
  created_by: Nullable(Type.String()),
});
export const MaintenanceList = Type.Object({ windows: Type.Array(MaintenanceWindow) });
export const MaintenanceBody = Type.Object({
  channel: NullableField<number>("integer", { minimum: 0, maximum: 3 }),
  starts_at: Instant,
  ends_at: Instant,
  reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
});
export const DeviceParam = Type.Object({ device_id: Type.String({ minLength: 1, maxLength: 128 }) });

// ---- Notifications (issue 11, item 4): a user's preferences, the webhook, the deliveries -----------------

const Severity = Type.Union([Type.Literal("critical"), Type.Literal("warning")]);

export const NotificationPrefsBody = Type.Object({
  email_enabled: Type.Boolean({ description: "e-mail à l'ouverture et à la fin de chaque alerte" }),
  severities: Type.Array(Severity, { uniqueItems: true, maxItems: 2 }),
  device_ids: NullableField<string[]>("array", {
    items: { type: "string", minLength: 1, maxLength: 128 },
    uniqueItems: true,
    maxItems: 10_000,
    description: "sites suivis ; null : tous (y compris ceux ajoutés plus tard)",
  }),
  digest: Type.Boolean({ description: "un e-mail par jour avec les alertes de la veille" }),
});
export const NotificationPrefs = Type.Object({
  email: Type.String({ description: "adresse du compte, où partent les e-mails" }),
  ...NotificationPrefsBody.properties,
});

export const WebhookBody = Type.Object({
  url: NullableField<string>("string", { maxLength: 2000 }),
  enabled: Type.Boolean(),
  secret: Type.Optional(
    Type.String({
      minLength: 16,
      maxLength: 256,
      description: "clé de la signature HMAC-SHA256 ; absent : inchangé. Jamais renvoyé.",
    }),
  ),
});
export const WebhookSettings = Type.Object({
  url: Nullable(Type.String()),
  enabled: Type.Boolean(),
  secret_set: Type.Boolean(),
});

const DeliveryState = Type.Union([Type.Literal("pending"), Type.Literal("sent"), Type.Literal("failed")]);
export const DeliveriesQuery = Type.Object({
  state: Type.Optional(Type.Union([DeliveryState, Type.Literal("all")], { default: "all" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
export const DeliveryList = Type.Object({
  deliveries: Type.Array(
    Type.Object({
      id: Type.String(),
      alert_id: Nullable(
        Type.String({ description: "<device_id>:<numéro> ; null pour un résumé quotidien" }),
      ),
      kind: Type.Union([Type.Literal("email"), Type.Literal("webhook"), Type.Literal("digest")]),
      target: Type.String({ description: "adresse e-mail ou URL du webhook" }),
      state: DeliveryState,
      attempts: Type.Integer(),
      last_error: Nullable(Type.String({ description: "raison en français du dernier échec" })),
      created_at: Instant,
      updated_at: Instant,
    }),
  ),
  total: Type.Integer(),
});
