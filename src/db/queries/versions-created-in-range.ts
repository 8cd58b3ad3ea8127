import type { Queryable } from "../database.js";

export interface CreatedVersionRow {
  device_id: string;
  id: number;
  channel: number;
  effective_from: string;
  version: number;
  name: string | null;
  pump_type: string;
  flow_rate_m3h: number | null;
  created_at: Date;
  created_by: string | null;
}

/** The configuration versions of some meters written in [from, to) (superseded ones too: they happened). */
export async function versionsCreatedInRange(
  db: Queryable,
  deviceIds: readonly string[],
  from: Date,
  to: Date,
): Promise<CreatedVersionRow[]> {
  if (deviceIds.length === 0) return [];
  const { rows } = await db.query<CreatedVersionRow>(
    `SELECT device_id, id, channel, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, version, name,
            pump_type, flow_rate_m3h, created_at, created_by
     FROM channel_config_versions
     WHERE device_id = ANY($1::text[]) AND created_at >= $2 AND created_at < $3
     ORDER BY created_at, id`,
    [deviceIds, from, to],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), channel: Number(r.channel) }));
}
