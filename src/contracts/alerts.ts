/** HTTP shapes of the alerts API (api-contract.md, section "Alerts"; the rest: docs/alerts.md). */
import { Type } from "typebox";

const RuleId = Type.Union([
  Type.Literal("pump_inactive"),
  Type.Literal("cycle_too_long"),
  Type.Literal("dry_run"),
  Type.Literal("overload"),
  Type.Literal("short_cycling"),
  Type.Literal("meter_offline"),
  Type.Literal("voltage"),
]);
const Instant = Type.String({ format: "date-time" });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
/** Request bodies: one `type: [.., "null"]`, because the validator's coercion reads null as 0 in a union. */
const NullableInput = <T>(type: "integer" | "number", options: Record<string, unknown> = {}) =>
  Type.Unsafe<T | null>({ type: [type, "null"], ...options });
const ChannelInput = NullableInput<number>("integer", { minimum: 0, maximum: 3 });

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
  channel: ChannelInput,
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
  channel: ChannelInput,
  starts_at: Instant,
  ends_at: Instant,
  reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
});
export const DeviceParam = Type.Object({ device_id: Type.String({ minLength: 1, maxLength: 128 }) });
