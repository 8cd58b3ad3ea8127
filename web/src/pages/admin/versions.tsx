import { useRef, useState } from "preact/hooks";
import { ApiError, get, post } from "../../api/client";
import type { Device, PumpModel, Version, VersionChange, VersionPreview } from "../../api/types";
import { Field, Notice, SelectField } from "../../components/form";
import { Link } from "../../components/link";
import { errorText, useResource } from "../../components/use-resource";
import { calendarDate, dateTimeOf, frenchNumber } from "../../i18n/format";
import { fr } from "../../i18n/fr";
import { site } from "../../state/session";
import {
  decimalText,
  type FieldErrors,
  parseDecimal,
  validateEffectiveDate,
  validateFlowRate,
  validateSump,
  validateSumpVolume,
  validateWater,
} from "./config-form";
import { changeSentence, versionInForce } from "./version-plan";

export function VersionsPage({ deviceId, channel }: { deviceId: string; channel: number }) {
  const base = `/api/admin/channels/${encodeURIComponent(deviceId)}/${channel}/versions`;
  const history = useResource(() => get<{ versions: Version[] }>(base), base);
  const meta = useResource(
    () =>
      Promise.all([
        get<{ devices: Device[] }>("/api/devices"),
        get<{ pump_models: PumpModel[] }>("/api/admin/pump-models"),
      ]),
    "meta",
  );
  const device = meta.data?.[0].devices.find((d) => d.device_id === deviceId);
  const channelName = device?.channels.find((c) => c.channel === channel)?.name ?? `switch:${channel}`;
  const tz = site.value.time_zone;
  const versions = history.data?.versions ?? [];
  const newestFirst = [...versions].reverse();

  return (
    <section class="page" aria-labelledby="versions-title">
      <p class="breadcrumb">
        <Link href="/admin/appareils">← {fr.nav.devices}</Link>
      </p>
      <h1 id="versions-title">
        Historique des versions — {channelName} <span class="muted">({device?.name ?? deviceId})</span>
      </h1>
      {history.error && <Notice kind="error">{history.error}</Notice>}
      {history.loading && !history.data && <p>{fr.loading}</p>}
      {history.data && (
        <div class="table-scroll">
          <table class="data-table">
            <caption class="visually-hidden">Versions de la configuration de {channelName}</caption>
            <thead>
              <tr>
                <th scope="col">Période</th>
                <th scope="col">Débit</th>
                <th scope="col">Type</th>
                <th scope="col">Bâche</th>
                <th scope="col">DBO5 / DCO / MES</th>
                <th scope="col">Version</th>
                <th scope="col">Statut</th>
                <th scope="col">Modifiée par</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.length === 0 && (
                <tr>
                  <td colSpan={8}>Aucune version historique : ce canal n'est pas encore configuré.</td>
                </tr>
              )}
              {newestFirst.map((v) => (
                <tr key={v.id}>
                  <td>
                    {calendarDate(v.effective_from)} →{" "}
                    {v.effective_to ? calendarDate(v.effective_to) : <strong>Actuel</strong>}
                  </td>
                  <td>{v.flow_rate_m3h === null ? "-" : `${frenchNumber(v.flow_rate_m3h, 1)} m³/h`}</td>
                  <td>{fr.pumpType[v.pump_type] ?? v.pump_type}</td>
                  <td>
                    {v.sump}
                    {v.sump_volume_m3 === null ? "" : ` · ${frenchNumber(v.sump_volume_m3, 2)} m³`}
                  </td>
                  <td>
                    {frenchNumber(v.dbo5_mg_l, 0)} / {frenchNumber(v.dco_mg_l, 0)} /{" "}
                    {frenchNumber(v.mes_mg_l, 0)}
                  </td>
                  <td>v{v.version}</td>
                  <td>
                    <span class={`badge ${v.effective_to === null ? "badge--ok" : "badge--muted"}`}>
                      {v.effective_to === null ? "Actif" : "Clôturé"}
                    </span>
                  </td>
                  <td>
                    {v.created_by ?? "-"}
                    <span class="muted"> · {dateTimeOf(v.created_at, tz)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {history.data && (
        <NewVersionForm
          base={base}
          versions={versions}
          models={meta.data?.[1].pump_models ?? []}
          onSaved={() => void history.reload()}
        />
      )}
    </section>
  );
}

interface Draft {
  date: string;
  flowRate: string;
  pumpType: string;
  pumpModelId: string;
  dbo5: string;
  dco: string;
  mes: string;
  sump: string;
  sumpVolume: string;
}

function draftFrom(date: string, v: Version | null): Draft {
  return {
    date,
    flowRate: decimalText(v?.flow_rate_m3h),
    pumpType: v?.pump_type ?? "relevage",
    pumpModelId: v?.pump_model_id ? String(v.pump_model_id) : "",
    dbo5: decimalText(v?.dbo5_mg_l ?? 570),
    dco: decimalText(v?.dco_mg_l ?? 1250),
    mes: decimalText(v?.mes_mg_l ?? 650),
    sump: v?.sump ?? "1",
    sumpVolume: decimalText(v?.sump_volume_m3),
  };
}

function NewVersionForm(props: {
  base: string;
  versions: Version[];
  models: PumpModel[];
  onSaved: () => void;
}) {
  const latest = props.versions[props.versions.length - 1] ?? null;
  const [draft, setDraft] = useState<Draft>(() => draftFrom("", latest));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [preview, setPreview] = useState<VersionPreview | null>(null);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const asked = useRef(0);

  function body(d: Draft) {
    return {
      effective_from: d.date,
      flow_rate_m3h: parseDecimal(d.flowRate),
      pump_type: d.pumpType,
      pump_model_id: d.pumpModelId ? Number(d.pumpModelId) : null,
      dbo5_mg_l: parseDecimal(d.dbo5),
      dco_mg_l: parseDecimal(d.dco),
      mes_mg_l: parseDecimal(d.mes),
      sump: d.sump.trim(),
      sump_volume_m3: parseDecimal(d.sumpVolume),
    };
  }

  function check(d: Draft): FieldErrors {
    const found: FieldErrors = { ...validateWater(d) };
    const date = validateEffectiveDate(d.date);
    if (date) found.date = date;
    const flow = validateFlowRate(d.flowRate, "cette version");
    if (flow) found.flowRate = flow;
    const sump = validateSump(d.sump, "cette version");
    if (sump) found.sump = sump;
    const volume = validateSumpVolume(d.sumpVolume, "cette version");
    if (volume) found.sumpVolume = volume;
    return found;
  }

  function showServerError(e: unknown) {
    const field = e instanceof ApiError ? e.field : null;
    const key = field?.includes("effective")
      ? "date"
      : field?.includes("flow")
        ? "flowRate"
        : field === "sump_volume_m3"
          ? "sumpVolume"
          : field === "sump"
            ? "sump"
            : field?.match(/dbo5|dco|mes/)?.[0];
    if (key) setErrors({ [key]: errorText(e) });
    setMessage({ kind: "error", text: errorText(e) });
  }

  /** Every valid change asks the service what it would do — committing nothing — so the impact is in view before saving. */
  async function ask(d: Draft) {
    const mine = ++asked.current;
    setPreview(null);
    const found = check(d);
    setErrors(d.date ? found : {});
    if (Object.keys(found).length > 0) return;
    try {
      const answer = await post<VersionPreview>(`${props.base}/preview`, body(d));
      if (mine === asked.current) setPreview(answer);
    } catch (e) {
      if (mine === asked.current) showServerError(e);
    }
  }

  function change(patch: Partial<Draft>) {
    setMessage(null);
    // A new date pre-fills the form with the version in force that day.
    const next =
      patch.date !== undefined && !validateEffectiveDate(patch.date)
        ? draftFrom(patch.date, versionInForce(props.versions, patch.date))
        : { ...draft, ...patch };
    setDraft(next);
    void ask(next);
  }

  async function save(event: Event) {
    event.preventDefault();
    const found = check(draft);
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) {
      document.getElementById(`nv-${first}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const saved = await post<VersionChange>(props.base, body(draft));
      setMessage({ kind: "success", text: `Version enregistrée : ${changeSentence(saved)}` });
      setPreview(null);
      setDraft(draftFrom("", saved.versions[saved.versions.length - 1] ?? latest));
      props.onSaved();
    } catch (e) {
      showServerError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card card--warning" onSubmit={save} noValidate aria-labelledby="nv-title">
      <h2 id="nv-title">Créer une version historique</h2>
      <p class="muted">
        Un changement de configuration à partir d'une date : les cycles depuis cette date sont recalculés avec
        ces valeurs. Le formulaire reprend la version en vigueur ce jour-là : modifiez seulement ce qui
        change. L'impact s'affiche avant tout enregistrement.
      </p>
      <div class="form-grid">
        <Field
          id="nv-date"
          label="Date d'effet *"
          type="date"
          min="2000-01-01"
          max="2100-12-31"
          value={draft.date}
          onValue={(v) => change({ date: v })}
          error={errors.date}
          required
        />
        <Field
          id="nv-flowRate"
          label="Débit effectif (m³/h)"
          inputMode="decimal"
          value={draft.flowRate}
          onValue={(v) => change({ flowRate: v })}
          error={errors.flowRate}
          hint="Vide : aucun volume calculé."
        />
        <Field
          id="nv-sump"
          label="Bâche"
          value={draft.sump}
          onValue={(v) => change({ sump: v })}
          error={errors.sump}
          maxLength={20}
          hint="Les pompes qui vident le même poste partagent la même bâche (ex. « 1 »)."
        />
        <Field
          id="nv-sumpVolume"
          label="Volume utile de la bâche (m³)"
          inputMode="decimal"
          value={draft.sumpVolume}
          onValue={(v) => change({ sumpVolume: v })}
          error={errors.sumpVolume}
          hint="Surface de la bâche × distance entre les flotteurs d'arrêt et de démarrage. Vide : débit non mesuré."
        />
        <SelectField
          id="nv-type"
          label="Type de poste"
          value={draft.pumpType}
          onValue={(v) => change({ pumpType: v })}
          options={["relevage", "sortie", "autre"].map((t) => ({ value: t, label: fr.pumpType[t] ?? t }))}
        />
        <SelectField
          id="nv-model"
          label="Modèle de pompe"
          value={draft.pumpModelId}
          onValue={(v) => change({ pumpModelId: v })}
          options={[
            { value: "", label: "-- Aucun modèle --" },
            ...props.models.map((m) => ({ value: String(m.id), label: m.label })),
          ]}
        />
        <Field
          id="nv-dbo5"
          label="DBO5 (mg/L)"
          inputMode="decimal"
          value={draft.dbo5}
          onValue={(v) => change({ dbo5: v })}
          error={errors.dbo5}
        />
        <Field
          id="nv-dco"
          label="DCO (mg/L)"
          inputMode="decimal"
          value={draft.dco}
          onValue={(v) => change({ dco: v })}
          error={errors.dco}
        />
        <Field
          id="nv-mes"
          label="MES (mg/L)"
          inputMode="decimal"
          value={draft.mes}
          onValue={(v) => change({ mes: v })}
          error={errors.mes}
        />
      </div>
      {preview && <ImpactTable preview={preview} />}
      <div class="card__actions">
        <button type="submit" class="button button--primary" disabled={busy || !preview}>
          Créer cette version
        </button>
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </form>
  );
}

type Figures = NonNullable<VersionPreview["before"]>;

function ImpactTable({ preview }: { preview: VersionPreview }) {
  const rows: [string, keyof Figures, number, string][] = [
    ["Cycles", "cycles", 0, ""],
    ["Eau traitée", "treated_volume_m3", 1, " m³"],
    ["Énergie", "energy_kwh", 2, " kWh"],
    ["CO₂e évité", "co2e_avoided_kg", 1, " kg"],
  ];
  const { affected, before, after } = preview;
  return (
    <div class="impact" data-testid="impact" aria-live="polite">
      <p class="plan" data-testid="plan-sentence">
        {preview.explanation}
      </p>
      {preview.detection_changed && (
        <Notice kind="warning">
          Les réglages de détection changent : les cycles de la période seront redétectés.
        </Notice>
      )}
      {affected && before && after ? (
        <>
          <h3>
            Impact du {calendarDate(affected.from)} au {calendarDate(affected.to)}
          </h3>
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">Indicateur</th>
                <th scope="col">Avant</th>
                <th scope="col">Après</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([label, key, decimals, unit]) => (
                <tr key={key}>
                  <th scope="row">{label}</th>
                  <td data-testid={`before-${key}`}>
                    {frenchNumber(before[key], decimals)}
                    {unit}
                  </td>
                  <td data-testid={`after-${key}`}>
                    {frenchNumber(after[key], decimals)}
                    {unit}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p>Aucun jour passé n'est recalculé : les chiffres déjà affichés ne changent pas.</p>
      )}
      <p class="muted">Rien n'est enregistré tant que vous n'avez pas cliqué sur « Créer cette version ».</p>
    </div>
  );
}
