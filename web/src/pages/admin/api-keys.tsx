import { useState } from "preact/hooks";
import { del, get, post } from "../../api/client";
import type { ApiKeys, CreatedApiKey } from "../../api/types";
import { ConfirmButton } from "../../components/confirm";
import { EmptyRow, Field, FormActions, Notice, SecretValue } from "../../components/form";
import { DataTable } from "../../components/table";
import { errorText, useResource } from "../../components/use-resource";
import { dateTimeOf } from "../../i18n/format";
import { fr } from "../../i18n/fr";
import { site } from "../../state/session";

export function ApiKeysPage() {
  const list = useResource(() => get<ApiKeys>("/api/admin/api-keys"), "keys");
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [copied, setCopied] = useState(false);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const tz = site.value.time_zone;

  async function create(event: Event) {
    event.preventDefault();
    setMessage(null);
    if (!name.trim() || name.trim().length > 100) {
      setNameError("Nom de la clé requis (100 caractères au plus), par exemple « collecteur site A ».");
      document.getElementById("key-name")?.focus();
      return;
    }
    setNameError(null);
    try {
      setCreated(await post<CreatedApiKey>("/api/admin/api-keys", { name: name.trim() }));
      setCopied(false);
      setName("");
      void list.reload();
    } catch (e) {
      setNameError(errorText(e));
    }
  }

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      // Without clipboard access (plain http on another host), the key stays selectable on screen.
      (document.getElementById("created-key") as HTMLInputElement | null)?.select();
    }
  }

  async function revoke(id: number, keyName: string) {
    setConfirming(null);
    try {
      await del(`/api/admin/api-keys/${id}`);
      setMessage({ kind: "success", text: `Clé « ${keyName} » révoquée : elle est refusée dès maintenant.` });
      void list.reload();
    } catch (e) {
      setMessage({ kind: "error", text: errorText(e) });
    }
  }

  return (
    <section class="page" aria-labelledby="keys-title">
      <h1 id="keys-title">{fr.nav.apiKeys}</h1>
      <p class="page__intro">
        Une clé autorise un collecteur (consommateur de la file Cloudflare, script Shelly) à envoyer des
        relevés à<code> POST /api/ingest/batch</code>. Elle n'ouvre ni le tableau de bord ni l'administration.
      </p>
      <form class="card" onSubmit={create} noValidate>
        <h2>Créer une clé</h2>
        <Field
          id="key-name"
          label="Nom de la clé"
          placeholder="Ex. : collecteur site A"
          value={name}
          onValue={setName}
          error={nameError}
          maxLength={100}
        />
        <FormActions submit="Créer la clé" />
      </form>
      {created && (
        <div class="card card--secret" role="status" data-testid="created-key">
          <h2>Clé « {created.name} » créée</h2>
          <p>
            <strong>Copiez-la maintenant : elle ne sera plus jamais affichée.</strong> Envoyez-la dans
            l'en-tête
            <code> X-Api-Key</code> (ou <code>Authorization: Bearer …</code>).
          </p>
          <SecretValue
            id="created-key"
            label="Clé secrète"
            value={created.key}
            copied={copied}
            onCopy={() => void copy(created.key)}
          />
          <pre class="code">{`X-Api-Key: ${created.key}`}</pre>
          <button type="button" class="button button--ghost" onClick={() => setCreated(null)}>
            J'ai copié la clé
          </button>
        </div>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {list.error && <Notice kind="error">{list.error}</Notice>}
      <div class="card">
        <h2>Clés existantes</h2>
        <DataTable columns={["Nom", "Créée", "Dernière utilisation", "État", fr.common.actions]}>
          {list.data?.api_keys.length === 0 && (
            <EmptyRow colSpan={5}>
              Aucune clé. La clé d'amorçage INGEST_API_KEY, si elle est définie, n'apparaît pas ici.
            </EmptyRow>
          )}
          {list.data?.api_keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>
                {dateTimeOf(k.created_at, tz)}
                {k.created_by ? <span class="muted"> · {k.created_by}</span> : null}
              </td>
              <td>{k.last_used_at ? dateTimeOf(k.last_used_at, tz) : "jamais"}</td>
              <td>
                {k.revoked_at ? (
                  <span class="badge badge--muted">Révoquée le {dateTimeOf(k.revoked_at, tz)}</span>
                ) : (
                  <span class="badge badge--ok">Active</span>
                )}
              </td>
              <td class="actions">
                {!k.revoked_at && (
                  <ConfirmButton
                    asking={confirming === k.id}
                    onAsk={() => setConfirming(k.id)}
                    question="Révoquer ? Les envois avec cette clé seront refusés."
                    confirmLabel="Révoquer"
                    onConfirm={() => void revoke(k.id, k.name)}
                    onCancel={() => setConfirming(null)}
                  >
                    Révoquer<span class="visually-hidden"> {k.name}</span>
                  </ConfirmButton>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </div>
    </section>
  );
}
