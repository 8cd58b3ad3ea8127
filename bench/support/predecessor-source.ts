// The predecessor's database (predecessor-spec §1) filled by COPY with generated Shelly Pro 4PM rows: the source
// of `npm run import:predecessor` in bench/import.ts and bench/switch-over.ts.
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { PREDECESSOR_SCHEMA } from "../../test/predecessor-db.js";

/** The old Worker forwarded only rows above this power. */
const FILTER_W = 10;

/**
 * A meter's day as the predecessor stored it: two lift pumps (1.2 kW, 6 minutes every 45, offset per meter),
 * an outlet pump (430 W, 30 minutes every 3 h), a booster idling at about 1 W. Unfiltered, every minute of
 * every channel is a row (0 W when off); every 50th running row lacks its voltage (0 V, partial message).
 */
export function* powerLogLines(
  meters: number,
  days: number,
  filtered: boolean,
  startMs: number,
): Generator<string> {
  const energy = new Float64Array(meters * 4);
  const minutes = days * 1440;
  let chunk = "";
  let lines = 0;
  for (let m = 0; m < minutes; m++) {
    const ts = new Date(startMs + m * 60_000).toISOString();
    const key = Math.floor((startMs + m * 60_000) / 60_000);
    for (let d = 0; d < meters; d++) {
      const device = `shellypro4pm-bench${String(d).padStart(7, "0")}`;
      for (let c = 0; c < 4; c++) {
        let on: boolean;
        let power: number;
        let current: number;
        if (c < 2) {
          on = (m + d * 7 + c * 20) % 45 < 6;
          power = 1180 + ((m * 7 + d) % 40);
          current = 5.2;
        } else if (c === 2) {
          on = (m + d * 11) % 180 < 30;
          power = 420 + ((m * 3 + d) % 20);
          current = 2.5;
        } else {
          on = false;
          power = 1.2;
          current = 0.06;
        }
        const w = on ? power : c === 3 ? power : 0;
        if (filtered && !(w > FILTER_W)) continue;
        const i = d * 4 + c;
        energy[i] = (energy[i] as number) + w / 60;
        const volts = on && (m + c) % 50 === 0 ? 0 : 229 + ((m + d + c) % 3);
        chunk += `${ts}\t${device}\tswitch:${c}\t${w}\t${volts}\t${on || c === 3 ? current : 0}\t${(energy[i] as number).toFixed(3)}\t${device}_${c}_${key}\n`;
        if (++lines === 5000) {
          yield chunk;
          chunk = "";
          lines = 0;
        }
      }
    }
  }
  if (chunk) yield chunk;
}

/** Creates the predecessor's tables in the (empty) database at `url` and fills power_logs by COPY. */
export async function fillPredecessorSource(
  url: string,
  o: { meters: number; days: number; filtered: boolean; startMs: number },
): Promise<{ rows: number; bytes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(PREDECESSOR_SCHEMA);
    // the indexes the predecessor had are kept: its production paid for them too
    await pipeline(
      powerLogLines(o.meters, o.days, o.filtered, o.startMs),
      client.query(
        copyFrom(
          `COPY power_logs ("timestamp", device_id, channel, apower_w, voltage_v, current_a, energy_total_wh, idempotency_key) FROM STDIN`,
        ),
      ),
    );
    await client.query("ANALYZE power_logs");
    const rows = Number((await client.query("SELECT count(*) AS n FROM power_logs")).rows[0].n);
    const bytes = Number((await client.query("SELECT pg_total_relation_size('power_logs') AS b")).rows[0].b);
    return { rows, bytes };
  } finally {
    await client.end();
  }
}
