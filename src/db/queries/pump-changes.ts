import type { Queryable } from "../database.js";

export interface PumpChange {
  deviceId: string;
  /** null: an entry about the whole meter, which applies to each of its pumps */
  channel: number | null;
  at: Date;
  kind: "pump_overhaul" | "pump_replaced";
}

/**
 * The journal's pump overhauls and replacements of one meter up to `until`, oldest first: where a pump's
 * measured-flow baseline restarts (issue 17, pump health).
 */
export async function pumpChangesOf(db: Queryable, deviceId: string, until: Date): Promise<PumpChange[]> {
  const { rows } = await db.query<{ channel: number | null; occurred_at: Date; kind: PumpChange["kind"] }>(
    `SELECT channel, occurred_at, kind FROM journal_entries
     WHERE device_id = $1 AND kind IN ('pump_overhaul', 'pump_replaced') AND occurred_at <= $2
     ORDER BY occurred_at, id`,
    [deviceId, until],
  );
  return rows.map((r) => ({
    deviceId,
    channel: r.channel === null ? null : Number(r.channel),
    at: r.occurred_at,
    kind: r.kind,
  }));
}
