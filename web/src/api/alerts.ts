/** Types of the alerts API: the contracts' own where they exist, the agreed shapes where they do not yet. */
import type { Static } from "typebox";
import type {
  AlertList as AlertListSchema,
  Alert as AlertSchema,
  Backtest as BacktestSchema,
  MaintenanceList as MaintenanceListSchema,
  MaintenanceWindow as MaintenanceWindowSchema,
  RuleList as RuleListSchema,
  RuleSetting as RuleSettingSchema,
} from "../../../src/contracts/alerts.js";

export type Alert = Static<typeof AlertSchema>;
export type AlertList = Static<typeof AlertListSchema>;
export type Backtest = Static<typeof BacktestSchema>;
export type BacktestAlert = Backtest["alerts"][number];
export type RuleList = Static<typeof RuleListSchema>;
export type RuleSetting = Static<typeof RuleSettingSchema>;
export type MaintenanceList = Static<typeof MaintenanceListSchema>;
export type MaintenanceWindow = Static<typeof MaintenanceWindowSchema>;

/** `GET/PUT /api/alerts/notifications/me` (the PUT body is this without `email`). */
export interface NotificationSettings {
  email: string;
  email_enabled: boolean;
  severities: ("critical" | "warning")[];
  /** null: every site */
  device_ids: string[] | null;
  digest: boolean;
}

/** `GET/PUT /api/alerts/webhook` (administrator); the PUT body may add `secret`. */
export interface Webhook {
  url: string | null;
  enabled: boolean;
  secret_set: boolean;
}

/** `GET /api/alerts/deliveries` (administrator) */
export interface Delivery {
  id: string;
  alert_id: string | null;
  kind: "email" | "webhook" | "digest";
  target: string;
  state: "pending" | "sent" | "failed";
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}
export interface Deliveries {
  deliveries: Delivery[];
  total: number;
}
