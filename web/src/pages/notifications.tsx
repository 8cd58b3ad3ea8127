import { useEffect, useState } from "preact/hooks";
import { ApiError, get, put } from "../api/client";
import type { Devices, NotificationSettings, Webhook } from "../api/types";
import { CheckField, Field, Notice } from "../components/form";
import { errorText, useResource } from "../components/use-resource";
import { fr } from "../i18n/fr";
import { user } from "../state/session";

function MySettings() {
  const devices = useResource(() => get<Devices>("/api/devices"), "devices");
  const data = useResource(() => get<NotificationSettings>("/api/alerts/notifications/me"), "me");
  const [form, setForm] = useState<NotificationSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  useEffect(() => setForm(data.data ?? null), [data.data]);
  const list = devices.data?.devices ?? [];

  if (data.error) return <Notice kind="error">{data.error}</Notice>;
  if (data.loading && !data.data) return <p class="muted">{fr.loading}</p>;
  if (!form) return null;
  const set = (changes: Partial<NotificationSettings>) => {
    setMessage(null);
    setForm({ ...form, ...changes });
  };
  const toggle = <T,>(xs: T[], x: T, on: boolean) =>
    on ? [...new Set([...xs, x])] : xs.filter((y) => y !== x);
  const nothing = form.severities.length === 0 || (form.device_ids !== null && form.device_ids.length === 0);

  return (
    <form
      class="card"
      aria-labelledby="me-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setMessage(null);
        try {
          const { email: _email, ...body } = form;
          const saved = await put<NotificationSettings>("/api/alerts/notifications/me", body);
          data.setData(saved);
          setMessage({ kind: "success", text: "Vos préférences de notification sont enregistrées." });
        } catch (err) {
          setMessage({ kind: "error", text: errorText(err) });
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="me-title">Par e-mail</h2>
      <CheckField
        id="n-email"
        label={`Recevoir les alertes par e-mail à ${form.email}`}
        checked={form.email_enabled}
        onChange={(v) => set({ email_enabled: v })}
      />
      <CheckField
        id="n-digest"
        label="Recevoir un résumé quotidien des alertes (un e-mail par jour)"
        checked={form.digest}
        onChange={(v) => set({ digest: v })}
      />
      <fieldset class="choices">
        <legend>Gravités qui me concernent</legend>
        <CheckField
          id="n-critical"
          label="Critiques (pompe arrêtée, marche à sec, compteur hors ligne…)"
          checked={form.severities.includes("critical")}
          onChange={(v) => set({ severities: toggle(form.severities, "critical", v) })}
        />
        <CheckField
          id="n-warning"
          label="Avertissements (surcharge, cycles courts, tension)"
          checked={form.severities.includes("warning")}
          onChange={(v) => set({ severities: toggle(form.severities, "warning", v) })}
        />
      </fieldset>
      <fieldset class="choices">
        <legend>Sites qui me concernent</legend>
        <CheckField
          id="n-all"
          label="Tous les sites, y compris ceux ajoutés plus tard"
          checked={form.device_ids === null}
          onChange={(v) => set({ device_ids: v ? null : list.map((d) => d.device_id) })}
        />
        {list.map((d) => (
          <CheckField
            key={d.device_id}
            id={`n-site-${d.device_id}`}
            label={d.name}
            disabled={form.device_ids === null}
            checked={form.device_ids === null || form.device_ids.includes(d.device_id)}
            onChange={(v) => set({ device_ids: toggle(form.device_ids ?? [], d.device_id, v) })}
          />
        ))}
      </fieldset>
      {nothing && <Notice kind="warning">Avec ces choix, aucune alerte ne vous sera envoyée.</Notice>}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <div class="card__actions">
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? fr.common.saving : fr.common.save}
        </button>
      </div>
    </form>
  );
}

function WebhookCard() {
  const data = useResource(() => get<Webhook>("/api/alerts/webhook"), "webhook");
  const [url, setUrl] = useState("");
  const [enabled, setEnabled] = useState(false);
  const [secret, setSecret] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!data.data) return;
    setUrl(data.data.url ?? "");
    setEnabled(data.data.enabled);
  }, [data.data]);

  return (
    <section class="card" aria-labelledby="webhook-title">
      <h2 id="webhook-title">Webhook (administrateur)</h2>
      <p class="muted">
        Chaque alerte qui s'ouvre est aussi envoyée en JSON à cette adresse, signée (en-tête
        X-Pumpwatch-Signature, HMAC-SHA256 du corps avec le secret).
      </p>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      {data.loading && !data.data && <p class="muted">{fr.loading}</p>}
      {data.data && (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const trimmed = url.trim();
            if (enabled && !trimmed) {
              setErrors({ url: "Indiquez l'adresse du webhook pour l'activer." });
              return;
            }
            setErrors({});
            setBusy(true);
            setMessage(null);
            try {
              const saved = await put<Webhook>("/api/alerts/webhook", {
                url: trimmed || null,
                enabled,
                ...(secret ? { secret } : {}),
              });
              data.setData(saved);
              setSecret("");
              setMessage({ kind: "success", text: "Webhook enregistré." });
            } catch (err) {
              if (err instanceof ApiError && err.field) setErrors({ [err.field]: err.message });
              else setMessage({ kind: "error", text: errorText(err) });
            } finally {
              setBusy(false);
            }
          }}
        >
          <Field
            id="wh-url"
            type="url"
            label="Adresse (https://…)"
            value={url}
            onValue={setUrl}
            error={errors.url}
            autoComplete="off"
          />
          <Field
            id="wh-secret"
            type="password"
            label="Secret de signature"
            value={secret}
            onValue={setSecret}
            error={errors.secret}
            autoComplete="new-password"
            hint={
              data.data.secret_set
                ? "Un secret est enregistré : laissez vide pour le garder."
                : "Aucun secret enregistré."
            }
          />
          <CheckField
            id="wh-enabled"
            label="Envoyer les alertes à ce webhook"
            checked={enabled}
            onChange={setEnabled}
          />
          {message && <Notice kind={message.kind}>{message.text}</Notice>}
          <div class="card__actions">
            <button type="submit" class="button button--primary" disabled={busy}>
              {busy ? fr.common.saving : fr.common.save}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

export function NotificationsPage() {
  const me = user.value;
  return (
    <section class="page page--narrow" aria-labelledby="notif-title">
      <h1 id="notif-title">{fr.nav.notifications}</h1>
      <p class="page__intro">
        Choisissez les alertes qui vous sont envoyées : par gravité, par site, au fil de l'eau ou en un résumé
        quotidien. Toutes restent visibles sur la page des alertes.
      </p>
      {me ? <MySettings /> : <Notice kind="info">Connectez-vous pour choisir vos notifications.</Notice>}
      {me?.role === "admin" && <WebhookCard />}
    </section>
  );
}
