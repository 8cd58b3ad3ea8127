import { useEffect, useState } from "preact/hooks";
import {
  alertFiltersQuery,
  alertsApiParams,
  MAX_LIMIT,
  PAGE_SIZE,
  readAlertFilters,
} from "../alerts/filters";
import {
  DELIVERY_KINDS,
  dashboardLink,
  figure,
  RULE_IDS,
  RULE_NAMES,
  SEVERITY_NAMES,
  STATE_NAMES,
  whenOf,
} from "../alerts/text";
import { get, post, query } from "../api/client";
import type { Alert, AlertList, Deliveries, Device, Devices } from "../api/types";
import { alertsVersion } from "../components/alert-count";
import { DeviceField, Notice } from "../components/form";
import { Link } from "../components/link";
import { errorText, useResource } from "../components/use-resource";
import { useLive } from "../hooks/use-live";
import { fr } from "../i18n/fr";
import { useLiveTick } from "../state/live";
import { location, setQuery } from "../state/router";
import { site, user } from "../state/session";

export type Names = {
  device: (id: string) => string;
  channel: (id: string, ch: number | null) => string;
};

export function namesOf(devices: Device[] | null | undefined): Names {
  const byId = new Map((devices ?? []).map((d) => [d.device_id, d]));
  return {
    device: (id) => byId.get(id)?.name ?? id,
    channel: (id, ch) =>
      ch === null
        ? "tout le compteur"
        : (byId.get(id)?.channels.find((c) => c.channel === ch)?.name ?? `switch:${ch}`),
  };
}

function AcknowledgeForm(props: { alert: Alert; onDone: (a: Alert) => void; onCancel: () => void }) {
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `ack-${props.alert.id.replace(/[^\w-]/g, "_")}`;
  return (
    <form
      class="ack-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          props.onDone(
            await post<Alert>(`/api/alerts/${encodeURIComponent(props.alert.id)}/acknowledge`, {
              comment: comment.trim(),
            }),
          );
        } catch (err) {
          setError(errorText(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <div class={`field${error ? " field--invalid" : ""}`}>
        <label for={id}>Commentaire (ce qui a été fait, qui s'en occupe)</label>
        <textarea
          id={id}
          rows={2}
          maxLength={2000}
          value={comment}
          onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        {error && (
          <span id={`${id}-error`} class="field__error" role="alert">
            {error}
          </span>
        )}
      </div>
      <div class="card__actions">
        <button type="submit" class="button button--primary button--small" disabled={busy}>
          {busy ? "Acquittement…" : "Confirmer l'acquittement"}
        </button>
        <button type="button" class="button button--ghost button--small" onClick={props.onCancel}>
          {fr.common.cancel}
        </button>
      </div>
    </form>
  );
}

function AlertItem(props: {
  alert: Alert;
  names: Names;
  canAcknowledge: boolean;
  onChange: (a: Alert) => void;
}) {
  const { alert: a, names } = props;
  const tz = site.value.time_zone;
  const [acking, setAcking] = useState(false);
  const channel = a.channel === null ? "tout le compteur" : names.channel(a.device_id, a.channel);
  return (
    <li class={`alert-item alert-item--${a.severity} alert-item--${a.state}`} data-testid="alert-item">
      <div class="alert-item__head">
        <span class={`badge badge--${a.severity}`}>{SEVERITY_NAMES[a.severity] ?? a.severity}</span>
        <h3>{RULE_NAMES[a.rule] ?? a.rule}</h3>
        <span class={`badge badge--state-${a.state}`} data-testid="alert-state">
          {STATE_NAMES[a.state] ?? a.state}
        </span>
      </div>
      <p class="alert-item__where">
        <strong>{names.device(a.device_id)}</strong> · {channel}
      </p>
      <p>
        Depuis le {whenOf(a.started_at, tz)}
        {a.ended_at ? `, jusqu'au ${whenOf(a.ended_at, tz)}` : ", toujours en cours"}
      </p>
      <p>
        Valeur : {figure(a.value, a.rule)}
        {a.threshold !== null && <> · seuil : {figure(a.threshold, a.rule)}</>}
      </p>
      {a.acknowledged_at && (
        <p class="alert-item__ack">
          Acquittée par {a.acknowledged_by || "?"} le {whenOf(a.acknowledged_at, tz)}
          {a.comment ? ` : « ${a.comment} »` : ""}
        </p>
      )}
      {acking ? (
        <AcknowledgeForm
          alert={a}
          onCancel={() => setAcking(false)}
          onDone={(updated) => {
            setAcking(false);
            props.onChange(updated);
          }}
        />
      ) : (
        <div class="card__actions">
          <Link href={dashboardLink(a, Date.now(), tz)} class="button button--small">
            Voir sur le tableau de bord
          </Link>
          <Link
            href={`/alertes/regles/${encodeURIComponent(a.device_id)}`}
            class="button button--small button--ghost"
          >
            Règles de l'appareil
          </Link>
          {props.canAcknowledge && a.state === "open" && (
            <button
              type="button"
              class="button button--primary button--small"
              onClick={() => setAcking(true)}
            >
              Acquitter
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function FailedDeliveries() {
  const tz = site.value.time_zone;
  const failed = useResource(() => get<Deliveries>("/api/alerts/deliveries?state=failed&limit=20"), "failed");
  return (
    <section class="card" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Envois de notifications en échec</h2>
      {failed.error && <Notice kind="error">{failed.error}</Notice>}
      {failed.loading && !failed.data && <p class="muted">{fr.loading}</p>}
      {failed.data && failed.data.deliveries.length === 0 && (
        <p>Aucun envoi en échec : toutes les notifications sont parties.</p>
      )}
      {failed.data && failed.data.deliveries.length > 0 && (
        <div class="table-scroll">
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">Quand</th>
                <th scope="col">Type</th>
                <th scope="col">Destinataire</th>
                <th scope="col">Essais</th>
                <th scope="col">Dernière erreur</th>
              </tr>
            </thead>
            <tbody>
              {failed.data.deliveries.map((d) => (
                <tr key={d.id}>
                  <td class="nowrap">{whenOf(d.updated_at, tz)}</td>
                  <td>{DELIVERY_KINDS[d.kind] ?? d.kind}</td>
                  <td>{d.target}</td>
                  <td>{d.attempts}</td>
                  <td>{d.last_error ?? "-"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {failed.data.total > failed.data.deliveries.length && (
            <p class="muted">
              Les {failed.data.deliveries.length} plus récents sur {failed.data.total}.
            </p>
          )}
        </div>
      )}
    </section>
  );
}

export function AlertsPage() {
  const f = readAlertFilters(location.value.query);
  const me = user.value;
  useEffect(() => useLiveTick(), []);
  const change = (changes: Partial<typeof f>) =>
    setQuery(alertFiltersQuery({ ...f, limit: PAGE_SIZE, ...changes }), { push: true });
  const devices = useResource(() => get<Devices>("/api/devices"), "devices");
  const list = devices.data?.devices ?? [];
  const names = namesOf(list);
  const params = alertsApiParams(f);
  const key = `${JSON.stringify(params)}|${alertsVersion.value}`;
  const alerts = useLive(key, () => get<AlertList>(`/api/alerts${query(params)}`));
  const [edited, setEdited] = useState<Map<string, Alert>>(new Map());
  useEffect(() => setEdited(new Map()), [alerts.data]);
  const shown = (alerts.data?.alerts ?? []).map((a) => edited.get(a.id) ?? a);
  const total = alerts.data?.total ?? 0;
  const filtered = f.state !== "all" || f.device || f.channel || f.rule || f.from || f.to;
  const device = list.find((d) => d.device_id === f.device);

  return (
    <section class="page" aria-labelledby="alerts-title">
      <h1 id="alerts-title">{fr.nav.alerts}</h1>
      <p class="page__intro">
        Ce que les règles ont relevé sur les stations, les plus récentes d'abord. Acquittez une alerte pour
        dire qu'elle est prise en charge ; elle se clôt d'elle-même quand tout redevient normal.
      </p>
      <form class="card filters" onSubmit={(e) => e.preventDefault()} aria-label="Filtres des alertes">
        <div class="field">
          <label for="a-state">État</label>
          <select
            id="a-state"
            value={f.state}
            onChange={(e) => change({ state: (e.target as HTMLSelectElement).value as typeof f.state })}
          >
            <option value="all">Tous les états</option>
            <option value="open">Ouvertes (non acquittées)</option>
            <option value="acknowledged">Acquittées, en cours</option>
            <option value="resolved">Résolues</option>
          </select>
        </div>
        <DeviceField
          id="a-device"
          value={f.device}
          onValue={(v) => change({ device: v, channel: "" })}
          devices={list}
        />
        <div class="field">
          <label for="a-channel">Canal</label>
          <select
            id="a-channel"
            value={f.channel}
            onChange={(e) => change({ channel: (e.target as HTMLSelectElement).value })}
          >
            <option value="">Tous les canaux</option>
            {[0, 1, 2, 3].map((ch) => (
              <option key={ch} value={String(ch)}>
                {device ? names.channel(device.device_id, ch) : `switch:${ch}`}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="a-rule">Règle</label>
          <select
            id="a-rule"
            value={f.rule}
            onChange={(e) => change({ rule: (e.target as HTMLSelectElement).value as typeof f.rule })}
          >
            <option value="">Toutes les règles</option>
            {RULE_IDS.map((r) => (
              <option key={r} value={r}>
                {RULE_NAMES[r]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="a-from">Du</label>
          <input
            id="a-from"
            type="date"
            value={f.from}
            max={f.to || undefined}
            onChange={(e) => change({ from: (e.target as HTMLInputElement).value })}
          />
        </div>
        <div class="field">
          <label for="a-to">Au</label>
          <input
            id="a-to"
            type="date"
            value={f.to}
            min={f.from || undefined}
            onChange={(e) => change({ to: (e.target as HTMLInputElement).value })}
          />
        </div>
        {filtered && (
          <button
            type="button"
            class="button button--ghost button--small filters__reset"
            onClick={() =>
              setQuery(alertFiltersQuery(readAlertFilters(new URLSearchParams())), { push: true })
            }
          >
            Effacer les filtres
          </button>
        )}
      </form>
      {alerts.error && <Notice kind="error">{alerts.error} La page réessaie toute seule.</Notice>}
      <p class="dash-status" aria-live="polite" data-testid="alerts-total">
        {alerts.data === null
          ? fr.loading
          : total === 0
            ? ""
            : `${total} alerte${total > 1 ? "s" : ""}${shown.length < total ? `, les ${shown.length} plus récentes affichées` : ""}`}
      </p>
      {alerts.data && shown.length === 0 && (
        <Notice kind="info">
          {filtered
            ? "Aucune alerte pour ces filtres."
            : "Aucune alerte : les règles n'ont rien relevé sur les stations."}
        </Notice>
      )}
      {shown.length > 0 && (
        <ul class="alert-list">
          {shown.map((a) => (
            <AlertItem
              key={a.id}
              alert={a}
              names={names}
              canAcknowledge={!!me && me.role !== "viewer"}
              onChange={(updated) => {
                setEdited(new Map(edited).set(updated.id, updated));
                alertsVersion.value += 1;
              }}
            />
          ))}
        </ul>
      )}
      {shown.length < total && f.limit < MAX_LIMIT && (
        <nav class="pager" aria-label="Suite de la liste">
          <button
            type="button"
            class="button"
            onClick={() => change({ limit: Math.min(MAX_LIMIT, f.limit + PAGE_SIZE) })}
          >
            Afficher {Math.min(PAGE_SIZE, total - shown.length)} de plus
          </button>
        </nav>
      )}
      <section class="card" aria-labelledby="rules-title">
        <h2 id="rules-title">Règles et seuils par appareil</h2>
        {list.length === 0 ? (
          <p class="muted">Aucun appareil n'a encore envoyé de relevé.</p>
        ) : (
          <ul class="link-list">
            {list.map((d) => (
              <li key={d.device_id}>
                <Link href={`/alertes/regles/${encodeURIComponent(d.device_id)}`}>{d.name}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      {me?.role === "admin" && <FailedDeliveries />}
    </section>
  );
}
