import { useState } from "preact/hooks";
import { get, post, query } from "../api/client";
import type { Devices, Journal, JournalLine } from "../api/types";
import { Notice, SelectField } from "../components/form";
import { errorText, useResource } from "../components/use-resource";
import { dateTimeOf, isoDateIn } from "../i18n/format";
import { addDays } from "../state/filters";
import { site, user } from "../state/session";

export const KIND_LABELS: Record<string, string> = {
  intervention: "Intervention",
  pump_overhaul: "Révision de pompe",
  pump_replaced: "Remplacement de pompe",
  cleaning: "Nettoyage",
  visit: "Visite",
  observation: "Observation",
  alert_opened: "Alerte ouverte",
  alert_closed: "Alerte close",
  configuration: "Configuration",
  meter_silence: "Silence du compteur",
  import: "Import d'historique",
};
const WRITTEN = ["intervention", "pump_overhaul", "pump_replaced", "cleaning", "visit", "observation"];

/** "2026-03-10T09:40" typed in the browser → an ISO instant with its offset (the browser's own clock). */
function instantOf(local: string): string {
  return new Date(local).toISOString();
}

function EntryForm(props: { deviceId: string; onSaved: () => void }) {
  const [at, setAt] = useState(() =>
    new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16),
  );
  const [kind, setKind] = useState("intervention");
  const [channel, setChannel] = useState("");
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  return (
    <form
      class="card"
      aria-labelledby="j-new-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setMessage(null);
        try {
          await post<JournalLine>("/api/journal", {
            device_id: props.deviceId,
            channel: channel === "" ? null : Number(channel),
            at: instantOf(at),
            kind,
            text,
          });
          setText("");
          setMessage({ kind: "success", text: "Entrée ajoutée au journal." });
          props.onSaved();
        } catch (err) {
          setMessage({ kind: "error", text: errorText(err) });
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="j-new-title">Nouvelle entrée</h2>
      <div class="filters">
        <div class="field">
          <label for="j-at">Date et heure</label>
          <input
            id="j-at"
            type="datetime-local"
            value={at}
            onChange={(e) => setAt((e.target as HTMLInputElement).value)}
          />
        </div>
        <SelectField
          id="j-kind"
          label="Nature"
          value={kind}
          onValue={setKind}
          options={WRITTEN.map((k) => ({ value: k, label: KIND_LABELS[k] ?? k }))}
        />
        <SelectField
          id="j-channel"
          label="Voie"
          value={channel}
          onValue={setChannel}
          options={[
            { value: "", label: "Le compteur entier" },
            ...[0, 1, 2, 3].map((c) => ({ value: String(c), label: `Voie ${c}` })),
          ]}
        />
      </div>
      <div class="field">
        <label for="j-text">Texte</label>
        <textarea
          id="j-text"
          rows={3}
          maxLength={4000}
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      <div class="card__actions">
        <button type="submit" class="button button--primary" disabled={busy}>
          Ajouter au journal
        </button>
      </div>
    </form>
  );
}

export function JournalPage() {
  const tz = site.value.time_zone;
  const today = isoDateIn(Date.now(), tz);
  const devices = useResource(() => get<Devices>("/api/devices"), "devices");
  const list = devices.data?.devices ?? [];
  const [deviceId, setDeviceId] = useState("");
  const [from, setFrom] = useState(() => addDays(today, -30));
  const [to, setTo] = useState(today);
  const [show, setShow] = useState<"all" | "written" | "automatic">("all");
  const chosen = deviceId || list[0]?.device_id || "";
  const key = `${chosen}|${from}|${to}`;
  const journal = useResource(
    () =>
      chosen === ""
        ? Promise.resolve({ entries: [] })
        : get<Journal>(`/api/journal${query({ device_id: chosen, from, to })}`),
    key,
  );
  const role = user.value?.role;
  // operators arrive with issue 18 (sites and access); the service decides in the end (403 for a viewer)
  const writes = ["admin", "operator"].includes(role ?? "");
  const entries = (journal.data?.entries ?? []).filter((e) =>
    show === "all" ? true : show === "written" ? !e.automatic : e.automatic,
  );
  return (
    <div class="page">
      <h1>Journal d'exploitation</h1>
      <p class="muted">
        Les interventions écrites par les exploitants et, à côté, ce qui s'est passé tout seul (alertes,
        configurations, silences du compteur, imports). Heures du site ({tz}).
      </p>
      {devices.error && <Notice kind="error">{devices.error}</Notice>}
      <form class="card filters" aria-label="Filtres du journal" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          id="j-device"
          label="Compteur"
          value={chosen}
          onValue={setDeviceId}
          options={list.map((d) => ({ value: d.device_id, label: d.name }))}
        />
        <div class="field">
          <label for="j-from">Du</label>
          <input
            id="j-from"
            type="date"
            value={from}
            onChange={(e) => setFrom((e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="j-to">Au</label>
          <input
            id="j-to"
            type="date"
            value={to}
            onChange={(e) => setTo((e.target as HTMLInputElement).value)}
          />
        </div>
        <SelectField
          id="j-show"
          label="Afficher"
          value={show}
          onValue={(v) => setShow(v === "written" ? "written" : v === "automatic" ? "automatic" : "all")}
          options={[
            { value: "all", label: "Tout" },
            { value: "written", label: "Entrées écrites" },
            { value: "automatic", label: "Événements automatiques" },
          ]}
        />
      </form>
      {writes && chosen !== "" && <EntryForm deviceId={chosen} onSaved={() => void journal.reload()} />}
      {journal.error && <Notice kind="error">{journal.error}</Notice>}
      <section class="card" aria-labelledby="j-list-title">
        <h2 id="j-list-title">Entrées</h2>
        {entries.length === 0 ? (
          <p class="muted">Aucune entrée sur la période.</p>
        ) : (
          <div class="table-scroll">
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Nature</th>
                  <th scope="col">Voie</th>
                  <th scope="col">Texte</th>
                  <th scope="col">Auteur</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id} class={e.automatic ? "journal-entry--automatic" : undefined}>
                    <td>{dateTimeOf(e.at, tz)}</td>
                    <td>{KIND_LABELS[e.kind] ?? e.kind}</td>
                    <td>{e.channel === null ? "—" : e.channel}</td>
                    <td>{e.text}</td>
                    <td>{e.author ?? "automatique"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
