import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulateFleet } from "../simulator/index.js";
import { type DispatchOptions, dispatchRound } from "../src/alerts/dispatch.js";
import { evaluateRound } from "../src/alerts/evaluate.js";
import { type Mailer, smtpMailer } from "../src/alerts/mailer.js";
import { DELIVERY_HEADER, SIGNATURE_HEADER, verifySignature } from "../src/alerts/webhook.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import type { Database } from "../src/db/database.js";
import { openPostgres } from "../src/db/postgres.js";
import type { App } from "../src/server/app.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  FakeClock,
  loginAs,
  SAME_ORIGIN,
  type TestDatabase,
} from "./harness.js";

/*
 * Two simulated devices over a day and a half, Paris time. In the last half hour device 0 ("Station Nord",
 * channel 0 named PR1) gets 195 V on every channel (four "Tension anormale" warnings) and device 1 ("Station
 * Sud") stops sending (one critical "Compteur hors ligne"). Two instances share the database: each has its
 * own connection pool on PostgreSQL, its evaluator and its dispatcher.
 */
const ZONE = "Europe/Paris";
const PUBLIC_URL = "http://pumpwatch.test";
const START_S = Date.parse("2025-11-01T00:00:00Z") / 1000;
const END = new Date("2025-11-02T12:00:00Z");
const END_S = END.getTime() / 1000;
const SILENT_FROM_S = END_S - 30 * 60;
const SEED = 5;
const sim = simulateFleet({
  seed: SEED,
  devices: 2,
  days: (END_S - START_S) / 86_400,
  start: START_S,
  faults: [
    { kind: "low_voltage", device: 0, at: SILENT_FROM_S, minutes: 30 },
    { kind: "meter_offline", device: 1, at: SILENT_FROM_S, minutes: 120 },
  ],
});
const NORD = (sim.devices[0] as { id: string }).id;
const SUD = (sim.devices[1] as { id: string }).id;
const SECRET = "webhook-secret-for-the-tests";

let t: TestDatabase;
let app: App;
/** the second instance's database handle (its own pool on PostgreSQL; the same PGlite otherwise) */
let db2: Database;
const clock = new FakeClock(END);

interface Received {
  to: string[];
  raw: Buffer;
}
const mails: Received[] = [];
let smtp: SMTPServer;
let smtpUrl: string;
const mailers: Mailer[] = [];

interface Hook {
  body: string;
  signature: string | undefined;
  delivery: string | undefined;
}
const servers: Server[] = [];

/** A local HTTP receiver answering `status`, recording what it got. */
async function receiver(status: number) {
  const received: Hook[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({
        body,
        signature: req.headers[SIGNATURE_HEADER] as string | undefined,
        delivery: req.headers[DELIVERY_HEADER] as string | undefined,
      });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

function dispatchOptions(): DispatchOptions {
  const mailer = smtpMailer(smtpUrl, "pumpwatch <alertes@pumpwatch.test>");
  mailers.push(mailer);
  return {
    timeZone: ZONE,
    publicUrl: PUBLIC_URL,
    mailer,
    retry: { maxAttempts: 3, firstDelayMs: 1000 },
  };
}
let instanceA: DispatchOptions;
let instanceB: DispatchOptions;

async function post(messages: unknown[]) {
  const response = await app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "content-type": "application/json", "x-api-key": BOOTSTRAP_KEY },
    payload: JSON.stringify({ messages }),
  });
  expect(response.statusCode).toBe(200);
}

async function call(
  method: "GET" | "PUT" | "POST",
  url: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  return app.inject({
    method,
    url,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

let admin: Record<string, string>;

beforeAll(async () => {
  t = await createTestDatabase();
  db2 = t.url ? openPostgres({ connectionString: t.url, maxConnections: 5, onError: () => {} }) : t.db;
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount, timeZone: ZONE });
  for (const batch of sim.batches(1000)) await post(batch);
  await refreshPendingCycles(t.db, { nowMinute: END_S / 60 });

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === "refuse@example.org") {
        const error = Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 });
        callback(error);
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  instanceA = dispatchOptions();
  instanceB = dispatchOptions();

  admin = { ...(await loginAs(app, t.db, "admin@example.org", "admin")), ...SAME_ORIGIN };
  const named = await call("PUT", `/api/admin/devices/${NORD}`, admin, { name: "Station Nord" });
  expect(named.statusCode).toBe(200);
  expect((await call("PUT", `/api/admin/devices/${SUD}`, admin, { name: "Station Sud" })).statusCode).toBe(
    200,
  );
  const channel = await call("POST", `/api/admin/channels/${NORD}/0/versions`, admin, {
    effective_from: "2025-10-01",
    name: "PR1",
    pump_type: "relevage",
  });
  expect(channel.statusCode).toBe(201);
  // A day and a half is too short to learn when these pumps rest: the 2-hour default would raise
  // "Pompe inactive" at night. These tests are about notifications, not that rule.
  for (const device of [NORD, SUD]) {
    for (const channel of [0, 1, 2, 3]) {
      const off = await call("PUT", `/api/alerts/rules/${device}`, admin, {
        channel,
        rule: "pump_inactive",
        enabled: false,
        threshold: null,
      });
      expect(off.statusCode).toBe(200);
    }
  }
}, 300_000);

afterAll(async () => {
  for (const m of mailers) m.close();
  await new Promise<void>((r) => smtp.close(() => r()));
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  await app.close();
  if (db2 !== t.db) await db2.close();
  await t.drop();
});

/** Signs a user in and saves their preferences through the API. */
async function userWith(email: string, prefs: Record<string, unknown> | null) {
  const headers = { ...(await loginAs(app, t.db, email, "viewer")), ...SAME_ORIGIN };
  if (prefs) {
    const saved = await call("PUT", "/api/alerts/notifications/me", headers, prefs);
    expect(saved.statusCode).toBe(200);
  }
  return headers;
}

const parsed = (m: Received) => simpleParser(m.raw);
const mailsTo = (address: string) => mails.filter((m) => m.to.includes(address));

/** "12h40" in Paris for an instant, formatted here rather than by the code under test. */
function parisTime(iso: string): string {
  const p = new Intl.DateTimeFormat("en-GB", {
    timeZone: ZONE,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(iso));
  return `${p.find((x) => x.type === "hour")?.value}h${p.find((x) => x.type === "minute")?.value}`;
}

async function deliveries(state: string) {
  const response = await call("GET", `/api/alerts/deliveries?state=${state}`, admin);
  expect(response.statusCode).toBe(200);
  return response.json() as {
    deliveries: {
      id: string;
      alert_id: string | null;
      kind: string;
      target: string;
      state: string;
      attempts: number;
      last_error: string | null;
    }[];
    total: number;
  };
}

let hook: Awaited<ReturnType<typeof receiver>>;

describe("alert notifications", () => {
  it("queues each alert once per recipient when two instances open it at the same minute", async () => {
    await userWith("critical@example.org", {
      email_enabled: true,
      severities: ["critical"],
      device_ids: null,
      digest: false,
    });
    await userWith("nord@example.org", {
      email_enabled: true,
      severities: ["critical", "warning"],
      device_ids: [NORD],
      digest: false,
    });
    await userWith("quiet@example.org", {
      email_enabled: false,
      severities: ["critical", "warning"],
      device_ids: null,
      digest: true,
    });
    await userWith("refuse@example.org", {
      email_enabled: true,
      severities: ["critical"],
      device_ids: [SUD],
      digest: false,
    });
    await userWith("gone@example.org", null);
    await t.db.query("UPDATE users SET disabled_at = $1 WHERE email = 'gone@example.org'", [END]);
    hook = await receiver(200);
    const saved = await call("PUT", "/api/alerts/webhook", admin, {
      url: hook.url,
      enabled: true,
      secret: SECRET,
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ url: hook.url, enabled: true, secret_set: true });

    // Both instances hold a lease of zero length: both evaluate this minute, side by side.
    const rounds = await Promise.all([
      evaluateRound(t.db, END, { holder: "a", leaseMs: 0 }),
      evaluateRound(db2, END, { holder: "b", leaseMs: 0 }),
    ]);
    expect(rounds.every((r) => r !== null)).toBe(true);
    // one low-voltage event of Station Nord is one alert of its meter, not one per channel (issue 21)
    expect((rounds[0]?.opened ?? 0) + (rounds[1]?.opened ?? 0)).toBe(2);

    const alerts = (await call("GET", "/api/alerts?state=open", admin)).json().alerts as {
      id: string;
      device_id: string;
      rule: string;
      channel: number | null;
    }[];
    expect(alerts.map((a) => `${a.device_id} ${a.rule} ${a.channel}`).sort()).toEqual(
      [`${NORD} voltage null`, `${SUD} meter_offline null`].sort(),
    );
    // admin: 2; critical@: 1; nord@: 1 (not 4); refuse@: 1; quiet@ (no e-mail) and gone@ (disabled): 0; webhook: 2.
    const pending = await deliveries("pending");
    expect(pending.total).toBe(7);
    const targets = pending.deliveries.map((d) => d.target);
    expect(targets.filter((x) => x === "admin@example.org")).toHaveLength(2);
    expect(targets.filter((x) => x === "critical@example.org")).toHaveLength(1);
    expect(targets.filter((x) => x === "nord@example.org")).toHaveLength(1);
    expect(targets.filter((x) => x === "refuse@example.org")).toHaveLength(1);
    expect(targets.filter((x) => x === hook.url)).toHaveLength(2);
    expect(targets).not.toContain("quiet@example.org");
    expect(targets).not.toContain("gone@example.org");
  });

  it("two dispatchers send every delivery once: French e-mails with names, Paris time and a link", async () => {
    const [a, b] = await Promise.all([
      dispatchRound(t.db, END, instanceA),
      dispatchRound(db2, END, instanceB),
    ]);
    expect(a.sent + b.sent).toBe(6);
    expect(a.failed + b.failed).toBe(1);
    expect(mails).toHaveLength(4);
    expect(mailsTo("admin@example.org")).toHaveLength(2);
    expect(mailsTo("critical@example.org")).toHaveLength(1);
    expect(mailsTo("nord@example.org")).toHaveLength(1);
    // A second round finds nothing due.
    const again = await dispatchRound(db2, END, instanceB);
    expect(again).toMatchObject({ sent: 0, failed: 0, retried: 0 });
    expect(mails).toHaveLength(4);

    // The silent meter: last frame at 11:29 UTC, 10 minutes allowed, so raised as of 11:40 UTC = 12h40 in
    // Paris; seen at 12:00 UTC, 31 minutes after that frame.
    const offline = await parsed(mailsTo("critical@example.org")[0] as Received);
    expect(offline.subject).toBe(
      "[pumpwatch] Alerte critique : Compteur hors ligne — Station Sud (compteur)",
    );
    expect(offline.from?.value).toEqual([{ name: "pumpwatch", address: "alertes@pumpwatch.test" }]);
    const text = offline.text ?? "";
    expect(text).toContain(`Appareil : Station Sud (${SUD})`);
    expect(text).toContain("Canal : tout le compteur");
    expect(text).toContain("Le compteur n'envoie plus de relevés depuis 31 min (seuil 10 min).");
    expect(text).toContain("Depuis : le 02/11/2025 à 12h40 (fuseau Europe/Paris)");
    expect(text).toContain(
      `Tableau de bord à ce moment : ${PUBLIC_URL}/?appareil=${SUD}&periode=24h&jusqua=2025-11-02&du=2025-11-02&au=2025-11-02`,
    );
    expect(offline.html).toContain(
      `href="${PUBLIC_URL}/?appareil=${SUD}&amp;periode=24h&amp;jusqua=2025-11-02&amp;du=2025-11-02&amp;au=2025-11-02"`,
    );

    // Station Nord's low voltage is its meter's: one e-mail for the whole meter; its alert started at the
    // time the API gives, shown in Paris time.
    const voltage = (
      (await call("GET", `/api/alerts?device_id=${NORD}&rule=voltage`, admin)).json().alerts as {
        started_at: string;
        channel: number | null;
      }[]
    )[0];
    expect(voltage?.channel).toBeNull();
    const nord = await Promise.all(mailsTo("nord@example.org").map(parsed));
    expect(nord.map((m) => m.subject)).toEqual([
      "[pumpwatch] Avertissement : Tension anormale — Station Nord (compteur)",
    ]);
    const meter = nord[0];
    expect(meter?.text).toContain(`Appareil : Station Nord (${NORD})`);
    expect(meter?.text).toContain("Canal : tout le compteur");
    expect(meter?.text).toMatch(
      /Tension médiane de 19\d(,\d)? V sur 10 minutes, hors de la plage normale \(207 V à 253 V\)\./,
    );
    expect(meter?.text).toContain(
      `Depuis : le 02/11/2025 à ${parisTime(String(voltage?.started_at))} (fuseau Europe/Paris)`,
    );
    expect(meter?.text).toContain(`${PUBLIC_URL}/?appareil=${NORD}&periode=24h&jusqua=2025-11-02`);
    expect(meter?.text).not.toContain("canal=");

    // The refused recipient is given up at once, with the server's code.
    const failed = await deliveries("failed");
    expect(failed.deliveries).toEqual([
      expect.objectContaining({
        kind: "email",
        target: "refuse@example.org",
        state: "failed",
        attempts: 1,
        last_error: "Refusé par le serveur SMTP (code 550).",
        alert_id: expect.stringMatching(new RegExp(`^${SUD}:\\d+$`)),
      }),
    ]);
  });

  it("the webhook receives each alert once, signed with the secret", async () => {
    expect(hook.received).toHaveLength(2);
    expect(new Set(hook.received.map((h) => h.delivery)).size).toBe(2);
    for (const h of hook.received) {
      expect(verifySignature(h.body, SECRET, h.signature)).toBe(true);
      expect(verifySignature(h.body, "another secret", h.signature)).toBe(false);
    }
    const bodies = hook.received.map((h) => JSON.parse(h.body));
    const offline = bodies.find((b) => b.alert.rule === "meter_offline");
    expect(offline).toMatchObject({
      event: "opened",
      summary: "[pumpwatch] Alerte critique : Compteur hors ligne — Station Sud (compteur)",
      device_name: "Station Sud",
      channel_name: null,
      alert: { device_id: SUD, channel: null, state: "open", severity: "critical", threshold: 10 },
    });
    expect(offline.delivery_id).toBe(hook.received[bodies.indexOf(offline)]?.delivery);
    expect(bodies.find((b) => b.alert.rule === "voltage")).toMatchObject({
      device_name: "Station Nord",
      channel_name: null,
      alert: { device_id: NORD, channel: null },
    });
  });

  it("a failing receiver is retried with doubling waits by any instance, then given up and listed", async () => {
    const failing = await receiver(500);
    // The secret is kept when none is given.
    const saved = await call("PUT", "/api/alerts/webhook", admin, { url: failing.url, enabled: true });
    expect(saved.json()).toEqual({ url: failing.url, enabled: true, secret_set: true });

    // Station Sud's buffered minutes arrive: the condition clears and the alert resolves 5 minutes later.
    // Station Nord is in maintenance meanwhile (its own silence raises nothing; its alerts stay open).
    const at = (min: number) => new Date((END_S + min * 60) * 1000);
    clock.set(at(30));
    const window = await call("POST", `/api/alerts/maintenance/${NORD}`, admin, {
      channel: null,
      starts_at: END.toISOString(),
      ends_at: at(120).toISOString(),
      reason: "Intervention",
    });
    expect(window.statusCode).toBe(201);
    const late = simulateFleet({ seed: SEED, devices: 2, days: 60 / 1440, start: SILENT_FROM_S });
    for (const batch of late.batches(1000)) await post(batch.filter((m) => m.src === SUD));
    await refreshPendingCycles(t.db, { nowMinute: END_S / 60 + 30 });
    let resolved = 0;
    for (let m = 25; m <= 30; m++)
      resolved += (await evaluateRound(t.db, at(m), { holder: "a" }))?.resolved ?? 0;
    expect(resolved).toBe(1);
    const pending = (await deliveries("pending")).deliveries;
    expect(pending.map((d) => d.target).sort()).toEqual(
      ["admin@example.org", "critical@example.org", "refuse@example.org", failing.url].sort(),
    );

    // Attempt 1 (instance A), then 1 s, then 2 s; instance B takes over as if A had restarted.
    const t0 = at(30).getTime();
    await dispatchRound(t.db, new Date(t0), instanceA);
    expect(failing.received).toHaveLength(1);
    await dispatchRound(db2, new Date(t0 + 999), instanceB);
    expect(failing.received).toHaveLength(1);
    await dispatchRound(db2, new Date(t0 + 1000), instanceB);
    expect(failing.received).toHaveLength(2);
    await dispatchRound(db2, new Date(t0 + 2999), instanceB);
    expect(failing.received).toHaveLength(2);
    const last = await dispatchRound(t.db, new Date(t0 + 3000), instanceA);
    expect(last.failed).toBe(1);
    expect(failing.received).toHaveLength(3);
    await dispatchRound(t.db, new Date(t0 + 60_000), instanceA);
    expect(failing.received).toHaveLength(3);
    for (const h of failing.received) expect(verifySignature(h.body, SECRET, h.signature)).toBe(true);
    expect(JSON.parse((failing.received[0] as Hook).body)).toMatchObject({
      event: "resolved",
      alert: { rule: "meter_offline", state: "resolved" },
    });

    const failed = (await deliveries("failed")).deliveries.find((d) => d.target === failing.url);
    expect(failed).toMatchObject({
      kind: "webhook",
      state: "failed",
      attempts: 3,
      last_error: "Le destinataire du webhook a répondu HTTP 500.",
    });
    expect((await deliveries("pending")).total).toBe(0);

    // The resolved notice reached the e-mail recipients of the alert.
    const notices = await Promise.all(mailsTo("critical@example.org").map(parsed));
    const end = notices.find((m) => m.subject?.startsWith("[pumpwatch] Fin d'alerte"));
    expect(end?.subject).toBe("[pumpwatch] Fin d'alerte : Compteur hors ligne — Station Sud (compteur)");
    expect(end?.text).toContain("Alerte terminée : Compteur hors ligne");
    expect(end?.text).toContain("Ce qui s'était passé : Le compteur n'envoie plus de relevés depuis 31 min");
    const ended = (
      (await call("GET", `/api/alerts?device_id=${SUD}&state=resolved`, admin)).json().alerts as {
        ended_at: string;
      }[]
    )[0];
    expect(end?.text).toContain(`Fin : le 02/11/2025 à ${parisTime(String(ended?.ended_at))}`);
    expect(mailsTo("nord@example.org")).toHaveLength(1);
  });

  it("sends the daily digest once, after midnight in Paris, to the users who chose it", async () => {
    const before = mails.length;
    // 23h59 in Paris: the day is not over.
    await dispatchRound(t.db, new Date("2025-11-02T22:59:00Z"), instanceA);
    expect(mails).toHaveLength(before);
    const rounds = await Promise.all([
      dispatchRound(t.db, new Date("2025-11-02T23:00:30Z"), instanceA),
      dispatchRound(db2, new Date("2025-11-02T23:00:30Z"), instanceB),
    ]);
    expect(rounds[0].digestsQueued + rounds[1].digestsQueued).toBe(1);
    await dispatchRound(db2, new Date("2025-11-03T08:00:00Z"), instanceB);
    expect(mails).toHaveLength(before + 1);
    const digest = await parsed(mailsTo("quiet@example.org")[0] as Received);
    expect(digest.subject).toBe("[pumpwatch] Résumé des alertes du 02/11/2025 : 2 alertes");
    const text = digest.text ?? "";
    expect(text).toContain("Alertes du 02/11/2025 (fuseau Europe/Paris)");
    expect(text).toContain(
      "Alerte critique — Compteur hors ligne — Station Sud (compteur) : du 02/11/2025 à 12h40 au 02/11/2025 à",
    );
    expect(text).toContain(
      "Avertissement — Tension anormale — Station Nord (compteur) : depuis le 02/11/2025 à",
    );
    expect(text).toContain("toujours en cours");
    expect((await deliveries("all")).deliveries.filter((d) => d.kind === "digest")).toEqual([
      expect.objectContaining({ target: "quiet@example.org", state: "sent", attempts: 1, alert_id: null }),
    ]);
  });
});

describe("notification settings API", () => {
  it("a viewer reads the defaults and saves their own preferences, with the CSRF rule", async () => {
    const viewer = await loginAs(app, t.db, "new@example.org", "viewer");
    const mine = await call("GET", "/api/alerts/notifications/me", viewer);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toEqual({
      email: "new@example.org",
      email_enabled: true,
      severities: ["critical", "warning"],
      device_ids: null,
      digest: false,
    });
    const body = { email_enabled: false, severities: ["warning"], device_ids: [SUD], digest: true };
    expect((await call("PUT", "/api/alerts/notifications/me", viewer, body)).statusCode).toBe(403);
    const saved = await call("PUT", "/api/alerts/notifications/me", { ...viewer, ...SAME_ORIGIN }, body);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({ email: "new@example.org", ...body });
    expect((await call("GET", "/api/alerts/notifications/me", viewer)).json()).toEqual({
      email: "new@example.org",
      ...body,
    });
    const everySite = { ...body, device_ids: null };
    const back = await call("PUT", "/api/alerts/notifications/me", { ...viewer, ...SAME_ORIGIN }, everySite);
    expect(back.json()).toEqual({ email: "new@example.org", ...everySite });
    const unknown = await call(
      "PUT",
      "/api/alerts/notifications/me",
      { ...viewer, ...SAME_ORIGIN },
      { ...body, device_ids: ["nope"] },
    );
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ field: "device_ids", message: "Appareil inconnu." });
    const badSeverity = await call(
      "PUT",
      "/api/alerts/notifications/me",
      { ...viewer, ...SAME_ORIGIN },
      { ...body, severities: ["info"] },
    );
    expect(badSeverity.statusCode).toBe(400);
    expect((await call("GET", "/api/alerts/notifications/me", {})).statusCode).toBe(401);
  });

  it("only an administrator reads or sets the webhook and the deliveries; the secret is never answered", async () => {
    const viewer = { ...(await loginAs(app, t.db, "viewer-hook@example.org", "viewer")), ...SAME_ORIGIN };
    expect((await call("GET", "/api/alerts/webhook", viewer)).statusCode).toBe(403);
    expect(
      (await call("PUT", "/api/alerts/webhook", viewer, { url: "http://x.test/", enabled: false }))
        .statusCode,
    ).toBe(403);
    expect((await call("GET", "/api/alerts/deliveries", viewer)).statusCode).toBe(403);
    const read = await call("GET", "/api/alerts/webhook", admin);
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain(SECRET);
    expect(read.json().secret_set).toBe(true);

    const ftp = await call("PUT", "/api/alerts/webhook", admin, {
      url: "ftp://example.org/x",
      enabled: false,
    });
    expect(ftp.statusCode).toBe(400);
    expect(ftp.json().error).toMatchObject({
      field: "url",
      message: "Adresse du webhook invalide : une URL http:// ou https:// est attendue.",
    });
    const noUrl = await call("PUT", "/api/alerts/webhook", admin, { url: null, enabled: true });
    expect(noUrl.statusCode).toBe(400);
    expect(noUrl.json().error.field).toBe("url");
    const shortSecret = await call("PUT", "/api/alerts/webhook", admin, {
      url: "https://example.org/hook",
      enabled: true,
      secret: "short",
    });
    expect(shortSecret.statusCode).toBe(400);
    const off = await call("PUT", "/api/alerts/webhook", admin, { url: null, enabled: false });
    expect(off.json()).toEqual({ url: null, enabled: false, secret_set: true });
    const noCsrf = await call(
      "PUT",
      "/api/alerts/webhook",
      { cookie: admin.cookie as string },
      { url: null, enabled: false },
    );
    expect(noCsrf.statusCode).toBe(403);
  });

  it("is described in the OpenAPI document", async () => {
    const doc = (await app.inject({ url: "/api/openapi.json" })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/alerts/notifications/me",
        "/api/alerts/webhook",
        "/api/alerts/deliveries",
      ]),
    );
    expect(Object.keys(doc.paths["/api/alerts/notifications/me"])).toEqual(
      expect.arrayContaining(["get", "put"]),
    );
  });
});
