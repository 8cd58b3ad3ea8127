import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import {
  backtestSentence,
  countOf,
  figure,
  isoToSiteTime,
  parseThreshold,
  RULE_NAMES,
  SEVERITY_NAMES,
  SOURCE_NAMES,
  siteTimeToIso,
  unitOf,
  whenOf,
} from "../alerts/text";
import { ApiError, get, post, put, query } from "../api/client";
import type {
  Backtest,
  Devices,
  MaintenanceList,
  MaintenanceWindow,
  RuleList,
  RuleSetting,
} from "../api/types";
import { Field, Notice, SelectField } from "../components/form";
import { Link } from "../components/link";
import { errorText, useResource } from "../components/use-resource";
import { frenchNumber, isoDateIn } from "../i18n/format";
import { fr } from "../i18n/fr";
import { addDays } from "../state/filters";
import { site, user } from "../state/session";
import { namesOf } from "./alerts";

/** How long the operator's typing must pause before the preview replays 30 days. */
const PREVIEW_DEBOUNCE_MS = 500;

function backtestPath(deviceId: string, channel: number | null, extra: Record<string, string | number> = {}) {
  const today = isoDateIn(Date.now(), site.value.time_zone);
  return `/api/alerts/backtest${query({
    device_id: deviceId,
    channel: channel ?? undefined,
    from: addDays(today, -30),
    to: today,
    ...extra,
  })}`;
}

const numberText = (v: number | null) =>
  v === null ? "" : frenchNumber(v, Number.isInteger(v) ? 0 : 1).replace(/\s/g, "");

function RuleEditor(props: {
  deviceId: string;
  rule: RuleSetting;
  onSaved: (rules: RuleList) => void;
  onCancel: () => void;
}) {
  const r = props.rule;
  const id = `edit-${r.rule}-${r.channel ?? "m"}`;
  const [enabled, setEnabled] = useState(r.enabled);
  const [text, setText] = useState(numberText(r.threshold));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [candidate, setCandidate] = useState<{ text: string; count: number } | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const current = useResource(async () => {
    const b = await get<Backtest>(backtestPath(props.deviceId, r.channel));
    return { count: countOf(b.alerts, r.rule, r.channel), provisional: b.refreshing === true };
  }, `${props.deviceId}|${r.channel}`);
  const value = parseThreshold(text);
  const invalid = text.trim() !== "" && value === null;

  useEffect(() => {
    setPreviewError(null);
    if (value === null || current.data === null) return;
    if (value === r.threshold) {
      setCandidate({ text, count: current.data.count });
      return;
    }
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const b = await get<Backtest>(
          backtestPath(props.deviceId, r.channel, { rule: r.rule, threshold: value }),
        );
        if (live) setCandidate({ text, count: countOf(b.alerts, r.rule, r.channel) });
      } catch (e) {
        if (live) setPreviewError(errorText(e));
      }
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [value, current.data]);

  const save = async (threshold: number | null) => {
    setSaving(true);
    setError(null);
    try {
      props.onSaved(
        await put<RuleList>(`/api/alerts/rules/${encodeURIComponent(props.deviceId)}`, {
          channel: r.channel,
          rule: r.rule,
          enabled,
          threshold,
        }),
      );
    } catch (e) {
      setError(e instanceof ApiError ? e.message : fr.errors.unexpected);
    } finally {
      setSaving(false);
    }
  };
  const fresh = candidate !== null && candidate.text === text;

  return (
    <form
      class="rule-editor"
      aria-label={`Modifier ${RULE_NAMES[r.rule]}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (invalid) return;
        // the learned value left as it is stays learned (it follows the pump), anything else is forced
        const same = value === null || (r.source !== "override" && value === r.threshold);
        void save(same ? (r.source === "override" ? r.threshold : null) : value);
      }}
    >
      <div class="field field--check">
        <input
          id={`${id}-on`}
          type="checkbox"
          checked={enabled}
          onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)}
        />
        <label for={`${id}-on`}>Règle active</label>
      </div>
      <Field
        id={`${id}-threshold`}
        label={`Seuil (${unitOf(r.rule)})`}
        value={text}
        onValue={setText}
        inputMode="decimal"
        autoComplete="off"
        error={invalid ? "Saisissez un nombre positif, par exemple 12 ou 3,5." : null}
        hint={
          r.learned_threshold !== null
            ? `Valeur ${r.learning ? "par défaut (apprentissage en cours)" : "apprise"} : ${figure(r.learned_threshold, r.rule)}`
            : undefined
        }
      />
      <p class="backtest" aria-live="polite" data-testid="backtest-sentence">
        {current.error
          ? `Aperçu impossible : ${current.error}`
          : previewError
            ? `Aperçu impossible : ${previewError}`
            : current.data === null || (value !== null && !fresh)
              ? "Calcul de l'aperçu sur les 30 derniers jours…"
              : value === null
                ? ""
                : backtestSentence((candidate as { count: number }).count, current.data.count)}
      </p>
      {current.data?.provisional && (
        <p class="backtest backtest--provisional" data-testid="backtest-provisional">
          {fr.refreshing.backtest}
        </p>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      <div class="card__actions">
        <button type="submit" class="button button--primary button--small" disabled={saving || invalid}>
          {saving ? fr.common.saving : fr.common.save}
        </button>
        {r.source === "override" && (
          <button
            type="button"
            class="button button--small"
            disabled={saving}
            onClick={() => void save(null)}
          >
            Revenir au seuil appris
          </button>
        )}
        <button type="button" class="button button--ghost button--small" onClick={props.onCancel}>
          {fr.common.cancel}
        </button>
      </div>
    </form>
  );
}

function MaintenanceForm(props: {
  deviceId: string;
  channelName: (ch: number) => string;
  onCreated: (w: MaintenanceWindow) => void;
}) {
  const tz = site.value.time_zone;
  const now = Date.now();
  const [channel, setChannel] = useState("");
  const [starts, setStarts] = useState(isoToSiteTime(now - (now % 60_000), tz));
  const [ends, setEnds] = useState(isoToSiteTime(now - (now % 60_000) + 2 * 3_600_000, tz));
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="form-grid"
      aria-label="Planifier une maintenance"
      onSubmit={async (e) => {
        e.preventDefault();
        const startsAt = siteTimeToIso(starts, tz);
        const endsAt = siteTimeToIso(ends, tz);
        const problems: Record<string, string> = {};
        if (!startsAt) problems.starts_at = "Indiquez le début (date et heure).";
        if (!endsAt) problems.ends_at = "Indiquez la fin (date et heure).";
        else if (startsAt && endsAt <= startsAt) problems.ends_at = "La fin doit suivre le début.";
        setErrors(problems);
        if (Object.keys(problems).length > 0) return;
        setBusy(true);
        try {
          props.onCreated(
            await post<MaintenanceWindow>(`/api/alerts/maintenance/${encodeURIComponent(props.deviceId)}`, {
              channel: channel === "" ? null : Number(channel),
              starts_at: startsAt,
              ends_at: endsAt,
              reason: reason.trim() || null,
            }),
          );
          setReason("");
        } catch (err) {
          const field = err instanceof ApiError && err.field ? err.field : "form";
          setErrors({ [field]: errorText(err) });
        } finally {
          setBusy(false);
        }
      }}
    >
      <SelectField
        id="mw-channel"
        label="Ce qui est en maintenance"
        value={channel}
        onValue={setChannel}
        options={[
          { value: "", label: "Tout le compteur" },
          ...[0, 1, 2, 3].map((ch) => ({ value: String(ch), label: props.channelName(ch) })),
        ]}
        error={errors.channel}
      />
      <Field
        id="mw-starts"
        type="datetime-local"
        label="Début"
        value={starts}
        onValue={setStarts}
        error={errors.starts_at}
        required
      />
      <Field
        id="mw-ends"
        type="datetime-local"
        label="Fin"
        value={ends}
        onValue={setEnds}
        error={errors.ends_at}
        required
      />
      <Field
        id="mw-reason"
        label="Motif"
        value={reason}
        onValue={setReason}
        maxLength={500}
        error={errors.reason}
      />
      {errors.form && <Notice kind="error">{errors.form}</Notice>}
      <div class="card__actions">
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? fr.common.saving : "Planifier la maintenance"}
        </button>
      </div>
    </form>
  );
}

export function AlertRulesPage({ deviceId }: { deviceId: string }) {
  const tz = site.value.time_zone;
  const isAdmin = user.value?.role === "admin";
  const devices = useResource(() => get<Devices>("/api/devices"), "devices");
  const rules = useResource(
    () => get<RuleList>(`/api/alerts/rules/${encodeURIComponent(deviceId)}`),
    deviceId,
  );
  const windows = useResource(
    () => get<MaintenanceList>(`/api/alerts/maintenance/${encodeURIComponent(deviceId)}`),
    deviceId,
  );
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const names = namesOf(devices.data?.devices);
  const deviceName = names.device(deviceId);
  const list = rules.data?.rules ?? [];
  const learning = list.some((r) => r.learning);
  // the two rules of a lift pump whose sump volume is known (issue 17) learn from other data than the rest
  const measured = list.some((r) => r.rule === "pump_wear" || r.rule === "inflow_high");
  const now = Date.now();
  const current = (windows.data?.windows ?? []).filter(
    (w) => Date.parse(w.starts_at) <= now && now < Date.parse(w.ends_at),
  );
  const groups: (number | null)[] = [null, 0, 1, 2, 3];
  const keyOf = (r: RuleSetting) => `${r.rule}|${r.channel ?? "m"}`;

  return (
    <section class="page" aria-labelledby="rules-page-title">
      <p class="breadcrumb">
        <Link href="/alertes">{fr.nav.alerts}</Link> › {fr.nav.alertRules}
      </p>
      <h1 id="rules-page-title">
        {fr.nav.alertRules} — {deviceName}
      </h1>
      <p class="page__intro">
        Chaque règle apprend son seuil du passé de la pompe (14 jours, dès 7 jours d'historique).
        {measured &&
          " «\u00a0Usure de pompe\u00a0» attend 14 jours de débit mesuré depuis la dernière révision ou le dernier changement de la pompe, «\u00a0Arrivée d'eau forte\u00a0» 14 jours d'arrivée d'eau (son seuil est en m³ arrivés en 24\u00a0h)."}
        {isAdmin
          ? " Un administrateur peut désactiver une règle ou forcer son seuil ; la valeur apprise reste affichée à côté."
          : " Seul un administrateur peut les modifier."}
      </p>
      {current.map((w) => (
        <Notice key={w.id} kind="warning">
          <strong>Maintenance en cours</strong> (
          {w.channel === null ? "tout le compteur" : names.channel(deviceId, w.channel)}) jusqu'au{" "}
          {whenOf(w.ends_at, tz)}
          {w.reason ? ` : ${w.reason}` : ""}. Aucune nouvelle alerte ne s'ouvre pendant la maintenance.
        </Notice>
      ))}
      {learning && (
        <Notice kind="info">
          Apprentissage en cours : moins de 7 jours d'historique, les seuils par défaut s'appliquent en
          attendant.
        </Notice>
      )}
      {rules.error && <Notice kind="error">{rules.error}</Notice>}
      {saved && <Notice kind="success">{saved}</Notice>}
      {rules.loading && !rules.data && <p class="muted">{fr.loading}</p>}
      {groups.map((channel) => {
        const own = list.filter((r) => (r.channel ?? null) === channel);
        if (own.length === 0) return null;
        const title = channel === null ? "Tout le compteur" : names.channel(deviceId, channel);
        const headId = `rules-${channel ?? "m"}`;
        return (
          <section key={String(channel)} class="card" aria-labelledby={headId} data-testid="rules-card">
            <h2 id={headId}>
              {title}
              {channel !== null && title !== `switch:${channel}` && (
                <span class="muted"> · switch:{channel}</span>
              )}
            </h2>
            <div class="table-scroll">
              <table class="data-table rules-table">
                <thead>
                  <tr>
                    <th scope="col">Règle</th>
                    <th scope="col">Active</th>
                    <th scope="col">Seuil appliqué</th>
                    <th scope="col">Seuil appris</th>
                    <th scope="col">Source</th>
                    {isAdmin && <th scope="col">{fr.common.actions}</th>}
                  </tr>
                </thead>
                <tbody>
                  {own.map((r) => (
                    <Fragment key={keyOf(r)}>
                      <tr data-testid="rule-row" data-rule={r.rule}>
                        <th scope="row">
                          {RULE_NAMES[r.rule]}
                          <br />
                          <span class={`badge badge--${r.severity}`}>
                            {SEVERITY_NAMES[r.severity] ?? r.severity}
                          </span>
                        </th>
                        <td data-label="Active">{r.enabled ? fr.common.yes : fr.common.no}</td>
                        <td class="nowrap" data-label="Seuil appliqué">
                          {figure(r.threshold, r.rule)}
                        </td>
                        <td class="nowrap" data-label="Seuil appris">
                          {r.source === "override" ? (
                            figure(r.learned_threshold, r.rule)
                          ) : (
                            <span class="muted">{figure(r.learned_threshold, r.rule)}</span>
                          )}
                        </td>
                        <td data-label="Source">
                          {SOURCE_NAMES[r.source] ?? r.source}
                          {r.learning && <span class="badge badge--muted">apprentissage</span>}
                        </td>
                        {isAdmin && (
                          <td class="actions">
                            <button
                              type="button"
                              class="button button--small"
                              aria-expanded={editing === keyOf(r)}
                              aria-label={`Modifier ${RULE_NAMES[r.rule]} (${title})`}
                              onClick={() => {
                                setSaved(null);
                                setEditing(editing === keyOf(r) ? null : keyOf(r));
                              }}
                            >
                              {fr.common.edit}
                            </button>
                          </td>
                        )}
                      </tr>
                      {isAdmin && editing === keyOf(r) && (
                        <tr class="rule-edit-row">
                          <td colSpan={6}>
                            <RuleEditor
                              deviceId={deviceId}
                              rule={r}
                              onCancel={() => setEditing(null)}
                              onSaved={(next) => {
                                rules.setData(next);
                                setEditing(null);
                                setSaved(`${RULE_NAMES[r.rule]} (${title}) : enregistré.`);
                              }}
                            />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        );
      })}
      <section class="card" aria-labelledby="mw-title">
        <h2 id="mw-title">Maintenance</h2>
        <p class="muted">
          Pendant une maintenance, aucune nouvelle alerte ne s'ouvre ; celles déjà ouvertes suivent leur
          cours.
        </p>
        {windows.error && <Notice kind="error">{windows.error}</Notice>}
        {windows.data && windows.data.windows.length === 0 && <p>Aucune maintenance en cours ou prévue.</p>}
        {windows.data && windows.data.windows.length > 0 && (
          <ul class="link-list" data-testid="maintenance-list">
            {windows.data.windows.map((w) => (
              <li key={w.id}>
                {Date.parse(w.starts_at) <= now && now < Date.parse(w.ends_at) ? (
                  <span class="badge badge--warning">en cours</span>
                ) : (
                  <span class="badge badge--muted">prévue</span>
                )}{" "}
                {w.channel === null ? "Tout le compteur" : names.channel(deviceId, w.channel)} : du{" "}
                {whenOf(w.starts_at, tz)} au {whenOf(w.ends_at, tz)}
                {w.reason ? ` — ${w.reason}` : ""}
                {w.created_by ? <span class="muted"> (par {w.created_by})</span> : null}
              </li>
            ))}
          </ul>
        )}
        {isAdmin && (
          <MaintenanceForm
            deviceId={deviceId}
            channelName={(ch) => names.channel(deviceId, ch)}
            onCreated={(w) =>
              windows.setData({
                windows: [...(windows.data?.windows ?? []), w].sort((a, b) =>
                  a.starts_at.localeCompare(b.starts_at),
                ),
              })
            }
          />
        )}
      </section>
    </section>
  );
}
