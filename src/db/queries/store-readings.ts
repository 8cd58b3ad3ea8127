import { MEASURED_FIELDS, type RankedReading, sharedRank } from "../../domain/ranked-reading.js";
import { scalarArray, textArray } from "../array-literal.js";
import type { Queryable } from "../database.js";
import { MERGE_GAP_MIN } from "./enqueue-cycle-refresh.js";
import { createReadingPartitionsFor } from "./reading-partitions.js";

/** The devices of a batch, with the minutes of their first and last readings in it. */
export interface DeviceSighting {
  deviceId: string;
  model: string | null;
  firstMinute: number;
  lastMinute: number;
  /**
   * true: insert, or widen first/last seen and fill the model (locks the device row until commit);
   * false: only insert the device if its row is missing (takes no row lock when it exists).
   */
  widen: boolean;
}

export interface ReadingsBatch {
  /** merged readings, at most one per key, sorted by (device, channel, minute): rows are locked in that order */
  rows: readonly RankedReading[];
  /** sorted by device id, for the same reason */
  devices: readonly DeviceSighting[];
  receivedAt: Date;
}

export interface StoredBatch {
  /** positions (from 0) in `rows` of the readings that created or changed their row */
  changed: number[];
  /** devices with `widen: false` whose row was missing and has now been inserted */
  registered: string[];
}

// column in readings, its rank column, the Reading field, the array type of the parameter
const FIELDS = [
  ["apower_w", "rank_apower", "float8"],
  ["voltage_v", "rank_voltage", "float8"],
  ["current_a", "rank_current", "float8"],
  ["power_factor", "rank_power_factor", "float8"],
  ["frequency_hz", "rank_frequency", "float8"],
  ["energy_total_wh", "rank_energy_total", "float8"],
  ["energy_last_minute_wh", "rank_energy_minute", "float8"],
  ["temperature_c", "rank_temperature", "float8"],
  ["output", "rank_output", "bool"],
] as const satisfies readonly (readonly [string, string, string])[];

// Same order as MEASURED_FIELDS: the i-th field's rank is the i-th element of a mixed row's rank list.
const valueColumns = FIELDS.map(([column]) => column);

// The incoming value wins when it is present and (rank, value) is higher: the same rule as
// domain/ranked-reading.ts `beats`, so stored rows equal the in-memory merge.
const wins = (column: string, rank: string) =>
  `(excluded.${column} IS NOT NULL AND (readings.${column} IS NULL OR (excluded.${rank}, excluded.${column}) > (readings.${rank}, readings.${column})))`;

// Parameters: $1–$5 the devices, $6 received_at, $7 the row's device (position in $1, from 1), $8 channel, $9 minute, $10–$18 the values,
// $19 the row's rank (shared by its present fields), $20 the field ranks of rows whose fields came from
// frames of different ranks ('/'-separated, empty = NULL; NULL for the other rows).
const SQL = `
WITH sighted AS (
  SELECT * FROM unnest($1::text::text[], $2::text::text[], $3::text::int8[], $4::text::int8[], $5::text::bool[])
    WITH ORDINALITY AS d(device_id, model, first_minute, last_minute, widen, ix)
),
input AS (
  SELECT (r.ord - 1)::int4 AS ord, d.device_id, r.channel, r.minute, to_timestamp(r.minute * 60) AS ts,
         ${valueColumns.map((c) => `r.${c}`).join(", ")},
         r.rank, string_to_array(r.mixed, '/', '')::int2[] AS mixed
  FROM unnest($7::text::int2[], $8::text::int2[], $9::text::int8[],
              ${FIELDS.map(([, , type], i) => `$${10 + i}::text::${type}[]`).join(", ")},
              $19::text::int2[], $20::text::text[])
       WITH ORDINALITY AS r(device, channel, minute, ${valueColumns.join(", ")}, rank, mixed, ord)
  JOIN sighted d ON d.ix = r.device
),
upserted AS (
  INSERT INTO readings (device_id, channel, ts, received_at, ${FIELDS.map(([c, r]) => `${c}, ${r}`).join(", ")})
  SELECT device_id, channel, ts, $6::timestamptz,
         ${FIELDS.map(([c], i) => `${c}, CASE WHEN ${c} IS NOT NULL THEN coalesce(mixed[${i + 1}], rank) END`).join(",\n         ")}
  FROM input ORDER BY ord
  ON CONFLICT (device_id, channel, ts) DO UPDATE SET
${FIELDS.map(
  ([column, rank]) =>
    `    ${column} = CASE WHEN ${wins(column, rank)} THEN excluded.${column} ELSE readings.${column} END,\n` +
    `    ${rank} = CASE WHEN ${wins(column, rank)} THEN excluded.${rank} ELSE readings.${rank} END`,
).join(",\n")}
  WHERE ${FIELDS.map(([column, rank]) => wins(column, rank)).join("\n     OR ")}
  RETURNING device_id, channel, ts
),
changed AS (
  SELECT i.ord, i.device_id, i.channel, i.minute
  FROM upserted u JOIN input i ON i.device_id = u.device_id AND i.channel = u.channel AND i.ts = u.ts
),
-- Runs of changed minutes per channel, a new run after a hole longer than MERGE_GAP_MIN: the same as
-- model changedRuns of the tests (test/changed-runs.ts).
runs AS (
  SELECT device_id, channel, min(minute) AS from_minute, max(minute) AS to_minute
  FROM (SELECT device_id, channel, minute,
               count(*) FILTER (WHERE gap) OVER (PARTITION BY device_id, channel ORDER BY minute) AS run
        FROM (SELECT device_id, channel, minute,
                     (minute - lag(minute) OVER (PARTITION BY device_id, channel ORDER BY minute) > ${MERGE_GAP_MIN})
                       IS NOT FALSE AS gap
              FROM changed) g) s
  GROUP BY device_id, channel, run
),
queued AS (
  INSERT INTO cycle_refresh_queue (device_id, channel, from_minute, to_minute)
  SELECT device_id, channel, from_minute, to_minute FROM runs ORDER BY device_id, channel, from_minute
),
widened AS (
  INSERT INTO devices (device_id, model, first_seen, last_seen)
  SELECT device_id, model, to_timestamp(first_minute * 60), to_timestamp(last_minute * 60) FROM sighted WHERE widen
  ON CONFLICT (device_id) DO UPDATE SET
    model = COALESCE(devices.model, excluded.model),
    first_seen = LEAST(devices.first_seen, excluded.first_seen),
    last_seen = GREATEST(devices.last_seen, excluded.last_seen)
  WHERE excluded.first_seen < devices.first_seen
     OR excluded.last_seen > devices.last_seen
     OR (devices.model IS NULL AND excluded.model IS NOT NULL)
),
registered AS (
  INSERT INTO devices (device_id, model, first_seen, last_seen)
  SELECT device_id, model, to_timestamp(first_minute * 60), to_timestamp(last_minute * 60)
  FROM sighted WHERE NOT widen
  ON CONFLICT (device_id) DO NOTHING
  RETURNING device_id
)
SELECT (SELECT array_agg(ord) FROM changed) AS changed, (SELECT array_agg(device_id) FROM registered) AS registered`;

/**
 * Stores a batch in one statement, so it is atomic without BEGIN/COMMIT and holds its row locks only while
 * the statement runs, never while the service's event loop is busy elsewhere: the readings upsert (rows that
 * gain nothing are not written), the cycle-refresh queue entries for the changed minutes, and the devices.
 * Answers which rows changed and which devices had to be inserted.
 */
export async function storeReadings(db: Queryable, batch: ReadingsBatch): Promise<StoredBatch> {
  const { rows, devices } = batch;
  if (rows.length === 0) return { changed: [], registered: [] };
  // readings is partitioned by month without a default partition (migration 0019): the months of the batch
  // must exist before it is stored. The current month and the next two are created ahead by the service, so
  // this creates something only for old history (an import, a backfill) or a clock far ahead: one catalogue
  // lookup per month of the batch otherwise.
  await createReadingPartitionsFor(db, monthsOf(rows));
  const { rows: result } = await db.query<{ changed: number[] | null; registered: string[] | null }>(
    SQL,
    params(rows, devices, batch.receivedAt),
  );
  return { changed: result[0]?.changed ?? [], registered: result[0]?.registered ?? [] };
}

function params(rows: readonly RankedReading[], devices: readonly DeviceSighting[], receivedAt: Date) {
  // a device id is sent once, in $1; each row carries its position there
  let deviceIx = "{";
  let channels = "{";
  let minutes = "{";
  let ranks = "{";
  let mixed = "{";
  const values: string[] = MEASURED_FIELDS.map(() => "{");
  let device = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as RankedReading;
    const sep = i === 0 ? "" : ",";
    // rows and devices come sorted by device id
    while (devices[device]?.deviceId !== row.deviceId) {
      if (++device >= devices.length) throw new Error(`storeReadings: ${row.deviceId} missing from devices`);
    }
    deviceIx += sep + (device + 1);
    channels += sep + row.channel;
    minutes += sep + row.minute;
    for (let f = 0; f < MEASURED_FIELDS.length; f++) {
      const v = row[MEASURED_FIELDS[f] as (typeof MEASURED_FIELDS)[number]];
      values[f] += sep + (v === null ? "NULL" : String(v));
    }
    const shared = sharedRank(row);
    if (shared !== null) {
      ranks += sep + shared;
      mixed += `${sep}NULL`;
    } else {
      ranks += `${sep}0`;
      mixed += sep + MEASURED_FIELDS.map((f) => row.ranks[f] ?? "").join("/");
    }
  }
  return [
    textArray(devices.map((d) => d.deviceId)),
    textArray(devices.map((d) => d.model)),
    scalarArray(devices.map((d) => d.firstMinute)),
    scalarArray(devices.map((d) => d.lastMinute)),
    scalarArray(devices.map((d) => d.widen)),
    receivedAt.toISOString(),
    `${deviceIx}}`,
    `${channels}}`,
    `${minutes}}`,
    ...values.map((v) => `${v}}`),
    `${ranks}}`,
    `${mixed}}`,
  ];
}

/** The first instant of each UTC month the rows fall in (a batch usually holds one). */
function monthsOf(rows: readonly RankedReading[]): Date[] {
  const months: Date[] = [];
  // [from, to): the minutes of the last month found, so that a row of a month already seen costs a comparison
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  const seen = new Set<number>();
  for (const row of rows) {
    if (row.minute >= from && row.minute < to) continue;
    const at = new Date(row.minute * 60_000);
    const start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
    from = start / 60_000;
    to = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1) / 60_000;
    if (seen.has(start)) continue;
    seen.add(start);
    months.push(new Date(start));
  }
  return months;
}
