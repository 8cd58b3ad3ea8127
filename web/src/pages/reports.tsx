import { useEffect, useState } from "preact/hooks";
import { get, put, query } from "../api/client";
import type { Devices, ReportPreference } from "../api/types";
import { Notice, SelectField } from "../components/form";
import { errorText, useResource } from "../components/use-resource";
import { isoDateIn } from "../i18n/format";
import { site, user } from "../state/session";

/** The month before today's in the site's zone: the last complete month, the one a report is usually for. */
function lastMonth(): string {
  const today = isoDateIn(Date.now(), site.value.time_zone);
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

function lastDay(month: string): string {
  const d = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0));
  return d.toISOString().slice(0, 10);
}

/** Fetches the PDF first, so a refusal shows its French message instead of a broken frame. */
function usePdf(url: string | null) {
  const [state, setState] = useState<{ src: string | null; error: string | null; loading: boolean }>({
    src: null,
    error: null,
    loading: false,
  });
  useEffect(() => {
    if (url === null) return;
    let objectUrl: string | null = null;
    let gone = false;
    setState({ src: null, error: null, loading: true });
    (async () => {
      const res = await fetch(url, {
        credentials: "same-origin",
        headers: { "X-Requested-With": "pumpwatch" },
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        if (!gone)
          setState({ src: null, error: body?.error?.message ?? "Rapport indisponible.", loading: false });
        return;
      }
      objectUrl = URL.createObjectURL(await res.blob());
      if (!gone) setState({ src: objectUrl, error: null, loading: false });
    })().catch((e) => !gone && setState({ src: null, error: errorText(e), loading: false }));
    return () => {
      gone = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [url]);
  return state;
}

function MonthlyEmail() {
  const pref = useResource(() => get<ReportPreference>("/api/reports/preferences/me"), "report-pref");
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  if (!pref.data) return null;
  return (
    <section class="card" aria-labelledby="mail-title">
      <h2 id="mail-title">Par e-mail</h2>
      <div class="field field--check">
        <input
          id="r-monthly-email"
          type="checkbox"
          checked={pref.data.monthly_email}
          onChange={async (e) => {
            const monthly_email = (e.target as HTMLInputElement).checked;
            try {
              pref.setData(await put<ReportPreference>("/api/reports/preferences/me", { monthly_email }));
              setMessage({
                kind: "success",
                text: monthly_email
                  ? "Vous recevrez le rapport mensuel de vos sites le 1er de chaque mois."
                  : "Vous ne recevrez plus le rapport mensuel par e-mail.",
              });
            } catch (err) {
              setMessage({ kind: "error", text: errorText(err) });
            }
          }}
        />
        <label for="r-monthly-email">
          Recevoir le rapport mensuel de mes sites par e-mail le 1er du mois (PDF joint)
        </label>
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </section>
  );
}

export function ReportsPage() {
  const devices = useResource(() => get<Devices>("/api/devices"), "devices");
  const list = devices.data?.devices ?? [];
  const [deviceId, setDeviceId] = useState("");
  const [kind, setKind] = useState<"monthly" | "annual">("monthly");
  const [month, setMonth] = useState(lastMonth);
  const [year, setYear] = useState(() => lastMonth().slice(0, 4));
  const chosen = deviceId || list[0]?.device_id || "";
  const pdfUrl =
    chosen === ""
      ? null
      : kind === "monthly"
        ? `/api/reports/monthly.pdf${query({ device_id: chosen, month })}`
        : `/api/reports/annual.pdf${query({ device_id: chosen, year })}`;
  const csvUrl =
    kind === "monthly"
      ? `/api/reports/daily.csv${query({ device_id: chosen, from: `${month}-01`, to: lastDay(month) })}`
      : `/api/reports/daily.csv${query({ device_id: chosen, from: `${year}-01-01`, to: `${year}-12-31` })}`;
  const pdf = usePdf(pdfUrl);

  return (
    <div class="page">
      <h1>Rapports</h1>
      <p class="muted">
        Le rapport mensuel et le rapport annuel (cahier de vie, section 3) d'un compteur, en PDF : les mêmes
        chiffres que le tableau de bord pour la période.
      </p>
      {devices.error && <Notice kind="error">{devices.error}</Notice>}
      <form class="card filters" aria-label="Choix du rapport" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          id="r-device"
          label="Compteur"
          value={chosen}
          onValue={setDeviceId}
          options={list.map((d) => ({ value: d.device_id, label: d.name }))}
        />
        <SelectField
          id="r-kind"
          label="Rapport"
          value={kind}
          onValue={(v) => setKind(v === "annual" ? "annual" : "monthly")}
          options={[
            { value: "monthly", label: "Mensuel" },
            { value: "annual", label: "Annuel (cahier de vie)" },
          ]}
        />
        {kind === "monthly" ? (
          <div class="field">
            <label for="r-month">Mois</label>
            <input
              id="r-month"
              type="month"
              value={month}
              onChange={(e) => setMonth((e.target as HTMLInputElement).value)}
            />
          </div>
        ) : (
          <div class="field">
            <label for="r-year">Année</label>
            <input
              id="r-year"
              type="number"
              min={2000}
              step={1}
              value={year}
              onChange={(e) => setYear((e.target as HTMLInputElement).value)}
            />
          </div>
        )}
      </form>
      {pdfUrl && (
        <div class="card__actions report-actions">
          <a class="button button--primary" href={`${pdfUrl}&download=1`} download>
            Télécharger le PDF
          </a>
          <a class="button" href={csvUrl} download>
            Données journalières (CSV)
          </a>
        </div>
      )}
      {pdf.loading && <p class="muted">Préparation du rapport…</p>}
      {pdf.error && <Notice kind="error">{pdf.error}</Notice>}
      {pdf.src && <iframe class="report-frame" title="Aperçu du rapport" src={pdf.src} />}
      {user.value && <MonthlyEmail />}
    </div>
  );
}
