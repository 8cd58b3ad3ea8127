import { useState } from "preact/hooks";
import { del, get, post, put, query } from "../api/client";
import type { Journal, JournalLine } from "../api/types";
import { InlineConfirm } from "../components/confirm";
import { Notice, SelectField } from "../components/form";
import { TargetFilters, useTargets } from "../components/target-field";
import { errorText, useResource } from "../components/use-resource";
import { dateTimeOf, isoDateIn } from "../i18n/format";
import { fr } from "../i18n/fr";
import { addDays } from "../state/filters";
import { site, user } from "../state/session";

const t = fr.journal;
const WRITTEN = ["intervention", "pump_overhaul", "pump_replaced", "cleaning", "visit", "observation"];
const kindLabel = (kind: string) => t.kinds[kind] ?? kind;

/** "2026-03-10T09:40" typed in the browser → an ISO instant with its offset (the browser's own clock). */
function instantOf(local: string): string {
  return new Date(local).toISOString();
}

/** An instant as a datetime-local field shows it: the browser's clock, as the field is typed in. */
function localOf(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** The form of a new entry, or of the entry being edited (`entry`): same fields, PUT instead of POST. */
function EntryForm(props: {
  meters: { device_id: string; name: string }[];
  entry?: JournalLine;
  onSaved: (message: string) => void;
  onCancel?: () => void;
}) {
  const { entry } = props;
  const [at, setAt] = useState(() => localOf(entry ? Date.parse(entry.at) : Date.now()));
  const [kind, setKind] = useState<string>(entry?.kind ?? "intervention");
  const [deviceId, setDeviceId] = useState(entry?.device_id ?? "");
  const [channel, setChannel] = useState(entry?.channel == null ? "" : String(entry.channel));
  const [text, setText] = useState(entry?.text ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const meter = deviceId || props.meters[0]?.device_id || "";
  const titleId = entry ? "j-edit-title" : "j-new-title";
  const id = (name: string) => (entry ? `j-edit-${name}` : `j-${name}`);
  return (
    <form
      class="card"
      aria-labelledby={titleId}
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        const fields = { channel: channel === "" ? null : Number(channel), at: instantOf(at), kind, text };
        try {
          if (entry) await put<JournalLine>(`/api/journal/${encodeURIComponent(entry.id)}`, fields);
          else await post<JournalLine>("/api/journal", { device_id: meter, ...fields });
          if (!entry) setText("");
          props.onSaved(entry ? t.saved : t.added);
        } catch (err) {
          setError(errorText(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id={titleId}>{entry ? t.editEntry : t.newEntry}</h2>
      <div class="filters">
        <div class="field">
          <label for={id("at")}>{t.at}</label>
          <input
            id={id("at")}
            type="datetime-local"
            value={at}
            onChange={(e) => setAt((e.target as HTMLInputElement).value)}
          />
        </div>
        <SelectField
          id={id("kind")}
          label={t.kind}
          value={kind}
          onValue={setKind}
          options={WRITTEN.map((k) => ({ value: k, label: kindLabel(k) }))}
        />
        {!entry && props.meters.length > 1 && (
          <SelectField
            id={id("meter")}
            label={t.meter}
            value={meter}
            onValue={setDeviceId}
            options={props.meters.map((m) => ({ value: m.device_id, label: m.name }))}
          />
        )}
        <SelectField
          id={id("channel")}
          label={t.channel}
          value={channel}
          onValue={setChannel}
          options={[
            { value: "", label: t.wholeMeter },
            ...[0, 1, 2, 3].map((c) => ({ value: String(c), label: t.channelN(c) })),
          ]}
        />
      </div>
      <div class="field">
        <label for={id("text")}>{t.text}</label>
        <textarea
          id={id("text")}
          rows={3}
          maxLength={4000}
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      <div class="card__actions">
        <button type="submit" class="button button--primary" disabled={busy}>
          {entry ? fr.common.save : t.add}
        </button>
        {props.onCancel && (
          <button type="button" class="button" onClick={props.onCancel}>
            {fr.common.cancel}
          </button>
        )}
      </div>
    </form>
  );
}

export function JournalPage() {
  const [target, setTarget] = useState("");
  const targets = useTargets(target);
  const chosen = targets.chosen;
  const tz = chosen?.timeZone ?? site.value.time_zone;
  const today = isoDateIn(Date.now(), tz);
  const [from, setFrom] = useState(() => addDays(today, -30));
  const [to, setTo] = useState(today);
  const [show, setShow] = useState<"all" | "written" | "automatic">("all");
  const [editing, setEditing] = useState<JournalLine | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const key = `${chosen?.value ?? ""}|${from}|${to}`;
  const journal = useResource(
    () =>
      chosen === null
        ? Promise.resolve({ entries: [] })
        : get<Journal>(`/api/journal${query({ ...chosen.params, from, to })}`),
    key,
  );
  const me = user.value;
  // the service decides in the end (403 for a viewer, or for an entry of someone else)
  const writes = me?.role === "admin" || (me?.role as string | undefined) === "operator";
  const mayChange = (e: JournalLine) =>
    !e.automatic && writes && (me?.role === "admin" || e.author === me?.email);
  const meterName = new Map(targets.devices.map((d) => [d.device_id, d.name]));
  const several = (chosen?.meters.length ?? 0) > 1;
  const entries = (journal.data?.entries ?? []).filter((e) =>
    show === "all" ? true : show === "written" ? !e.automatic : e.automatic,
  );
  const saved = (text: string) => {
    setEditing(null);
    setMessage({ kind: "success", text });
    void journal.reload();
  };
  async function remove(e: JournalLine) {
    setConfirming(null);
    try {
      await del(`/api/journal/${encodeURIComponent(e.id)}`);
      saved(t.deleted);
    } catch (err) {
      setMessage({ kind: "error", text: errorText(err) });
    }
  }
  return (
    <div class="page">
      <h1>{t.title}</h1>
      <p class="muted">{t.intro(tz)}</p>
      <TargetFilters label={t.filters} id="j-target" state={targets} onTarget={setTarget}>
        <div class="field">
          <label for="j-from">{t.from}</label>
          <input
            id="j-from"
            type="date"
            value={from}
            onChange={(e) => setFrom((e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="j-to">{t.to}</label>
          <input
            id="j-to"
            type="date"
            value={to}
            onChange={(e) => setTo((e.target as HTMLInputElement).value)}
          />
        </div>
        <SelectField
          id="j-show"
          label={t.show}
          value={show}
          onValue={(v) => setShow(v === "written" ? "written" : v === "automatic" ? "automatic" : "all")}
          options={[
            { value: "all", label: t.showAll },
            { value: "written", label: t.showWritten },
            { value: "automatic", label: t.showAutomatic },
          ]}
        />
      </TargetFilters>
      {writes && chosen !== null && editing === null && (
        <EntryForm key={chosen.value} meters={chosen.meters} onSaved={saved} />
      )}
      {editing && (
        <EntryForm
          key={editing.id}
          meters={chosen?.meters ?? []}
          entry={editing}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {journal.error && <Notice kind="error">{journal.error}</Notice>}
      <section class="card" aria-labelledby="j-list-title">
        <h2 id="j-list-title">{t.entries}</h2>
        {entries.length === 0 ? (
          <p class="muted">{t.empty}</p>
        ) : (
          <div class="table-scroll">
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">{t.date}</th>
                  <th scope="col">{t.kind}</th>
                  {several && <th scope="col">{t.meter}</th>}
                  <th scope="col">{t.channel}</th>
                  <th scope="col">{t.text}</th>
                  <th scope="col">{t.author}</th>
                  {writes && <th scope="col">{fr.common.actions}</th>}
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id} class={e.automatic ? "journal-entry--automatic" : undefined}>
                    <td>{dateTimeOf(e.at, tz)}</td>
                    <td>{kindLabel(e.kind)}</td>
                    {several && <td>{meterName.get(e.device_id) ?? e.device_id}</td>}
                    <td>{e.channel === null ? t.noChannel : e.channel}</td>
                    <td>{e.text}</td>
                    <td>{e.author ?? t.automatic}</td>
                    {writes && (
                      <td class="actions">
                        {mayChange(e) &&
                          (confirming === e.id ? (
                            <InlineConfirm
                              question={t.deleteQuestion}
                              confirmLabel={fr.common.delete}
                              onConfirm={() => void remove(e)}
                              onCancel={() => setConfirming(null)}
                            />
                          ) : (
                            <>
                              <button
                                type="button"
                                class="button button--small"
                                aria-label={t.editOf(dateTimeOf(e.at, tz))}
                                onClick={() => {
                                  setMessage(null);
                                  setEditing(e);
                                }}
                              >
                                {fr.common.edit}
                              </button>
                              <button
                                type="button"
                                class="button button--small button--danger"
                                aria-label={t.deleteOf(dateTimeOf(e.at, tz))}
                                onClick={() => setConfirming(e.id)}
                              >
                                {fr.common.delete}
                              </button>
                            </>
                          ))}
                      </td>
                    )}
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
