import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The predecessor's schema as its production ran it (predecessor-spec §1.1–1.4): the tables its
 * `create_tables` made at start-up, with its constraints and indexes.
 */
export const PREDECESSOR_SCHEMA = `
CREATE TABLE power_logs (
  id SERIAL PRIMARY KEY,
  "timestamp" TIMESTAMPTZ NOT NULL,
  device_id VARCHAR(100) NOT NULL,
  channel VARCHAR(20) NOT NULL,
  apower_w DOUBLE PRECISION,
  voltage_v DOUBLE PRECISION,
  current_a DOUBLE PRECISION,
  energy_total_wh DOUBLE PRECISION,
  idempotency_key TEXT
);
CREATE UNIQUE INDEX idx_power_logs_idempotency ON power_logs (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX idx_power_logs_timestamp ON power_logs ("timestamp" DESC);
CREATE TABLE pump_models (
  id SERIAL PRIMARY KEY, name TEXT NOT NULL, power_kw REAL NOT NULL, current_ampere REAL NOT NULL,
  flow_rate_hmt8 REAL NULL, created_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE TABLE device_config (
  id SERIAL PRIMARY KEY, device_id VARCHAR(100) NOT NULL, device_name VARCHAR(100),
  channel VARCHAR(20), channel_name VARCHAR(100),
  created_at TIMESTAMPTZ DEFAULT NOW(), updated_at TIMESTAMPTZ DEFAULT NOW(),
  pump_model_id INTEGER REFERENCES pump_models(id), flow_rate REAL NULL,
  pump_type TEXT NOT NULL DEFAULT 'relevage', dbo5_mg_l INTEGER DEFAULT 570, dco_mg_l INTEGER DEFAULT 1250,
  mes_mg_l INTEGER DEFAULT 650,
  UNIQUE (device_id, channel)
);
CREATE INDEX idx_device_config_device ON device_config (device_id);
CREATE TABLE device_config_versions (
  id SERIAL PRIMARY KEY, device_id VARCHAR(100) NOT NULL, channel VARCHAR(20) NOT NULL,
  channel_name VARCHAR(100),
  pump_model_id INTEGER REFERENCES pump_models(id) ON DELETE SET NULL,
  flow_rate REAL CHECK (flow_rate IS NULL OR flow_rate > 0),
  pump_type VARCHAR(50) CHECK (pump_type IS NULL OR pump_type IN ('relevage','sortie','autre')),
  dbo5 INTEGER, dco INTEGER, mes INTEGER,
  effective_from DATE NOT NULL, effective_to DATE,
  created_at TIMESTAMPTZ DEFAULT NOW(), version INTEGER NOT NULL DEFAULT 1,
  CHECK (effective_to IS NULL OR effective_to > effective_from)
);
CREATE INDEX idx_config_versions_lookup ON device_config_versions (device_id, channel, effective_from DESC);
CREATE UNIQUE INDEX idx_config_versions_active ON device_config_versions (device_id, channel) WHERE effective_to IS NULL;
`;

/** The PostgreSQL server the source databases are made on: DATABASE_URL's, else the local one. */
export const SOURCE_SERVER = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface SourceDatabase {
  url: string;
  client: pg.Client;
  drop(): Promise<void>;
}

/** A fresh database on the PostgreSQL server holding the predecessor's (empty) schema. */
export async function createPredecessorDatabase(): Promise<SourceDatabase> {
  const name = `predecessor_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: SOURCE_SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SOURCE_SERVER);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(PREDECESSOR_SCHEMA);
  return {
    url: url.toString(),
    client,
    async drop() {
      await client.end().catch(() => {});
      const cleanup = new pg.Client({ connectionString: SOURCE_SERVER });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export const OLD_DEVICE = "shellypro4pm-a0dd6c9ef474";
/** In power_logs, never configured in the old admin screen. */
export const UNCONFIGURED_DEVICE = "shellypro4pm-b1b2b3b4b5b6";
/** Configured in device_config, never sent anything. */
export const SILENT_DEVICE = "shellypro4pm-c0c0c0c0c0c0";

interface LogRow {
  ts: string;
  device: string;
  channel: string;
  apower: number | null;
  voltage: number | null;
  current: number | null;
  energy?: number | null;
  key?: boolean;
}

const minute = (start: string, m: number) => new Date(Date.parse(start) + m * 60_000).toISOString();

/**
 * What the predecessor's production held (see test/import-predecessor.test.ts for every figure it gives):
 * readings filtered at 10 W with gaps, 0 V rows, two rows in one minute, old rows without idempotency key,
 * a 0 W stop row, a standby channel forwarded with the others, an unknown channel, an empty row, a clock
 * error in 2099; a version history with two one-day holes, a same-date correction, an overlap left by
 * back-dating, a year-206 date; a device with no configuration; a pump model used only by a channel that
 * was deleted from device_config.
 */
export function predecessorProduction(): { logs: LogRow[]; sql: string } {
  const logs: LogRow[] = [];
  const A = OLD_DEVICE;
  // PR1 on 09/02 (a one-day hole of the old history): 15 minutes, every third voltage 0, no idempotency key
  for (let i = 0; i < 15; i++) {
    logs.push({
      ts: minute("2026-02-09T08:00:00Z", i),
      device: A,
      channel: "switch:0",
      apower: 1200,
      voltage: i % 3 === 1 ? 0 : 230 + (i % 2),
      current: 5.2,
    });
  }
  // a second row in the minute 08:05, 40 s later (the throttle let two through across a reconnect)
  logs.push({
    ts: "2026-02-09T08:05:40Z",
    device: A,
    channel: "switch:0",
    apower: 1210,
    voltage: 0,
    current: 5.3,
  });
  // PR1 on 12/02: 10:00–10:20 with 10:05 and 10:06 missing (a 3-minute gap: the same cycle), batch path
  for (let i = 0; i <= 20; i++) {
    if (i === 5 || i === 6) continue;
    logs.push({
      ts: minute("2026-02-12T10:00:00Z", i),
      device: A,
      channel: "switch:0",
      apower: 1180,
      voltage: 229,
      current: 5.1,
      key: true,
    });
  }
  // PR1 on 14/02: 06:00–06:09
  for (let i = 0; i < 10; i++) {
    logs.push({
      ts: minute("2026-02-14T06:00:00Z", i),
      device: A,
      channel: "switch:0",
      apower: 1190,
      voltage: 230,
      current: 5.15,
      key: true,
    });
  }
  logs.push({
    ts: "2026-02-09T12:00:00Z",
    device: A,
    channel: "switch:0",
    apower: null,
    voltage: null,
    current: null,
  });
  logs.push({
    ts: "2099-01-01T00:00:00Z",
    device: A,
    channel: "switch:0",
    apower: 1200,
    voltage: 230,
    current: 5.2,
  });
  // PR 2 (deleted from device_config since) on 05/02: 09:00–09:05
  for (let i = 0; i < 6; i++) {
    logs.push({
      ts: minute("2026-02-05T09:00:00Z", i),
      device: A,
      channel: "switch:1",
      apower: 1240,
      voltage: 231,
      current: 5.4,
    });
  }
  // PS on 14/02: 07:35–07:45 from partial messages (no voltage), then the 0 W stop row with voltage 0
  for (let i = 0; i <= 10; i++) {
    logs.push({
      ts: minute("2026-02-14T07:35:00Z", i),
      device: A,
      channel: "switch:2",
      apower: 430,
      voltage: null,
      current: 2.6,
      key: true,
    });
  }
  logs.push({
    ts: "2026-02-14T07:46:00Z",
    device: A,
    channel: "switch:2",
    apower: 0,
    voltage: 0,
    current: 0,
    key: true,
  });
  // the Surpresseur in standby, forwarded inside PS's messages
  logs.push({
    ts: "2026-02-14T07:35:00Z",
    device: A,
    channel: "switch:3",
    apower: 1.2,
    voltage: 229,
    current: 0.06,
    key: true,
  });
  logs.push({
    ts: "2026-02-14T07:40:00Z",
    device: A,
    channel: "switch:3",
    apower: 1.1,
    voltage: 229,
    current: 0.06,
    key: true,
  });
  logs.push({
    ts: "2026-02-14T07:40:00Z",
    device: A,
    channel: "switch:7",
    apower: 50,
    voltage: 229,
    current: 0.2,
  });
  // a second meter nobody configured
  for (let i = 0; i < 6; i++) {
    logs.push({
      ts: minute("2026-02-10T09:00:00Z", i),
      device: UNCONFIGURED_DEVICE,
      channel: "switch:1",
      apower: 800,
      voltage: 228,
      current: 3.6,
    });
  }

  const sql = `
    INSERT INTO pump_models (id, name, power_kw, current_ampere, flow_rate_hmt8) VALUES
      (1, 'Pedrollo VXM 10/35', 0.75, 4.8, 18.0), (2, 'Pedrollo DM/8', 0.55, 3.2, NULL),
      (3, 'Grundfos Unilift AP12', 0.4, 2.1, 12), (4, 'Flygt 3068', 1.1, 6.0, 25);
    SELECT setval('pump_models_id_seq', 4);
    INSERT INTO device_config (device_id, device_name, channel, channel_name, pump_model_id, flow_rate, pump_type) VALUES
      ('${A}', 'Sagemcom', 'switch:0', 'PR1', 1, 22, 'relevage'),
      ('${A}', 'Sagemcom', 'switch:2', 'PS', 2, 15, 'sortie'),
      ('${A}', 'Sagemcom', 'switch:3', 'Surpresseur', NULL, 0, 'autre'),
      ('${SILENT_DEVICE}', 'Client C', 'switch:0', 'PR', NULL, 10, 'relevage');
    INSERT INTO device_config_versions (id, device_id, channel, channel_name, pump_model_id, flow_rate, pump_type,
                                        dbo5, dco, mes, effective_from, effective_to, version) VALUES
      (1, '${A}', 'switch:0', 'PR1', 1, 18, 'relevage', 570, 1250, 650, '2026-02-01', '2026-02-09', 1),
      (2, '${A}', 'switch:0', 'PR1', 1, 10, 'relevage', 570, 1250, 650, '2026-02-10', '2026-02-13', 1),
      (3, '${A}', 'switch:0', 'PR1', 1, 9, 'relevage', 600, 1250, 650, '2026-02-10', '2026-02-13', 2),
      (4, '${A}', 'switch:0', 'PR1', 1, 22, 'relevage', 600, 1250, 650, '2026-02-14', NULL, 1),
      (5, '${A}', 'switch:1', 'PR 2', 4, 12, 'relevage', 570, 1250, 650, '2025-12-01', '2026-02-20', 1),
      (6, '${A}', 'switch:1', 'Pompe PR 2', 4, 14, 'relevage', 570, 1250, 650, '2026-02-01', NULL, 2),
      (7, '${A}', 'switch:2', 'PS', 2, 15, 'sortie', 570, 1250, 650, '2026-01-01', '2026-02-18', 1),
      (8, '${A}', 'switch:2', 'PS', 2, 15, 'sortie', 570, 1250, 650, '0206-02-19', NULL, 2);
    SELECT setval('device_config_versions_id_seq', 8);`;
  return { logs, sql };
}

/** Fills an empty predecessor database with `predecessorProduction()`. */
export async function fillPredecessor(client: pg.Client): Promise<void> {
  const { logs, sql } = predecessorProduction();
  await client.query(sql);
  await client.query(
    `INSERT INTO power_logs ("timestamp", device_id, channel, apower_w, voltage_v, current_a, energy_total_wh, idempotency_key)
     SELECT t, d, c, p, v, a, e, CASE WHEN k THEN d || '_' || substr(c, 8) || '_' || (extract(epoch FROM t)::int8 / 60) END
     FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::bool[])
       AS l(t, d, c, p, v, a, e, k)`,
    [
      logs.map((l) => l.ts),
      logs.map((l) => l.device),
      logs.map((l) => l.channel),
      logs.map((l) => l.apower),
      logs.map((l) => l.voltage),
      logs.map((l) => l.current),
      logs.map((l) => l.energy ?? null),
      logs.map((l) => l.key === true),
    ],
  );
}
