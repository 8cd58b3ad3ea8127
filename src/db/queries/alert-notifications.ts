/**
 * Statements of the alert notifications (migration 0011): preferences, the webhook, the delivery outbox and
 * the daily digests. The outbox rows of an alert event are written by openAlert/resolveAlert (alerts.ts).
 */
import type { Queryable } from "../database.js";
import { ALERT_COLUMNS, type AlertRow } from "./alerts.js";

export interface NotificationPrefsRow {
  email_enabled: boolean;
  severities: string[];
  device_ids: string[] | null;
  digest: boolean;
}

/** A user's saved preferences, or undefined when they never saved (the defaults apply). */
export async function notificationPrefsOf(
  db: Queryable,
  userId: number,
): Promise<NotificationPrefsRow | undefined> {
  const { rows } = await db.query<NotificationPrefsRow>(
    "SELECT email_enabled, severities, device_ids, digest FROM alert_notification_prefs WHERE user_id = $1",
    [userId],
  );
  return rows[0];
}

export async function saveNotificationPrefs(
  db: Queryable,
  userId: number,
  p: NotificationPrefsRow,
  at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO alert_notification_prefs (user_id, email_enabled, severities, device_ids, digest, updated_at)
     VALUES ($1, $2, $3::text[], $4::text[], $5, $6)
     ON CONFLICT (user_id) DO UPDATE SET email_enabled = EXCLUDED.email_enabled,
       severities = EXCLUDED.severities, device_ids = EXCLUDED.device_ids, digest = EXCLUDED.digest,
       updated_at = EXCLUDED.updated_at`,
    [userId, p.email_enabled, p.severities, p.device_ids, p.digest, at],
  );
}

export interface WebhookRow {
  url: string | null;
  secret: string | null;
  enabled: boolean;
}

export async function webhookSettings(db: Queryable): Promise<WebhookRow | undefined> {
  const { rows } = await db.query<WebhookRow>("SELECT url, secret, enabled FROM alert_webhook WHERE id = 1");
  return rows[0];
}

/** Saves the webhook (the whole row: the caller passes the stored secret to keep it). */
export async function saveWebhookSettings(
  db: Queryable,
  w: { url: string | null; secret: string | null; enabled: boolean; at: Date; by: string },
): Promise<WebhookRow> {
  const { rows } = await db.query<WebhookRow>(
    `INSERT INTO alert_webhook (id, url, secret, enabled, updated_at, updated_by)
     VALUES (1, $1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret,
       enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
     RETURNING url, secret, enabled`,
    [w.url, w.secret, w.enabled, w.at, w.by],
  );
  return rows[0] as WebhookRow;
}

export interface ClaimedDelivery {
  device_id: string;
  id: string;
  alert_id: string;
  event: "opened" | "resolved";
  kind: "email" | "webhook";
  target: string;
  /** this attempt's number (the claim counts it) */
  attempts: number;
}

/** A delivery that is due, as read before claiming it. */
export interface DueDelivery {
  device_id: string;
  id: string;
}

/**
 * Up to `limit` deliveries of these devices that are due, the longest waiting first. Read without locks: the claim
 * (claimDeliveries) is what keeps two dispatchers from sending the same one, so this read may cross shards.
 */
export async function dueDeliveries(
  db: Queryable,
  deviceIds: readonly string[],
  now: Date,
  limit: number,
): Promise<DueDelivery[]> {
  const { rows } = await db.query<DueDelivery>(
    `SELECT device_id, id::text AS id FROM alert_deliveries
     WHERE device_id = ANY($1::text[]) AND state = 'pending' AND next_attempt_at <= $2
     ORDER BY next_attempt_at, id LIMIT $3`,
    [deviceIds, now, limit],
  );
  return rows;
}

/**
 * Claims some due deliveries of one device for one attempt: counts the attempt and makes the row due again only
 * at `until`, so no other dispatcher sends it meanwhile. A row another dispatcher claimed first is no longer due
 * once its update commits (PostgreSQL re-checks the condition after waiting for the row), so it is left out. One
 * device per statement: Citus runs it on that device's shard, where row locks work as on one server.
 */
export async function claimDeliveries(
  db: Queryable,
  deviceId: string,
  ids: readonly string[],
  now: Date,
  until: Date,
): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedDelivery>(
    `UPDATE alert_deliveries SET attempts = attempts + 1, next_attempt_at = $4, updated_at = $3
     WHERE device_id = $1 AND id = ANY($2::int8[]) AND state = 'pending' AND next_attempt_at <= $3
     RETURNING device_id, id::text AS id, alert_id::text AS alert_id, event, kind, target, attempts`,
    [deviceId, ids, now, until],
  );
  return rows;
}

export interface AttemptOutcome {
  state: "pending" | "sent" | "failed";
  lastError: string | null;
  /** pending: when to try again */
  nextAttemptAt: Date;
  at: Date;
}

/** Records an attempt's outcome, unless the claim was lost meanwhile (another attempt counted since). */
export async function finishDelivery(
  db: Queryable,
  claim: { device_id: string; id: string; attempts: number },
  o: AttemptOutcome,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE alert_deliveries SET state = $4, last_error = $5, next_attempt_at = $6, updated_at = $7
     WHERE device_id = $1 AND id = $2 AND attempts = $3 AND state = 'pending'`,
    [claim.device_id, claim.id, claim.attempts, o.state, o.lastError, o.nextAttemptAt, o.at],
  );
  return rowCount > 0;
}

/** Some alerts of one device, by number. */
export async function alertsOfDevice(
  db: Queryable,
  deviceId: string,
  ids: readonly string[],
): Promise<AlertRow[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE device_id = $1 AND id = ANY($2::int8[])`,
    [deviceId, ids],
  );
  return rows;
}

/** The alerts of these devices that were open at some time in [from, to), earliest first. */
export async function alertsActiveBetween(
  db: Queryable,
  deviceIds: readonly string[],
  from: Date,
  to: Date,
): Promise<AlertRow[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts
     WHERE device_id = ANY($1::text[]) AND started_at < $3 AND coalesce(ended_at, 'infinity') > $2
     ORDER BY started_at, device_id, id`,
    [deviceIds, from, to],
  );
  return rows;
}

/**
 * Queues the digest of local day `day` for each enabled user who chose it before the day was over (one
 * who switches it on later starts with the next day). The unique (user, day) makes it once. `userIds`: only
 * these accounts (those whose day is `day`, in their zone); null: every account.
 */
export async function queueDigests(
  db: Queryable,
  day: string,
  dayEnd: Date,
  now: Date,
  userIds: readonly number[] | null = null,
): Promise<number> {
  // Counted from RETURNING, not rowCount: Citus reports the rows an INSERT … SELECT offered, conflicts included.
  const { rows } = await db.query(
    `INSERT INTO alert_digests (user_id, day, target, state, attempts, next_attempt_at, created_at, updated_at)
     SELECT u.id, $1::date, u.email, 'pending', 0, $3, $3, $3
     FROM users u JOIN alert_notification_prefs p ON p.user_id = u.id
     WHERE p.digest AND u.disabled_at IS NULL AND p.updated_at < $2
       AND ($4::int8[] IS NULL OR u.id = ANY($4::int8[]))
     ON CONFLICT ON CONSTRAINT alert_digests_once DO NOTHING
     RETURNING 1`,
    [day, dayEnd, now, userIds === null ? null : [...userIds]],
  );
  return rows.length;
}

export interface ClaimedDigest {
  id: string;
  user_id: number;
  /** YYYY-MM-DD */
  day: string;
  target: string;
  attempts: number;
}

/** Up to `limit` digests that are due, the longest waiting first (read without locks, as dueDeliveries). */
export async function dueDigests(db: Queryable, now: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id::text AS id FROM alert_digests WHERE state = 'pending' AND next_attempt_at <= $1
     ORDER BY next_attempt_at, id LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Claims some due digests for one attempt, as claimDeliveries. The day comes back as days since 1970-01-01:
 * to_char depends on settings, which Citus refuses in RETURNING (scale-rules.md, rule 3); date - date is immutable.
 */
export async function claimDigests(
  db: Queryable,
  ids: readonly string[],
  now: Date,
  until: Date,
): Promise<ClaimedDigest[]> {
  const { rows } = await db.query<Omit<ClaimedDigest, "day"> & { day_number: number }>(
    `UPDATE alert_digests SET attempts = attempts + 1, next_attempt_at = $3, updated_at = $2
     WHERE id = ANY($1::int8[]) AND state = 'pending' AND next_attempt_at <= $2
     RETURNING id::text AS id, user_id, day - DATE '1970-01-01' AS day_number, target, attempts`,
    [ids, now, until],
  );
  return rows.map(({ day_number, ...r }) => ({
    ...r,
    day: new Date(Number(day_number) * 86_400_000).toISOString().slice(0, 10),
  }));
}

export async function finishDigest(
  db: Queryable,
  claim: { id: string; attempts: number },
  o: AttemptOutcome,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE alert_digests SET state = $3, last_error = $4, next_attempt_at = $5, updated_at = $6
     WHERE id = $1 AND attempts = $2 AND state = 'pending'`,
    [claim.id, claim.attempts, o.state, o.lastError, o.nextAttemptAt, o.at],
  );
  return rowCount > 0;
}

export interface ListedDelivery {
  device_id: string | null;
  id: string;
  alert_id: string | null;
  kind: "email" | "webhook" | "digest";
  target: string;
  state: "pending" | "sent" | "failed";
  attempts: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  total: string;
}

/** The newest alert deliveries of these devices in a state (null: all), with the count of all matches. */
export async function deliveriesListed(
  db: Queryable,
  deviceIds: readonly string[],
  state: string | null,
  limit: number,
): Promise<ListedDelivery[]> {
  const { rows } = await db.query<ListedDelivery>(
    `SELECT device_id, id::text AS id, alert_id::text AS alert_id, kind, target, state, attempts, last_error,
            created_at, updated_at, count(*) OVER ()::text AS total
     FROM alert_deliveries
     WHERE device_id = ANY($1::text[]) AND ($2::text IS NULL OR state = $2)
     ORDER BY created_at DESC, id DESC LIMIT $3`,
    [deviceIds, state, limit],
  );
  return rows;
}

/** The newest digests in a state (null: all), with the count of all matches. */
export async function digestsListed(
  db: Queryable,
  state: string | null,
  limit: number,
): Promise<ListedDelivery[]> {
  const { rows } = await db.query<ListedDelivery>(
    `SELECT NULL::text AS device_id, id::text AS id, NULL::text AS alert_id, 'digest' AS kind, target, state,
            attempts, last_error, created_at, updated_at, count(*) OVER ()::text AS total
     FROM alert_digests WHERE ($1::text IS NULL OR state = $1)
     ORDER BY created_at DESC, id DESC LIMIT $2`,
    [state, limit],
  );
  return rows;
}
