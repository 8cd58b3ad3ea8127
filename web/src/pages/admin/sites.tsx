import { useState } from "preact/hooks";
import { ApiError, del, get, post, put } from "../../api/client";
import type { Devices, SiteRow, Sites } from "../../api/types";
import { ConfirmButton } from "../../components/confirm";
import { EmptyRow, Field, FormActions, fieldsOf, Notice, SelectField } from "../../components/form";
import { DataTable } from "../../components/table";
import { errorText, useResource } from "../../components/use-resource";
import { frenchNumber } from "../../i18n/format";
import { fr } from "../../i18n/fr";
import { SiteSharing } from "./share-links";
import { draftOfSite, EMPTY_SITE, SITE_FIELD_OF, type SiteDraft, siteBody } from "./site-form";

/** Zones offered as you type (any IANA name is accepted): FiltrePlante's countries first. */
const ZONES = [
  "Africa/Dakar",
  "Europe/Paris",
  "UTC",
  "Africa/Abidjan",
  "Africa/Bamako",
  "Africa/Casablanca",
  "Indian/Reunion",
  "America/Martinique",
];

/** Where each meter is: one select per meter, sent with its own button (a move is an act with a date). */
function Placement({
  sites,
  devices,
  onPlaced,
}: {
  sites: SiteRow[];
  devices: Devices["devices"];
  onPlaced: (text: string, kind: "success" | "error") => void;
}) {
  const current = new Map<string, string>();
  for (const s of sites) for (const d of s.device_ids) current.set(d, String(s.id));
  // Kept across the reload that follows a placement (no remount): a choice made on the next meter while the
  // list reloads stays chosen. A placed meter's choice then equals its site, and its button goes quiet.
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const options = [
    { value: "", label: fr.sites.noSite },
    ...sites.map((s) => ({ value: String(s.id), label: `${s.name} (${s.time_zone})` })),
  ];

  async function place(deviceId: string, name: string) {
    const value = chosen[deviceId] ?? current.get(deviceId) ?? "";
    try {
      await put(`/api/admin/devices/${encodeURIComponent(deviceId)}/site`, {
        site_id: value === "" ? null : Number(value),
      });
      const siteName = sites.find((s) => String(s.id) === value)?.name ?? null;
      onPlaced(fr.sites.placed(name, siteName), "success");
    } catch (e) {
      onPlaced(errorText(e), "error");
    }
  }

  return (
    <div class="card">
      <h2 id="placement-title">{fr.sites.placement}</h2>
      <p class="muted">{fr.sites.placementIntro}</p>
      {devices.length === 0 ? (
        <p>{fr.sites.noDevice}</p>
      ) : (
        <DataTable
          labelledBy="placement-title"
          class="placement-table"
          columns={[fr.sites.meter, fr.sites.site, fr.common.actions]}
        >
          {devices.map((d) => {
            const value = chosen[d.device_id] ?? current.get(d.device_id) ?? "";
            const changed = value !== (current.get(d.device_id) ?? "");
            return (
              <tr key={d.device_id}>
                <td>
                  {d.name}
                  {d.name !== d.device_id && <span class="muted"> · {d.device_id}</span>}
                </td>
                <td>
                  <SelectField
                    id={`place-${d.device_id}`}
                    label={<span class="visually-hidden">Site de {d.name}</span>}
                    value={value}
                    onValue={(v) => setChosen((c) => ({ ...c, [d.device_id]: v }))}
                    options={options}
                  />
                </td>
                <td class="actions">
                  <button
                    type="button"
                    class={`button button--small${changed ? " button--primary" : ""}`}
                    disabled={!changed}
                    onClick={() => void place(d.device_id, d.name)}
                  >
                    {fr.sites.place}
                    <span class="visually-hidden"> {d.name}</span>
                  </button>
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </div>
  );
}

export function SitesPage() {
  const sites = useResource(() => get<Sites>("/api/sites"), "sites");
  const devices = useResource(() => get<Devices>("/api/devices"), "devices");
  const [editing, setEditing] = useState<SiteRow | null>(null);
  const [draft, setDraft] = useState<SiteDraft>(EMPTY_SITE);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [sharing, setSharing] = useState<number | null>(null);
  const nameOf = new Map((devices.data?.devices ?? []).map((d) => [d.device_id, d.name]));
  const field = fieldsOf("site", draft, errors, setDraft);

  function startEdit(s: SiteRow) {
    setEditing(s);
    setDraft(draftOfSite(s));
    setErrors({});
    setMessage(null);
    document.getElementById("site-name")?.focus();
  }

  function reset() {
    setEditing(null);
    setDraft(EMPTY_SITE);
    setErrors({});
  }

  async function submit(event: Event) {
    event.preventDefault();
    setMessage(null);
    const { body, errors: found } = siteBody(draft);
    setErrors(found);
    if (!body) {
      document.getElementById(`site-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    try {
      if (editing) await put(`/api/admin/sites/${editing.id}`, body);
      else await post("/api/admin/sites", body);
      setMessage({
        kind: "success",
        text: editing ? fr.sites.changed(body.name) : fr.sites.created(body.name),
      });
      reset();
      void sites.reload();
    } catch (e) {
      const key = e instanceof ApiError && e.field ? SITE_FIELD_OF[e.field] : undefined;
      if (key) setErrors({ [key]: errorText(e) });
      else setMessage({ kind: "error", text: errorText(e) });
    }
  }

  async function remove(s: SiteRow) {
    setConfirming(null);
    setMessage(null);
    try {
      await del(`/api/admin/sites/${s.id}`);
      setMessage({ kind: "success", text: fr.sites.deleted(s.name) });
      if (editing?.id === s.id) reset();
      void sites.reload();
    } catch (e) {
      setMessage({ kind: "error", text: errorText(e) });
    }
  }

  return (
    <section class="page" aria-labelledby="sites-title">
      <h1 id="sites-title">{fr.sites.title}</h1>
      <p class="muted">{fr.sites.intro}</p>
      <form class="card" onSubmit={submit} noValidate aria-labelledby="site-form-title">
        <h2 id="site-form-title">{editing ? fr.sites.editTitle(editing.name) : fr.sites.create}</h2>
        <div class="form-grid">
          <Field
            {...field("name")}
            label={fr.sites.name}
            placeholder="Ex. : Station de Nianing"
            maxLength={120}
          />
          <Field
            {...field("timeZone")}
            label={fr.sites.timeZone}
            list="site-zones"
            autoComplete="off"
            placeholder="Africa/Dakar"
            hint={fr.sites.timeZoneHint}
          />
          <datalist id="site-zones">
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <Field
            {...field("populationEquivalent")}
            label={fr.sites.populationEquivalent}
            inputMode="numeric"
            placeholder="Ex. : 1 200"
          />
          <Field
            {...field("sandreCode")}
            label={fr.sites.sandreCode}
            placeholder="Ex. : 0433127V001"
            maxLength={20}
          />
          <Field
            {...field("location")}
            label={fr.sites.location}
            placeholder="Commune, lieu-dit"
            maxLength={200}
          />
          <Field
            {...field("latitude")}
            label={fr.sites.latitude}
            inputMode="decimal"
            placeholder="Ex. : 14,43"
          />
          <Field
            {...field("longitude")}
            label={fr.sites.longitude}
            inputMode="decimal"
            placeholder="Ex. : -16,95"
          />
          <Field
            {...field("surfaces")}
            label={fr.sites.surfaces}
            inputMode="decimal"
            placeholder="Ex. : 120 ; 80"
            hint={fr.sites.surfacesHint}
          />
        </div>
        <FormActions submit={fr.common.save} onCancel={editing ? reset : null} />
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {(sites.error || devices.error) && <Notice kind="error">{sites.error ?? devices.error}</Notice>}
      <div class="card">
        <h2 id="sites-list-title">{fr.sites.list}</h2>
        <DataTable
          labelledBy="sites-list-title"
          columns={[
            "Nom",
            "Fuseau",
            "EH",
            "SANDRE",
            fr.sites.location,
            "Filtres (m²)",
            fr.sites.meters,
            fr.common.actions,
          ]}
        >
          {sites.data?.sites.length === 0 && <EmptyRow colSpan={8}>{fr.sites.none}</EmptyRow>}
          {sites.data?.sites.map((s) => (
            <tr key={s.id} data-testid="site-row">
              <td>{s.name}</td>
              <td>{s.time_zone}</td>
              <td class="nowrap">
                {s.population_equivalent === null ? fr.common.none : frenchNumber(s.population_equivalent, 0)}
              </td>
              <td>{s.sandre_code ?? fr.common.none}</td>
              <td>{s.location ?? fr.common.none}</td>
              <td>
                {s.filter_stage_surfaces_m2.length === 0
                  ? fr.common.none
                  : s.filter_stage_surfaces_m2.map((m) => frenchNumber(m, 0)).join(" + ")}
              </td>
              <td>
                {s.device_ids.length === 0 ? (
                  <span class="muted">{fr.sites.noMeter}</span>
                ) : (
                  s.device_ids.map((d) => nameOf.get(d) ?? d).join(", ")
                )}
              </td>
              <td class="actions">
                <button type="button" class="button button--small" onClick={() => startEdit(s)}>
                  {fr.common.edit}
                  <span class="visually-hidden"> {s.name}</span>
                </button>
                <button
                  type="button"
                  class="button button--small"
                  aria-pressed={sharing === s.id}
                  onClick={() => setSharing(sharing === s.id ? null : s.id)}
                >
                  {fr.share.button}
                  <span class="visually-hidden"> {s.name}</span>
                </button>
                <ConfirmButton
                  asking={confirming === s.id}
                  onAsk={() => setConfirming(s.id)}
                  question={fr.sites.deleteQuestion}
                  confirmLabel={fr.common.confirm}
                  onConfirm={() => void remove(s)}
                  onCancel={() => setConfirming(null)}
                >
                  {fr.common.delete}
                  <span class="visually-hidden"> {s.name}</span>
                </ConfirmButton>
              </td>
            </tr>
          ))}
        </DataTable>
      </div>
      {sites.data?.sites
        .filter((s) => s.id === sharing)
        .map((s) => (
          <SiteSharing key={s.id} site={s} onClose={() => setSharing(null)} />
        ))}
      {sites.data && devices.data && (
        <Placement
          sites={sites.data.sites}
          devices={devices.data.devices}
          onPlaced={(text, kind) => {
            setMessage({ kind, text });
            void sites.reload();
          }}
        />
      )}
    </section>
  );
}
