/** Notification settings: each user's preferences, the webhook (administrator), the deliveries list. */
import type { Database } from "../db/database.js";
import {
  deliveriesListed,
  digestsListed,
  notificationPrefsOf,
  saveNotificationPrefs,
  saveWebhookSettings,
  webhookSettings,
} from "../db/queries/alert-notifications.js";
import { devicesToWatch } from "../db/queries/alerts.js";
import { DEFAULT_PREFS } from "../domain/alerts/notifications.js";
import { deliveryId, digestId } from "./dispatch.js";

export class NotificationSettingsError extends Error {
  constructor(
    readonly code: "unknown_device" | "invalid_webhook_url" | "webhook_incomplete",
    readonly field: string,
  ) {
    super(code);
  }
}

type Severity = "critical" | "warning";

export interface PrefsInput {
  email_enabled: boolean;
  severities: Severity[];
  device_ids: string[] | null;
  digest: boolean;
}

export async function notificationPrefs(
  db: Database,
  user: { id: number; email: string },
): Promise<PrefsInput & { email: string }> {
  const row = await notificationPrefsOf(db, user.id);
  return {
    email: user.email,
    email_enabled: row?.email_enabled ?? DEFAULT_PREFS.emailEnabled,
    // Kept in the order of the contract's enum, whatever order they were given in.
    severities: (["critical", "warning"] as const).filter((s) =>
      (row?.severities ?? DEFAULT_PREFS.severities).includes(s),
    ),
    device_ids: row ? row.device_ids : DEFAULT_PREFS.deviceIds === null ? null : [...DEFAULT_PREFS.deviceIds],
    digest: row?.digest ?? DEFAULT_PREFS.digest,
  };
}

export async function saveNotificationPrefsOf(
  db: Database,
  user: { id: number; email: string },
  input: PrefsInput,
  at: Date,
): Promise<PrefsInput & { email: string }> {
  if (input.device_ids !== null) {
    const known = new Set((await devicesToWatch(db)).map((d) => d.device_id));
    if (input.device_ids.some((id) => !known.has(id))) {
      throw new NotificationSettingsError("unknown_device", "device_ids");
    }
  }
  await saveNotificationPrefs(
    db,
    user.id,
    {
      email_enabled: input.email_enabled,
      severities: [...new Set(input.severities)],
      device_ids: input.device_ids === null ? null : [...new Set(input.device_ids)],
      digest: input.digest,
    },
    at,
  );
  return notificationPrefs(db, user);
}

export interface WebhookView {
  url: string | null;
  enabled: boolean;
  secret_set: boolean;
}

export async function webhookView(db: Database): Promise<WebhookView> {
  const row = await webhookSettings(db);
  return { url: row?.url ?? null, enabled: row?.enabled ?? false, secret_set: Boolean(row?.secret) };
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new NotificationSettingsError("invalid_webhook_url", "url");
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || !parsed.hostname) {
    throw new NotificationSettingsError("invalid_webhook_url", "url");
  }
  return parsed.toString();
}

export async function saveWebhook(
  db: Database,
  input: { url: string | null; enabled: boolean; secret?: string | undefined },
  at: Date,
  by: string,
): Promise<WebhookView> {
  const url = input.url === null || input.url.trim() === "" ? null : checkUrl(input.url);
  return db.transaction(async (tx) => {
    // The one row is created by the first save; its lock orders concurrent saves.
    const current = (
      await tx.query<{ secret: string | null }>("SELECT secret FROM alert_webhook WHERE id = 1 FOR UPDATE")
    ).rows[0];
    const secretSet = Boolean(input.secret) || Boolean(current?.secret);
    if (input.enabled && (url === null || !secretSet)) {
      throw new NotificationSettingsError("webhook_incomplete", url === null ? "url" : "secret");
    }
    const row = await saveWebhookSettings(tx, {
      url,
      secret: input.secret ?? current?.secret ?? null,
      enabled: input.enabled,
      at,
      by,
    });
    return { url: row.url, enabled: row.enabled, secret_set: Boolean(row.secret) };
  });
}

export interface DeliveryView {
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

/** Alert deliveries and digests together, newest first. */
export async function listDeliveries(
  db: Database,
  state: "pending" | "sent" | "failed" | "all",
  limit: number,
): Promise<{ deliveries: DeliveryView[]; total: number }> {
  const filter = state === "all" ? null : state;
  const ids = (await devicesToWatch(db)).map((d) => d.device_id);
  const [alerts, digests] = await Promise.all([
    ids.length > 0 ? deliveriesListed(db, ids, filter, limit) : Promise.resolve([]),
    digestsListed(db, filter, limit),
  ]);
  const merged = [...alerts, ...digests]
    .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : -1))
    .slice(0, limit);
  return {
    deliveries: merged.map((d) => ({
      id: d.device_id === null ? digestId(d) : deliveryId({ device_id: d.device_id, id: d.id }),
      alert_id: d.device_id === null || d.alert_id === null ? null : `${d.device_id}:${d.alert_id}`,
      kind: d.kind,
      target: d.target,
      state: d.state,
      attempts: d.attempts,
      last_error: d.last_error,
      created_at: d.created_at.toISOString(),
      updated_at: d.updated_at.toISOString(),
    })),
    total: Number(alerts[0]?.total ?? 0) + Number(digests[0]?.total ?? 0),
  };
}
