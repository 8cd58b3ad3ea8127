// What `npm run demo` puts in its fresh database: a week of simulated readings, an administrator, an ingestion
// key, and names and flow rates on every device and channel, so that signing in shows real-looking figures.
import { randomBytes } from "node:crypto";
import { type ChannelRole, type FaultOption, type Simulation, simulateFleet } from "../simulator/index.js";
import { createApiKey } from "../src/admin/api-keys.js";
import { addChannelVersion } from "../src/admin/config-versions.js";
import { renameDevice } from "../src/admin/device-names.js";
import { createUser, findUser } from "../src/admin/users.js";
import { evaluateRound } from "../src/alerts/evaluate.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import type { Database } from "../src/db/database.js";
import { takeEvaluatorLease } from "../src/db/queries/alerts.js";
import type { PumpType } from "../src/domain/config-versions/index.js";
import { localDateOf } from "../src/domain/config-versions/index.js";
import type { App } from "../src/server/app.js";
import { createSite, placeDevice } from "../src/sites/sites.js";

// Eight days: the alert rules learn each pump's habits once 7 days of history are known (issue 11).
export const DEMO_DAYS = 8;
export const DEMO_ADMIN_EMAIL = "demo@pumpwatch.local";

/** Plausible plants of the FiltrePlante network; the simulator's devices take them in order. */
const STATION_NAMES = ["Station Keur Massar", "Station Ndiakhirate", "Station Sangalkam", "Station Bambilor"];

/**
 * Per device, the flow rates of its lift pumps (relevage, 12–22 m³/h as on site) and of its outlet pump.
 * Outlet flows count for nothing in the treated volume (only relevage does) but show in the table.
 */
const FLOWS_M3H = [
  { lift: [18, 14], outlet: 15 },
  { lift: [22, 12], outlet: 16 },
  { lift: [16, 20], outlet: 14 },
  { lift: [13, 19], outlet: 15 },
];

interface ChannelSetup {
  name: string;
  pumpType: PumpType;
  flowRateM3h: number | null;
  /** the lift pumps of a plant empty one wet well, whose useful volume is known: measured flows at once */
  sump?: string;
  sumpVolumeM3?: number;
}

/** Useful volume of each plant's wet well (m³), between the stop and the start float. */
const SUMP_M3 = [1.5, 1.8, 1.4, 1.6];
/**
 * Mean inflow of each plant's wet well (m³/h). Enough that a night fill lasts under an hour: a stopped pump
 * (the demo's PR1) then stands out within hours, as it did with the float pattern.
 */
const INFLOW_M3H = [4, 4.5, 3.5, 4];

/** The simulator's wet well of a plant: its pumps move the débit effectif configured for them. */
export function demoWetWell(deviceIndex: number) {
  const flows = FLOWS_M3H[deviceIndex % FLOWS_M3H.length] ?? { lift: [15, 15] };
  return {
    volumeM3: SUMP_M3[deviceIndex % SUMP_M3.length] ?? 1.5,
    meanInflowM3h: INFLOW_M3H[deviceIndex % INFLOW_M3H.length] ?? 4,
    flowM3h: [flows.lift[0] ?? 15, flows.lift[1] ?? 15] as const,
  };
}

/**
 * Names a channel after what the simulator makes it do (simulator/fleet.ts): lift pumps are the plant's
 * pumping stations PR1, PR2…, the outlet pump PS, and the channel that only draws ~1 W has nothing behind
 * it, so it is the spare output.
 */
export function channelSetup(deviceIndex: number, role: ChannelRole, liftRank: number): ChannelSetup {
  const flows = FLOWS_M3H[deviceIndex % FLOWS_M3H.length] ?? { lift: [15], outlet: 15 };
  switch (role) {
    case "lift":
      return {
        name: `PR${liftRank + 1}`,
        pumpType: "relevage",
        flowRateM3h: flows.lift[liftRank % flows.lift.length] ?? 15,
        sump: "1",
        sumpVolumeM3: demoWetWell(deviceIndex).volumeM3,
      };
    case "outlet":
      return { name: "PS", pumpType: "sortie", flowRateM3h: flows.outlet };
    case "idle":
      return { name: "Réserve", pumpType: "autre", flowRateM3h: null };
  }
}

export interface DemoOptions {
  /** the end of the simulated week */
  now: Date;
  /** the site's zone (APP_TIMEZONE): configuration versions start on a local date */
  timeZone: string;
  /** ADMIN_EMAIL / ADMIN_PASSWORD when set; otherwise a demo account with a fresh password */
  admin: { email: string; password: string } | null;
  /** INGEST_API_KEY when set (the service must accept it); otherwise a key is created */
  ingestKey: string | null;
  devices?: number;
  days?: number;
  /** called after each ingested batch */
  onBatch?: (readings: number) => void;
  /** how far past `now` the fleet keeps running, sent live by {@link DemoSeed.sendDue} (default 0) */
  liveDays?: number;
  /** one site per meter, from DEMO_SITES (two plants in Senegal, one in France); default none */
  sites?: boolean;
}

/** The demo's plants when it has sites: two in Senegal (UTC all year) and one in France. */
export const DEMO_SITES = [
  {
    name: "Keur Massar",
    time_zone: "Africa/Dakar",
    population_equivalent: 1200,
    location: "Keur Massar, Dakar",
    // about 0.8 m² per EH on the first stage, as planted filters are sized in hot climates (1.2 in France)
    filter_stage_surfaces_m2: [960, 640],
  },
  {
    name: "Ndiakhirate",
    time_zone: "Africa/Dakar",
    population_equivalent: 600,
    location: "Ndiakhirate, Rufisque",
    filter_stage_surfaces_m2: [480, 320],
  },
  {
    name: "Saint-Jean-de-Moirans",
    time_zone: "Europe/Paris",
    population_equivalent: 900,
    sandre_code: "060938438001",
    location: "Saint-Jean-de-Moirans, Isère",
    filter_stage_surfaces_m2: [1080, 720],
  },
] as const;

const HOUR_S = 3600;
/**
 * The demo's faults, on the first plant, relative to `now`: its PR1 stopped 8 h ago and stays stopped for
 * 2 h more (an open « Pompe inactive » when the demo starts, resolved live when it restarts), its PR2 ran dry
 * for 15 min 3 h ago (a resolved « Marche à sec »).
 */
export function demoFaults(nowS: number): FaultOption[] {
  return [
    { kind: "pump_stopped", device: 0, channel: 0, at: nowS - 8 * HOUR_S, minutes: 10 * 60 },
    { kind: "dry_run", device: 0, channel: 1, at: nowS - 3 * HOUR_S, minutes: 15 },
  ];
}
/** The alert evaluator runs round by round, as the service does, over this last stretch of the week. */
const LIVE_ROUNDS_S = 4 * HOUR_S;
const ROUND_S = 600;

export interface DemoSeed {
  adminEmail: string;
  /** null when the account already existed (its password is the one given, or unknown) */
  adminPassword: string | null;
  ingestKey: string;
  readings: number;
  simulation: Simulation;
  devices: { id: string; name: string }[];
  /** cycles the simulation ran before `now` */
  pastCycles: number;
  /** posts the simulated minutes that have come due since (the demo keeps its meters "en ligne") */
  sendDue(nowS: number): Promise<number>;
}

/** Fills a fresh database through the same use cases and endpoint an operator uses. */
export async function seedDemo(service: { app: App; db: Database }, options: DemoOptions): Promise<DemoSeed> {
  const { app, db, now } = { ...service, now: options.now };
  const days = options.days ?? DEMO_DAYS;
  const admin = options.admin ?? {
    email: DEMO_ADMIN_EMAIL,
    password: randomBytes(12).toString("base64url"),
  };
  const existing = await findUser(db, admin.email);
  if (!existing) await createUser(db, { email: admin.email, password: admin.password, role: "admin" }, now);
  const adminPassword = existing && !options.admin ? null : admin.password;
  const ingestKey = options.ingestKey ?? (await createApiKey(db, "Démo", admin.email)).key;

  const nowS = Math.floor(now.getTime() / 1000);
  const simulation = simulateFleet({
    seed: 42,
    devices: options.devices ?? 2,
    days: days + (options.liveDays ?? 0),
    start: new Date(now.getTime() - days * 86_400_000),
    // The lift pumps of a plant take turns emptying one wet well (inflow varying through the day): with the
    // sump's volume configured, their measured flows show at once (« Santé des pompes »).
    liftPattern: "wetwell",
    wetWell: demoWetWell,
    faults: demoFaults(nowS),
  });
  const post = async (messages: unknown[]) => {
    const response = await app.inject({
      method: "POST",
      url: "/api/ingest/batch",
      headers: { "content-type": "application/json", "x-api-key": ingestKey },
      payload: JSON.stringify({ messages }),
    });
    if (response.statusCode !== 200) {
      throw new Error(`demo ingestion failed: HTTP ${response.statusCode} ${response.body}`);
    }
    return response.json().inserted as number;
  };
  // The messages come in time order: what is past now is sent at once, the rest as its minute comes.
  const stream = simulation.messages();
  let pending = stream.next();
  const takeDue = (nowS: number, max: number) => {
    const due = [];
    while (!pending.done && pending.value.timestamp <= nowS && due.length < max) {
      due.push(pending.value);
      pending = stream.next();
    }
    return due;
  };
  let readings = 0;
  const sendUpTo = async (atS: number) => {
    for (let batch = takeDue(atS, 1000); batch.length > 0; batch = takeDue(atS, 1000)) {
      readings += await post(batch);
      options.onBatch?.(readings);
    }
  };
  // The demo's alerts come from the evaluator itself: over the last hours of the week the readings arrive
  // a round at a time and each round is evaluated at its own minute, as the service does live (a backfill
  // never raises an alert). The service's own evaluator waits: this one holds the lease until `now`.
  const roundsFrom = Math.max(simulation.startS, nowS - LIVE_ROUNDS_S);
  // An hour past now: however long the week takes to load, the service never steals the lease meanwhile.
  const leaseUntil = new Date((nowS + 3600) * 1000);
  // Taken before the first reading: no round of the service judges a half-loaded week by the clock.
  await takeEvaluatorLease(db, "demo-seed", new Date(simulation.startS * 1000), leaseUntil);
  await sendUpTo(roundsFrom);
  for (let s = roundsFrom; ; s = Math.min(nowS, s + ROUND_S)) {
    await sendUpTo(s);
    await refreshPendingCycles(db, { nowMinute: Math.floor(s / 60) });
    await evaluateRound(db, new Date(s * 1000), {
      holder: "demo-seed",
      leaseMs: leaseUntil.getTime() - s * 1000,
      timeZone: options.timeZone,
    });
    if (s >= nowS) break;
  }
  // Handed back: the service's evaluator takes over at its next round.
  await takeEvaluatorLease(db, "demo-seed", now, now);
  const sendDue = async (atS: number) => {
    let sent = 0;
    for (let batch = takeDue(atS, 1000); batch.length > 0; batch = takeDue(atS, 1000))
      sent += await post(batch);
    return sent;
  };

  // The day before the first reading, so that every simulated cycle has a flow rate and a volume.
  const effectiveFrom = localDateOf(simulation.startS - 86_400, options.timeZone);
  const devices = [];
  const siteIds = options.sites
    ? await Promise.all(
        simulation.devices.map((d) => {
          const site = DEMO_SITES[d.index];
          return site ? createSite(db, site, admin.email, now).then((s) => s.id) : null;
        }),
      )
    : [];
  for (const device of simulation.devices) {
    const site = options.sites ? DEMO_SITES[device.index] : undefined;
    const name = site
      ? `Station ${site.name}`
      : (STATION_NAMES[device.index] ?? `Station ${device.index + 1}`);
    await renameDevice(db, device.id, name, admin.email, now);
    const siteId = siteIds[device.index];
    if (siteId) await placeDevice(db, device.id, siteId, admin.email, now);
    let liftRank = 0;
    for (const channel of device.channels) {
      const setup = channelSetup(device.index, channel.role, liftRank);
      if (channel.role === "lift") liftRank++;
      await addChannelVersion(
        db,
        { deviceId: device.id, channel: channel.channel, effectiveFrom, ...setup },
        admin.email,
        now,
      );
    }
    devices.push({ id: device.id, name });
  }
  const pastCycles = simulation.truth.filter((c) => c.start_ts < nowS).length;
  return {
    adminEmail: admin.email,
    adminPassword,
    ingestKey,
    readings,
    simulation,
    devices,
    pastCycles,
    sendDue,
  };
}
