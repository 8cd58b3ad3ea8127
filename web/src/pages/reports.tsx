import { useEffect, useState } from "preact/hooks";
import { get, put, query } from "../api/client";
import type { ReportPreference } from "../api/types";
import { Notice, SelectField } from "../components/form";
import { TargetFilters, useTargets } from "../components/target-field";
import { errorText, useResource } from "../components/use-resource";
import { isoDateIn } from "../i18n/format";
import { fr } from "../i18n/fr";
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
          setState({ src: null, error: body?.error?.message ?? fr.reports.unavailable, loading: false });
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
      <h2 id="mail-title">{fr.reports.byEmail}</h2>
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
                text: monthly_email ? fr.reports.emailOn : fr.reports.emailOff,
              });
            } catch (err) {
              setMessage({ kind: "error", text: errorText(err) });
            }
          }}
        />
        <label for="r-monthly-email">{fr.reports.monthlyEmail}</label>
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </section>
  );
}

export function ReportsPage() {
  const [target, setTarget] = useState("");
  const targets = useTargets(target);
  const chosen = targets.chosen;
  const [kind, setKind] = useState<"monthly" | "annual">("monthly");
  const [month, setMonth] = useState(() => lastMonth());
  const [year, setYear] = useState(() => lastMonth().slice(0, 4));
  const pdfUrl =
    chosen === null
      ? null
      : kind === "monthly"
        ? `/api/reports/monthly.pdf${query({ ...chosen.params, month })}`
        : `/api/reports/annual.pdf${query({ ...chosen.params, year })}`;
  const period =
    kind === "monthly"
      ? { from: `${month}-01`, to: lastDay(month) }
      : { from: `${year}-01-01`, to: `${year}-12-31` };
  const csvUrl = chosen === null ? null : `/api/reports/daily.csv${query({ ...chosen.params, ...period })}`;
  const pdf = usePdf(pdfUrl);

  return (
    <div class="page">
      <h1>{fr.reports.title}</h1>
      <p class="muted">{fr.reports.intro}</p>
      <TargetFilters label={fr.reports.choice} id="r-target" state={targets} onTarget={setTarget}>
        <SelectField
          id="r-kind"
          label={fr.reports.kind}
          value={kind}
          onValue={(v) => setKind(v === "annual" ? "annual" : "monthly")}
          options={[
            { value: "monthly", label: fr.reports.monthly },
            { value: "annual", label: fr.reports.annual },
          ]}
        />
        {kind === "monthly" ? (
          <div class="field">
            <label for="r-month">{fr.reports.month}</label>
            <input
              id="r-month"
              type="month"
              value={month}
              onChange={(e) => setMonth((e.target as HTMLInputElement).value)}
            />
          </div>
        ) : (
          <div class="field">
            <label for="r-year">{fr.reports.year}</label>
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
      </TargetFilters>
      {pdfUrl && csvUrl && (
        <div class="card__actions report-actions">
          <a class="button button--primary" href={`${pdfUrl}&download=1`} download>
            {fr.reports.download}
          </a>
          <a class="button" href={csvUrl} download>
            {fr.reports.csv}
          </a>
        </div>
      )}
      {pdf.loading && <p class="muted">{fr.reports.preparing}</p>}
      {pdf.error && <Notice kind="error">{pdf.error}</Notice>}
      {pdf.src && <iframe class="report-frame" title={fr.reports.preview} src={pdf.src} />}
      {user.value && <MonthlyEmail />}
    </div>
  );
}
