/** Statements of the alerts use cases (src/alerts/), one per function. Channel -1 is the whole meter. */
import type { Queryable } from "../database.js";

export interface AlertRow {
  device_id: string;
  id: string;
  channel: number;
  rule: string;
  severity: string;
  started_at: Date;
  ended_at: Date | null;
  clear_since: Date | null;
  value: number;
  threshold: number | null;
  threshold_source: string;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  comment: string | null;
}

export const ALERT_COLUMNS = `device_id, id::text AS id, channel, rule, severity, started_at, ended_at, clear_since, value,
  threshold, threshold_source, acknowledged_by, acknowledged_at, comment`;

/** The open alerts of these devices. */
export async function openAlertsOf(db: Queryable, deviceIds: readonly string[]): Promise<AlertRow[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE device_id = ANY($1::text[]) AND ended_at IS NULL`,
    [deviceIds],
  );
  return rows;
}

/**
 * Who an alert event goes to: each enabled user whose preferences take this severity and device ($sev,
 * $dev: parameters of the caller's statement) while `$emails` (SMTP configured), and the enabled webhook.
 * A user who never saved preferences has the defaults (every severity and site, e-mail on). A user restricted
 * to some sites hears only of their meters (issue 18). `$emails OR u.id IS NULL` (u.id is never null) rather
 * than `$emails` alone: with e-mails off, a bare false would become a constant condition on an outer join, which
 * Citus refuses on PostgreSQL 15 and 16.
 */
const recipients = (emails: string, severity: string, device: string) => `
  SELECT 'email'::text AS kind, u.email AS target
  FROM users u LEFT JOIN alert_notification_prefs p ON p.user_id = u.id
  WHERE (${emails} OR u.id IS NULL) AND u.disabled_at IS NULL AND coalesce(p.email_enabled, true)
    AND ${severity} = ANY(coalesce(p.severities, ARRAY['critical', 'warning']::text[]))
    AND (p.device_ids IS NULL OR ${device} = ANY(p.device_ids))
    AND (u.site_ids IS NULL
         OR EXISTS (SELECT 1 FROM devices d WHERE d.device_id = ${device} AND d.site_id = ANY(u.site_ids)))
  UNION ALL
  SELECT 'webhook'::text, w.url FROM alert_webhook w WHERE w.enabled`;

/** Whether a new alert event also queues e-mails (SMTP configured); the webhook is queued when enabled. */
export interface NotifyOptions {
  /** the evaluation's time: the deliveries' creation and first due time */
  at: Date;
  emails: boolean;
}

/**
 * Opens an alert unless one of that rule and channel is open already (another evaluator's), and in the same
 * statement queues its notifications (migration 0011): an insert that did nothing queues nothing.
 */
export async function openAlert(
  db: Queryable,
  a: {
    deviceId: string;
    channel: number;
    rule: string;
    severity: string;
    startedAt: Date;
    value: number;
    threshold: number | null;
    source: string;
  },
  notify: NotifyOptions,
): Promise<boolean> {
  const { rows } = await db.query<{ opened: number }>(
    `WITH opened AS (
       INSERT INTO alerts (device_id, channel, rule, severity, started_at, value, threshold, threshold_source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (device_id, rule, channel) WHERE ended_at IS NULL DO NOTHING
       RETURNING device_id, id
     ), queued AS (
       INSERT INTO alert_deliveries
         (device_id, alert_id, event, kind, target, state, attempts, next_attempt_at, created_at, updated_at)
       SELECT o.device_id, o.id, 'opened', r.kind, r.target, 'pending', 0, $9, $9, $9
       FROM opened o CROSS JOIN (${recipients("$10::boolean", "$4::text", "$1::text")}) r
       ON CONFLICT ON CONSTRAINT alert_deliveries_once DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM opened)::int AS opened, (SELECT count(*) FROM queued)::int AS queued`,
    [
      a.deviceId,
      a.channel,
      a.rule,
      a.severity,
      a.startedAt,
      a.value,
      a.threshold,
      a.source,
      notify.at,
      notify.emails,
    ],
  );
  return (rows[0]?.opened ?? 0) > 0;
}

export async function updateOpenAlert(
  db: Queryable,
  deviceId: string,
  id: string,
  peak: number,
  clearSince: Date | null,
): Promise<void> {
  await db.query(
    "UPDATE alerts SET value = $3, clear_since = $4 WHERE device_id = $1 AND id = $2 AND ended_at IS NULL",
    [deviceId, id, peak, clearSince],
  );
}

/**
 * Resolves an open alert and, in the same statement, queues its "resolved" notifications. The recipients name the
 * meter and the severity by the parameters, not by the updated row: Citus cannot push a lateral join on the
 * updated row down, and routes the statement to one shard when every distributed table in it is filtered by
 * the same constant device_id.
 */
export async function resolveAlert(
  db: Queryable,
  deviceId: string,
  id: string,
  endedAt: Date,
  notify: NotifyOptions,
): Promise<boolean> {
  const { rows } = await db.query<{ resolved: number }>(
    `WITH resolved AS (
       UPDATE alerts SET ended_at = greatest($3::timestamptz, started_at), clear_since = NULL
       WHERE device_id = $1 AND id = $2 AND ended_at IS NULL
       RETURNING device_id, id, severity
     ), queued AS (
       INSERT INTO alert_deliveries
         (device_id, alert_id, event, kind, target, state, attempts, next_attempt_at, created_at, updated_at)
       SELECT d.device_id, d.id, 'resolved', r.kind, r.target, 'pending', 0, $4, $4, $4
       FROM resolved d
       CROSS JOIN (${recipients("$5::boolean", "(SELECT severity FROM alerts WHERE device_id = $1 AND id = $2)", "$1::text")}) r
       ON CONFLICT ON CONSTRAINT alert_deliveries_once DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM resolved)::int AS resolved, (SELECT count(*) FROM queued)::int AS queued`,
    [deviceId, id, endedAt, notify.at, notify.emails],
  );
  return (rows[0]?.resolved ?? 0) > 0;
}

export interface AlertFilter {
  state: "open" | "acknowledged" | "resolved" | "all";
  deviceIds: readonly string[];
  channel: number | null;
  rule: string | null;
  from: Date | null;
  to: Date | null;
  limit: number;
}

/** Alerts matching a filter, newest first, with the count of all matches. */
export async function alertsMatching(
  db: Queryable,
  f: AlertFilter,
): Promise<(AlertRow & { total: string })[]> {
  const { rows } = await db.query<AlertRow & { total: string }>(
    `SELECT ${ALERT_COLUMNS}, count(*) OVER ()::text AS total FROM alerts
     WHERE device_id = ANY($1::text[])
       AND ($2::int2 IS NULL OR channel = $2)
       AND ($3::text IS NULL OR rule = $3)
       AND ($4::timestamptz IS NULL OR coalesce(ended_at, 'infinity') >= $4)
       AND ($5::timestamptz IS NULL OR started_at < $5)
       AND CASE $6::text
             WHEN 'open' THEN ended_at IS NULL AND acknowledged_at IS NULL
             WHEN 'acknowledged' THEN ended_at IS NULL AND acknowledged_at IS NOT NULL
             WHEN 'resolved' THEN ended_at IS NOT NULL
             ELSE true END
     ORDER BY started_at DESC, id DESC
     LIMIT $7`,
    [f.deviceIds, f.channel, f.rule, f.from, f.to, f.state, f.limit],
  );
  return rows;
}

/** Records who acknowledged an alert (the first acknowledgement's time is kept). */
export async function acknowledgeAlert(
  db: Queryable,
  deviceId: string,
  id: string,
  by: string,
  comment: string,
  at: Date,
): Promise<AlertRow | null> {
  const { rows } = await db.query<AlertRow>(
    `UPDATE alerts SET acknowledged_by = $3, comment = $4, acknowledged_at = coalesce(acknowledged_at, $5)
     WHERE device_id = $1 AND id = $2::int8 RETURNING ${ALERT_COLUMNS}`,
    [deviceId, id, by, comment, at],
  );
  return rows[0] ?? null;
}

export interface AlertReadingRow {
  channel: number;
  minute: string;
  apower_w: number | null;
  current_a: number | null;
  voltage_v: number | null;
}

/** The readings of one device's channels with ts in [from, to]. */
export async function alertReadingsOf(
  db: Queryable,
  deviceId: string,
  from: Date,
  to: Date,
): Promise<AlertReadingRow[]> {
  const { rows } = await db.query<AlertReadingRow>(
    `SELECT channel, (date_part('epoch', ts) / 60)::int8::text AS minute, apower_w, current_a, voltage_v
     FROM readings WHERE device_id = $1 AND channel = ANY('{0,1,2,3}'::int2[]) AND ts >= $2 AND ts <= $3
     ORDER BY channel, ts`,
    [deviceId, from, to],
  );
  return rows;
}

/** The last reading of a device (four backward index lookups). */
export async function lastReadingOf(db: Queryable, deviceId: string): Promise<Date | null> {
  const { rows } = await db.query<{ ts: Date | null }>(
    `SELECT greatest(
       (SELECT max(ts) FROM readings WHERE device_id = $1 AND channel = 0),
       (SELECT max(ts) FROM readings WHERE device_id = $1 AND channel = 1),
       (SELECT max(ts) FROM readings WHERE device_id = $1 AND channel = 2),
       (SELECT max(ts) FROM readings WHERE device_id = $1 AND channel = 3)) AS ts`,
    [deviceId],
  );
  return rows[0]?.ts ?? null;
}

/**
 * Whether the device has sent a reading at ≤ 10 W since `since` (it reports while its pumps are off).
 * Imported readings (negative rank) do not count: the predecessor's filtered history holds 0 W stop rows
 * and standby rows, yet its silences are pumps off.
 */
export async function sendsWhenIdle(db: Queryable, deviceId: string, since: Date): Promise<boolean> {
  const { rows } = await db.query<{ yes: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM readings WHERE device_id = $1 AND channel = ANY('{0,1,2,3}'::int2[])
       AND ts >= $2 AND apower_w <= 10 AND rank_apower >= 0) AS yes`,
    [deviceId, since],
  );
  return rows[0]?.yes ?? false;
}

export interface AlertCycleRow {
  channel: number;
  start_minute: string;
  last_active_minute: string;
  noise: boolean;
  avg_power_w: number;
  avg_current_a: number | null;
}

/** The stored cycles of a device starting in [from, to], by channel and start. */
export async function alertCyclesOf(
  db: Queryable,
  deviceId: string,
  from: Date,
  to: Date,
): Promise<AlertCycleRow[]> {
  const { rows } = await db.query<AlertCycleRow>(
    `SELECT channel, (date_part('epoch', start_ts) / 60)::int8::text AS start_minute,
            (date_part('epoch', last_active_ts) / 60)::int8::text AS last_active_minute,
            noise, avg_power_w, avg_current_a
     FROM cycles WHERE device_id = $1 AND channel = ANY('{0,1,2,3}'::int2[]) AND start_ts >= $2 AND start_ts <= $3
     ORDER BY channel, start_ts`,
    [deviceId, from, to],
  );
  return rows;
}

export interface RuleSettingRow {
  device_id: string;
  channel: number;
  rule: string;
  enabled: boolean;
  threshold: number | null;
  updated_at: Date;
  updated_by: string | null;
}

export async function ruleSettingsOf(db: Queryable, deviceIds: readonly string[]): Promise<RuleSettingRow[]> {
  const { rows } = await db.query<RuleSettingRow>(
    "SELECT device_id, channel, rule, enabled, threshold, updated_at, updated_by FROM alert_rule_settings WHERE device_id = ANY($1::text[])",
    [deviceIds],
  );
  return rows;
}

export async function saveRuleSetting(
  db: Queryable,
  s: {
    deviceId: string;
    channel: number;
    rule: string;
    enabled: boolean;
    threshold: number | null;
    at: Date;
    by: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO alert_rule_settings (device_id, channel, rule, enabled, threshold, updated_at, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (device_id, channel, rule) DO UPDATE
       SET enabled = EXCLUDED.enabled, threshold = EXCLUDED.threshold, updated_at = EXCLUDED.updated_at,
           updated_by = EXCLUDED.updated_by`,
    [s.deviceId, s.channel, s.rule, s.enabled, s.threshold, s.at, s.by],
  );
}

export interface MaintenanceRow {
  device_id: string;
  id: string;
  channel: number;
  starts_at: Date;
  ends_at: Date;
  reason: string | null;
  created_by: string | null;
}

/** Maintenance windows of these devices that end after `after`. */
export async function maintenanceWindowsOf(
  db: Queryable,
  deviceIds: readonly string[],
  after: Date,
): Promise<MaintenanceRow[]> {
  const { rows } = await db.query<MaintenanceRow>(
    `SELECT device_id, id::text AS id, channel, starts_at, ends_at, reason, created_by FROM maintenance_windows
     WHERE device_id = ANY($1::text[]) AND ends_at > $2 ORDER BY starts_at`,
    [deviceIds, after],
  );
  return rows;
}

export async function addMaintenanceWindow(
  db: Queryable,
  w: { deviceId: string; channel: number; startsAt: Date; endsAt: Date; reason: string | null; by: string },
): Promise<MaintenanceRow> {
  const { rows } = await db.query<MaintenanceRow>(
    `INSERT INTO maintenance_windows (device_id, channel, starts_at, ends_at, reason, created_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING device_id, id::text AS id, channel, starts_at, ends_at, reason, created_by`,
    [w.deviceId, w.channel, w.startsAt, w.endsAt, w.reason, w.by],
  );
  return rows[0] as MaintenanceRow;
}

/** Takes or renews the evaluator lease; true when `holder` holds it until `until`. */
export async function takeEvaluatorLease(
  db: Queryable,
  holder: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE alert_evaluator_lease SET holder = $1, expires_at = $3
     WHERE id = 1 AND (holder = $1 OR expires_at <= $2)`,
    [holder, now, until],
  );
  return rowCount > 0;
}

/** Every registered device and the start of its history. */
export async function devicesToWatch(db: Queryable): Promise<{ device_id: string; first_seen: Date }[]> {
  const { rows } = await db.query<{ device_id: string; first_seen: Date }>(
    "SELECT device_id, first_seen FROM devices ORDER BY device_id",
  );
  return rows;
}
