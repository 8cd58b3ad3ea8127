import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChannelVersion, versionsOfChannels } from "../src/admin/config-versions.js";
import { makeSettingsReader } from "../src/admin/settings.js";
import { smtpMailer } from "../src/alerts/mailer.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { openDirectory } from "../src/journal/meter-directory.js";
import { reportMailingRound } from "../src/reports/mailing.js";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, FakeClock, loginAs, type TestDatabase } from "./harness.js";

// March 2026 in Paris: the clocks go forward on Sunday 29 (02:00 CET → 03:00 CEST), a 23-hour local day.
let t: TestDatabase;
let app: App;
let viewer: { cookie: string };
const NOW = new Date("2026-04-15T10:00:00Z");
const clock = new FakeClock(NOW);
const A = "shellypro4pm-aaaaaaaaaaaa";
const B = "shellypro4pm-bbbbbbbbbbbb";
const C = "shellypro4pm-cccccccccccc";
const at = (iso: string) => Date.parse(iso) / 1000;

/**
 * `count` minutes of one channel at `watts` (energy by_minute in mWh, as the Pro 4PM sends it), the pump
 * starting at the first reading: that reading reports no energy for the minute before it (which a cycle counts
 * as the minute its pump started in, issue 21).
 */
function run(device: string, channel: number, startIso: string, count: number, watts: number) {
  return Array.from({ length: count }, (_, i) => {
    const ts = at(startIso) + i * 60;
    return {
      src: device,
      timestamp: ts,
      params: {
        [`switch:${channel}`]: {
          apower: watts,
          current: watts / 230,
          voltage: 230,
          aenergy: { total: 1000 + i, by_minute: [i === 0 ? 0 : (watts / 60) * 1000, 0, 0], minute_ts: ts },
        },
      },
    };
  });
}

async function version(deviceId: string, channel: number, name: string, flowRateM3h: number | null) {
  await addChannelVersion(
    t.db,
    { deviceId, channel, effectiveFrom: "2026-01-01", name, pumpType: "relevage", flowRateM3h },
    "admin@example.org",
    new Date("2026-01-01T09:00:00Z"),
  );
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = await createTestApp(t.db, { clock, migrationCount: t.migrationCount, timeZone: "Europe/Paris" });
  viewer = await loginAs(app, t.db, "viewer@example.org", "viewer");
  const batch = [
    // A/0: 60 min on 10 March; 20 min at 00:30 CET on the 29th (23:30 UTC on the 28th); 20 min at 03:30 CEST
    ...run(A, 0, "2026-03-10T10:00:00Z", 60, 900),
    ...run(A, 0, "2026-03-28T23:30:00Z", 20, 900),
    ...run(A, 0, "2026-03-29T01:30:00Z", 20, 900),
    // A/1: 30 min on 31 March at 23:40 CEST: a cycle of March that ends in April
    ...run(A, 1, "2026-03-31T21:40:00Z", 30, 500),
    // B/0: 40 min on 15 March
    ...run(B, 0, "2026-03-15T08:00:00Z", 40, 700),
    // C/0: no flow rate: no volume, but energy
    ...run(C, 0, "2026-03-20T08:00:00Z", 30, 600),
  ];
  // idle minutes around each run close the cycles
  const idle = [A, B, C].flatMap((d) => [0, 1].flatMap((ch) => run(d, ch, "2026-04-01T06:00:00Z", 5, 0)));
  const summary = await ingestBatch(t.db, [...batch, ...idle], {
    nowS: at(NOW.toISOString()),
    receivedAt: NOW,
  });
  expect(summary.errors).toBe(0);
  await version(A, 0, "PR1", 12);
  await version(A, 1, "PR2", 6);
  await version(B, 0, "PR-B", 9);
  await version(C, 0, "PR-C", null);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const get = (url: string) => app.inject({ method: "GET", url, headers: { cookie: viewer.cookie } });

function parseCsv(body: string) {
  const [header, ...rows] = body
    .replace(/^\uFEFF/, "")
    .trimEnd()
    .split("\r\n");
  return { header: header?.split(";") ?? [], rows: rows.map((r) => r.split(";")) };
}
const num = (cell: string | undefined) => Number((cell ?? "").replace(",", "."));

describe("the daily CSV", () => {
  it("has one row per local day and configured channel, French header, day cut in the site's zone", async () => {
    const res = await get(`/api/reports/daily.csv?device_id=${A}&from=2026-03-01&to=2026-03-31`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/csv");
    const { header, rows } = parseCsv(res.body);
    expect(header).toEqual([
      "Date",
      "Compteur",
      "Voie",
      "Démarrages",
      "Durée de marche (min)",
      "Volume estimé (m³)",
      "Énergie (kWh)",
      "Débit mesuré (m³/h)",
      "Apport de la bâche (m³)",
    ]);
    expect(rows).toHaveLength(31 * 2);
    const row = (date: string, channel: string) => rows.find((r) => r[0] === date && r[2] === channel);
    // 60 min at 12 m³/h
    expect(row("10/03/2026", "PR1")?.slice(3, 6)).toEqual(["1", "60,0", "12,00"]);
    // both runs of the 29th count on the 29th (local), none on the 28th: 2 × 20 min × 12 m³/h = 8 m³
    expect(row("29/03/2026", "PR1")?.slice(3, 6)).toEqual(["2", "40,0", "8,00"]);
    expect(row("28/03/2026", "PR1")?.slice(3, 6)).toEqual(["0", "0,0", "0,00"]);
    // the cycle that began at 23:40 on the 31st counts on the 31st: 30 min at 6 m³/h
    expect(row("31/03/2026", "PR2")?.slice(3, 6)).toEqual(["1", "30,0", "3,00"]);
  });

  it("adds up to the dashboard's summary of the same month", async () => {
    for (const device of [A, B, C]) {
      const csv = parseCsv(
        (await get(`/api/reports/daily.csv?device_id=${device}&from=2026-03-01&to=2026-03-31`)).body,
      );
      const api = (await get(`/api/cycles?device_id=${device}&from=2026-03-01&to=2026-03-31`)).json();
      const volume = csv.rows.reduce((s, r) => s + (r[5] === "-" ? 0 : num(r[5])), 0);
      const energy = csv.rows.reduce((s, r) => s + num(r[6]), 0);
      const starts = csv.rows.reduce((s, r) => s + num(r[3]), 0);
      expect(volume).toBeCloseTo(api.summary.treated_volume_m3, 2);
      expect(energy).toBeCloseTo(api.summary.energy_kwh, 3);
      expect(starts).toBe(api.summary.cycles);
    }
  });

  it("prints « - » for the volume of a lift station without a flow rate", async () => {
    const { rows } = parseCsv(
      (await get(`/api/reports/daily.csv?device_id=${C}&from=2026-03-20&to=2026-03-20`)).body,
    );
    expect(rows).toEqual([["20/03/2026", C, "PR-C", "1", "30,0", "-", expect.any(String), "-", "-"]]);
    expect(num(rows[0]?.[6])).toBeGreaterThan(0);
  });

  it("answers bad input in French, naming the field", async () => {
    const bad = await get(`/api/reports/daily.csv?device_id=${A}&from=2026-13-01`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe("from");
    const unknown = await get("/api/reports/daily.csv?device_id=shellypro4pm-000000000000");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ field: "device_id", message: "Appareil inconnu." });
  });
});

const execFileP = promisify(execFile);
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "screenshots");

/** The PDF's text as pdftotext reads it (layout kept, so a table's row stays on one line). */
async function pdfText(pdf: Buffer, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pw-report-"));
  const file = join(dir, `${name}.pdf`);
  await writeFile(file, pdf);
  const { stdout } = await execFileP("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"]);
  return stdout;
}

/** Page pictures beside the web screenshots, to be looked at (pdftoppm, 60 dpi). */
async function pagePictures(pdf: Buffer, name: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "pw-report-"));
  const file = join(dir, `${name}.pdf`);
  await writeFile(file, pdf);
  await execFileP("pdftoppm", ["-png", "-r", "60", file, join(SHOTS, name)]);
}

/** "12 345,68" as the report prints it (U+202F between thousands), for a figure the API gives as 12345.68. */
const fr = (value: number, decimals: number) =>
  new Intl.NumberFormat("fr-FR", { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(
    value,
  );

describe("the monthly report PDF", () => {
  it("prints every pump's figures as the dashboard gives them for the month (clock change included)", async () => {
    const res = await get(`/api/reports/monthly.pdf?device_id=${A}&month=2026-03`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    expect(res.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    const text = await pdfText(res.rawPayload, "monthly-a");
    await pagePictures(res.rawPayload, "report-monthly-meter");
    expect(text).toContain("Rapport mensuel — mars 2026");
    expect(text).toContain("estimé d'après la durée de fonctionnement");
    for (const [channel, name] of [
      [0, "PR1"],
      [1, "PR2"],
    ] as const) {
      const api = (
        await get(`/api/cycles?device_id=${A}&channel=${channel}&from=2026-03-01&to=2026-03-31`)
      ).json();
      const s = api.summary;
      const line = text.split("\n").find((l) => l.trim().startsWith(`${name} `));
      expect(line, name).toBeDefined();
      const cells = (line ?? "").trim().split(/\s{2,}/);
      expect(cells[0]).toBe(name);
      expect(cells[1]).toBe(String(s.cycles));
      expect(cells[3]).toBe(fr(s.treated_volume_m3, 2));
      expect(cells[4]).toBe(fr(s.energy_kwh, 3));
      expect(cells[6]).toBe(fr(s.co2e_avoided_kg, 1));
    }
    // by hand: PR1 60 + 20 + 20 min at 12 m³/h = 20 m³; PR2 30 min at 6 m³/h = 3 m³
    const all = (await get(`/api/cycles?device_id=${A}&from=2026-03-01&to=2026-03-31`)).json().summary;
    expect(all.treated_volume_m3).toBe(23);
    const total = text.split("\n").find((l) => l.trim().startsWith("Total "));
    expect(
      (total ?? "")
        .trim()
        .split(/\s{2,}/)
        .slice(1, 5),
    ).toEqual([String(all.cycles), fr(100 / 60 + 0.5, 1), fr(23, 2), fr(all.energy_kwh, 3)]);
    // the daily table: the 29th (23-hour day) holds both runs of the night of the clock change
    expect(text).toMatch(/29\/03\/2026\s+8,00\s+0,00\s+8,00/);
    expect(text).toMatch(/28\/03\/2026\s+0,00\s+0,00\s+0,00/);
    expect(text).toContain("Page 1 / ");
    // per day: over the days the meter was watched (10, 29 and 31 March, local), as the dashboard divides
    expect(all.monitored_days).toBe(3);
    expect(all.treated_volume_per_day_m3).toBe(7.67); // 23 m³ / 3
    expect(text).toContain(`${fr(all.treated_volume_per_day_m3, 2)} m³/jour`);
    expect(text).toMatch(/sur 3 jours suivis \(période :\s+31 jours entiers\)/);
  });

  it("prints « - », not 0,00, for the volume, kWh/m³ and CO₂e of a meter without a volume", async () => {
    const res = await get(`/api/reports/monthly.pdf?device_id=${C}&month=2026-03`);
    expect(res.statusCode).toBe(200);
    const text = await pdfText(res.rawPayload, "monthly-c");
    const total = (text.split("\n").find((l) => l.trim().startsWith("Total ")) ?? "").trim().split(/\s{2,}/);
    const api = (await get(`/api/cycles?device_id=${C}&from=2026-03-01&to=2026-03-31`)).json().summary;
    expect(total).toEqual(["Total", String(api.cycles), fr(0.5, 1), "-", fr(api.energy_kwh, 3), "-", "-"]);
    expect(text).toMatch(/Volume traité estimé\s+Traitement journalier/);
    expect(text).not.toMatch(/0,00 m³/);
  });
});

describe("reports of an empty month, and bad input", () => {
  it("says « Aucune donnée » for a month without cycles", async () => {
    const res = await get(`/api/reports/monthly.pdf?device_id=${B}&month=2026-02`);
    expect(res.statusCode).toBe(200);
    const text = await pdfText(res.rawPayload, "monthly-empty");
    await pagePictures(res.rawPayload, "report-monthly-empty");
    expect(text).toContain("Rapport mensuel — février 2026");
    expect(text).toContain("Aucune donnée pour ce mois.");
  });

  it.each([
    ["month=2026-13", "month", 400, "Mois invalide : AAAA-MM attendu (2026-03)."],
    ["month=2026-5", "month", 400, "Mois invalide : AAAA-MM attendu (2026-03)."],
    ["month=2026-05", "month", 400, "Ce mois n'a pas encore commencé."],
    ["month=1999-12", "month", 400, "Mois trop ancien : à partir de 2000-01."],
  ])("monthly %s → %s %i", async (query, field, status, message) => {
    const res = await get(`/api/reports/monthly.pdf?device_id=${A}&${query}`);
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toMatchObject({ field, message });
  });

  it("names the unknown meter, and the malformed or future year", async () => {
    const unknown = await get("/api/reports/monthly.pdf?device_id=shellypro4pm-000000000000&month=2026-03");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ field: "device_id", message: "Appareil inconnu." });
    const site = await get("/api/reports/annual.pdf?site_id=nowhere&year=2026");
    expect(site.statusCode).toBe(404);
    expect(site.json().error).toMatchObject({ field: "site_id", message: "Site inconnu." });
    const year = await get(`/api/reports/annual.pdf?device_id=${A}&year=2027`);
    expect(year.statusCode).toBe(400);
    expect(year.json().error).toMatchObject({
      field: "year",
      message: "Cette année n'a pas encore commencé.",
    });
    const bad = await get(`/api/reports/annual.pdf?device_id=${A}&year=26`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      field: "year",
      message: "Année invalide : AAAA attendu (2026).",
    });
  });

  it.each([
    ["monthly.pdf?site_id=999&month=2026-03", 404, "site_id", "Site inconnu."],
    ["daily.csv?site_id=999&from=2026-03-01", 404, "site_id", "Site inconnu."],
    ["annual.pdf?device_id=shellypro4pm-000000000000&year=2026", 404, "device_id", "Appareil inconnu."],
    ["annual.pdf?site_id=999&year=1999", 404, "site_id", "Site inconnu."],
    [`annual.pdf?device_id=${A}&year=1999`, 400, "year", "Année trop ancienne : à partir de 2000."],
    [`annual.pdf?device_id=${A}&year=deux-mille`, 400, "year", "Année invalide : AAAA attendu (2026)."],
    [`monthly.pdf?device_id=${A}&month=mars`, 400, "month", "Mois invalide : AAAA-MM attendu (2026-03)."],
    [`daily.csv?device_id=${A}&from=2026-03-10&to=2026-03-01`, 400, "to", undefined],
    [`daily.csv?device_id=${A}&from=2026-02-30`, 400, "from", undefined],
    [
      `monthly.pdf?device_id=${A}&site_id=1&month=2026-03`,
      400,
      "site_id",
      "Indiquez un compteur (device_id) ou un site (site_id), pas les deux.",
    ],
    ["monthly.pdf?month=2026-03", 400, "device_id", "Indiquez un compteur (device_id) ou un site (site_id)."],
  ])("%s → %i naming %s", async (query, status, field, message) => {
    const res = await get(`/api/reports/${query}`);
    expect(res.statusCode).toBe(status);
    const error = res.json().error;
    expect(error.field).toBe(field);
    if (message) expect(error.message).toBe(message);
    // French, and nothing of the machinery
    expect(error.message).not.toMatch(/must|should|SQL|select|\/src\/|at .*\.ts/i);
  });
});

describe("the annual report PDF", () => {
  it("lays the year out per month as section 3 of the cahier de vie, with the dashboard's year figures", async () => {
    const res = await get(`/api/reports/annual.pdf?device_id=${A}&year=2026`);
    expect(res.statusCode).toBe(200);
    const text = await pdfText(res.rawPayload, "annual-a");
    await pagePictures(res.rawPayload, "report-annual-meter");
    expect(text).toContain("Rapport annuel 2026 — cahier de vie, section 3");
    expect(text).toContain("arrêté du 21 juillet 2015");
    const march = (await get(`/api/cycles?device_id=${A}&from=2026-03-01&to=2026-03-31`)).json().summary;
    const year = (await get(`/api/cycles?device_id=${A}&from=2026-01-01&to=2026-12-31`)).json().summary;
    const row = (label: string) =>
      (text.split("\n").find((l) => l.trim().startsWith(`${label} `)) ?? "").trim().split(/\s{2,}/);
    expect(row("mars").slice(1, 2)).toEqual([String(march.cycles)]);
    expect(row("mars")[3]).toBe(fr(march.treated_volume_m3, 2));
    expect(row("mars")[4]).toBe(fr(march.energy_kwh, 3));
    expect(row("février")[1]).toBe("0");
    // made on 15 April: May to December have not begun, no figures rather than zeros
    expect(row("mai")).toEqual(["mai", "-", "-", "-", "-", "-"]);
    expect(row("décembre")).toEqual(["décembre", "-", "-", "-", "-", "-"]);
    expect(row("avril")[1]).toBe("0");
    expect(row("Année")[3]).toBe(fr(year.treated_volume_m3, 2));
    expect(row("Année")[4]).toBe(fr(year.energy_kwh, 3));
  });
});

describe("the monthly e-mail preference", () => {
  it("is off until the user turns it on, and stays as saved", async () => {
    const headers = { cookie: viewer.cookie, "x-requested-with": "pumpwatch", origin: "http://localhost" };
    expect((await get("/api/reports/preferences/me")).json()).toEqual({ monthly_email: false });
    const saved = await app.inject({
      method: "PUT",
      url: "/api/reports/preferences/me",
      headers: { ...headers, "content-type": "application/json" },
      payload: JSON.stringify({ monthly_email: true }),
    });
    expect(saved.statusCode).toBe(200);
    expect((await get("/api/reports/preferences/me")).json()).toEqual({ monthly_email: true });
    const anonymous = await app.inject({ method: "GET", url: "/api/reports/preferences/me" });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe("the reports of a site of three meters", () => {
  let siteId = "";
  beforeAll(async () => {
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO sites (name, time_zone, population_equivalent, sandre_code, created_at, updated_at)
       VALUES ('Station de Saint-Jean', 'Europe/Paris', 350, '0401234S0001', $1, $1) RETURNING id`,
      [NOW],
    );
    siteId = String(rows[0]?.id);
    await t.db.query("UPDATE devices SET site_id = $1 WHERE device_id = ANY($2::text[])", [
      Number(siteId),
      [A, B, C],
    ]);
  });

  it("prints each pump of the three meters as the dashboard does, and their total", async () => {
    const res = await get(`/api/reports/monthly.pdf?site_id=${siteId}&month=2026-03`);
    expect(res.statusCode).toBe(200);
    const text = await pdfText(res.rawPayload, "monthly-site");
    await pagePictures(res.rawPayload, "report-monthly-site");
    expect(text).toContain("Station de Saint-Jean");
    expect(text).toContain("Code SANDRE de la station : 0401234S0001");
    let volume = 0;
    let energy = 0;
    let cycles = 0;
    for (const [device, channel, name] of [
      [A, 0, "PR1"],
      [A, 1, "PR2"],
      [B, 0, "PR-B"],
      [C, 0, "PR-C"],
    ] as const) {
      const s = (
        await get(`/api/cycles?device_id=${device}&channel=${channel}&from=2026-03-01&to=2026-03-31`)
      ).json().summary;
      const cells = (text.split("\n").find((l) => l.trim().startsWith(`${name} `)) ?? "")
        .trim()
        .split(/\s{2,}/);
      expect(cells[1], name).toBe(String(s.cycles));
      expect(cells[3], name).toBe(name === "PR-C" ? "-" : fr(s.treated_volume_m3, 2));
      expect(cells[4], name).toBe(fr(s.energy_kwh, 3));
      volume += s.treated_volume_m3;
      energy += s.energy_kwh;
      cycles += s.cycles;
    }
    // by hand: 20 m³ (PR1) + 3 m³ (PR2) + 40 min at 9 m³/h (PR-B) = 29 m³
    expect(volume).toBeCloseTo(29, 6);
    const total = (text.split("\n").find((l) => l.trim().startsWith("Total ")) ?? "").trim().split(/\s{2,}/);
    expect(total[1]).toBe(String(cycles));
    expect(total[3]).toBe(fr(29, 2));
    expect(total[4]).toBe(fr(energy, 3));
  });

  it("gives the annual report of the site with its SANDRE code, and the daily CSV of its meters", async () => {
    const res = await get(`/api/reports/annual.pdf?site_id=${siteId}&year=2026`);
    expect(res.statusCode).toBe(200);
    const text = await pdfText(res.rawPayload, "annual-site");
    await pagePictures(res.rawPayload, "report-annual-site");
    expect(text).toContain("Code SANDRE de la station : 0401234S0001");
    expect(text).toContain("Capacité : 350 EH");
    const csv = parseCsv(
      (await get(`/api/reports/daily.csv?site_id=${siteId}&from=2026-03-15&to=2026-03-15`)).body,
    );
    expect(csv.rows.map((r) => r[2])).toEqual(["PR1", "PR2", "PR-B", "PR-C"]);
    expect(csv.rows.find((r) => r[2] === "PR-B")?.slice(3, 6)).toEqual(["1", "40,0", "6,00"]);
  });
});

describe("the monthly report by e-mail", () => {
  it("is queued once on the 1st for each site the user sees, and sent with the PDF attached", async () => {
    const received: Buffer[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          received.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
    const mailer = smtpMailer(
      `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      "pumpwatch <rapports@pumpwatch.test>",
    );
    try {
      // the viewer chose it above; the 1st of April, 08:00 in Paris: March's report of the site
      const deps = {
        db: t.db,
        directory: openDirectory(t.db, "Europe/Paris"),
        versions: {
          versionsOf: (c: Parameters<typeof versionsOfChannels>[1]) => versionsOfChannels(t.db, c),
        },
        settings: makeSettingsReader(t.db, { gridFactor: null }),
      };
      const first = await reportMailingRound(deps, new Date("2026-04-01T06:00:00Z"), {
        timeZone: "Europe/Paris",
        mailer,
      });
      expect(first).toMatchObject({ queued: 1, sent: 1, failed: 0 });
      const again = await reportMailingRound(deps, new Date("2026-04-01T07:00:00Z"), {
        timeZone: "Europe/Paris",
        mailer,
      });
      expect(again).toMatchObject({ queued: 0, sent: 0 });
      // mid-month: nothing queued
      expect(
        await reportMailingRound(deps, new Date("2026-04-15T07:00:00Z"), {
          timeZone: "Europe/Paris",
          mailer,
        }),
      ).toMatchObject({ queued: 0 });
      expect(received).toHaveLength(1);
      const mail = await simpleParser(received[0] as Buffer);
      expect(mail.subject).toBe("Rapport mensuel — mars 2026 — Station de Saint-Jean");
      expect(mail.to && "text" in mail.to ? mail.to.text : "").toBe("viewer@example.org");
      const pdf = mail.attachments[0];
      expect(pdf?.contentType).toBe("application/pdf");
      expect(pdf?.filename).toBe("rapport_mensuel_2026-03.pdf");
      const text = await pdfText(pdf?.content as Buffer, "mailed");
      expect(text).toContain("Rapport mensuel — mars 2026");
      expect(text).toContain("Station de Saint-Jean");
      const { rows } = await t.db.query<{ state: string; subject: string }>(
        "SELECT state, subject FROM report_mailings",
      );
      expect(rows).toEqual([{ state: "sent", subject: expect.stringMatching(/^site:\d+$/) }]);
    } finally {
      mailer.close();
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });
});

describe("a report edited while a backfill is being absorbed", () => {
  it("says its figures are provisional, and no longer once the cycles are up to date", async () => {
    // A read with no budget for pending work, and a change of B's readings still queued (as an import leaves
    // thousands of them): the report is made from the cycles stored so far and must say so.
    const busy = await createTestApp(t.db, {
      clock,
      migrationCount: t.migrationCount,
      timeZone: "Europe/Paris",
      cycleReadBudget: { budgetMs: 0, minSteps: 0 },
    });
    try {
      const reader = await loginAs(busy, t.db, "busy-viewer@example.org", "viewer");
      const march15 = Date.parse("2026-03-15T08:00:00Z") / 60_000;
      await t.db.query(
        "INSERT INTO cycle_refresh_queue (device_id, channel, from_minute, to_minute) VALUES ($1, 0, $2, $3)",
        [B, march15, march15 + 39],
      );
      const url = `/api/reports/monthly.pdf?device_id=${B}&month=2026-03`;
      const provisional = await busy.inject({ method: "GET", url, headers: { cookie: reader.cookie } });
      expect(provisional.statusCode).toBe(200);
      const before = (await pdfText(provisional.rawPayload, "monthly-provisional")).replace(/\s+/g, " ");
      expect(before).toContain("Chiffres provisoires");

      // the ordinary read budget brings B's cycles up to date first
      const settled = (await pdfText((await get(url)).rawPayload, "monthly-settled")).replace(/\s+/g, " ");
      expect(settled).not.toContain("Chiffres provisoires");
      expect(settled).toContain("PR-B");
    } finally {
      await busy.close();
    }
  });
});
