import type { RankedReading } from "../../domain/ranked-reading.js";
import type { Queryable } from "../database.js";

// column in readings, its rank column, the Reading field, the array type of the parameter
const FIELDS = [
  ["apower_w", "rank_apower", "apowerW", "float8"],
  ["voltage_v", "rank_voltage", "voltageV", "float8"],
  ["current_a", "rank_current", "currentA", "float8"],
  ["power_factor", "rank_power_factor", "powerFactor", "float8"],
  ["frequency_hz", "rank_frequency", "frequencyHz", "float8"],
  ["energy_total_wh", "rank_energy_total", "energyTotalWh", "float8"],
  ["energy_last_minute_wh", "rank_energy_minute", "energyLastMinuteWh", "float8"],
  ["temperature_c", "rank_temperature", "temperatureC", "float8"],
  ["output", "rank_output", "output", "bool"],
] as const;

// The incoming value wins when it is present and (rank, value) is higher: the same rule as
// domain/ranked-reading.ts `beats`, so stored rows equal the in-memory merge.
const wins = (column: string, rank: string) =>
  `(excluded.${column} IS NOT NULL AND (readings.${column} IS NULL OR (excluded.${rank}, excluded.${column}) > (readings.${rank}, readings.${column})))`;

const columns: string[] = FIELDS.flatMap((f) => [f[0], f[1]]);
const unnestArgs = [
  "$1::text[]",
  "$2::int2[]",
  "$3::int8[]",
  ...FIELDS.flatMap(([, , , type], i) => [`$${4 + 2 * i}::${type}[]`, `$${5 + 2 * i}::int2[]`]),
];
const receivedAtParam = `$${4 + 2 * FIELDS.length}`;

const SQL = `
INSERT INTO readings (device_id, channel, ts, received_at, ${columns.join(", ")})
SELECT device_id, channel, to_timestamp(minute * 60), ${receivedAtParam}::timestamptz, ${columns.join(", ")}
FROM unnest(${unnestArgs.join(", ")}) AS input(device_id, channel, minute, ${columns.join(", ")})
ON CONFLICT (device_id, channel, ts) DO UPDATE SET
${FIELDS.map(
  ([column, rank]) =>
    `  ${column} = CASE WHEN ${wins(column, rank)} THEN excluded.${column} ELSE readings.${column} END,\n` +
    `  ${rank} = CASE WHEN ${wins(column, rank)} THEN excluded.${rank} ELSE readings.${rank} END`,
).join(",\n")}
WHERE ${FIELDS.map(([column, rank]) => wins(column, rank)).join("\n   OR ")}
RETURNING device_id, channel, (extract(epoch FROM ts) / 60)::int8 AS minute`;

export interface ChangedKey {
  device_id: string;
  channel: number;
  minute: number;
}

/**
 * Stores readings (already merged: at most one per key) and returns the keys whose row was created or
 * changed. Rows that gained nothing are not written at all. The caller passes the readings sorted by key so
 * that concurrent batches lock rows in the same order.
 */
export async function upsertReadings(
  tx: Queryable,
  readings: readonly RankedReading[],
  receivedAt: Date,
): Promise<ChangedKey[]> {
  if (readings.length === 0) return [];
  const params: unknown[] = [
    readings.map((r) => r.deviceId),
    readings.map((r) => r.channel),
    readings.map((r) => r.minute),
  ];
  for (const [, , field] of FIELDS) {
    params.push(readings.map((r) => r[field]));
    params.push(readings.map((r) => r.ranks[field]));
  }
  params.push(receivedAt.toISOString());
  const { rows } = await tx.query<ChangedKey>(SQL, params);
  return rows;
}
