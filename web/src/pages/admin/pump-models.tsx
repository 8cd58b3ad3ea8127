import { useState } from "preact/hooks";
import { ApiError, del, get, post, put } from "../../api/client";
import type { PumpModel } from "../../api/types";
import { InlineConfirm } from "../../components/confirm";
import { Field, Notice } from "../../components/form";
import { errorText, useResource } from "../../components/use-resource";
import { frenchNumber } from "../../i18n/format";
import { fr } from "../../i18n/fr";
import { decimalText, parseDecimal } from "./config-form";

interface Draft {
  name: string;
  power: string;
  current: string;
  flow: string;
}
const EMPTY: Draft = { name: "", power: "", current: "", flow: "" };

export function validateModel(d: Draft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!d.name.trim()) errors.name = "Nom du modèle requis.";
  else if (d.name.trim().length > 100) errors.name = "Nom du modèle : 100 caractères au plus.";
  const power = parseDecimal(d.power);
  if (power === null || Number.isNaN(power) || power <= 0)
    errors.power = "Puissance invalide : un nombre de kW supérieur à 0 (ex. 0,75).";
  const current = parseDecimal(d.current);
  if (current === null || Number.isNaN(current) || current <= 0)
    errors.current = "Intensité invalide : un nombre d'ampères supérieur à 0 (ex. 4,8).";
  const flow = parseDecimal(d.flow);
  if (flow !== null && (Number.isNaN(flow) || flow <= 0))
    errors.flow = "Débit invalide : un nombre de m³/h supérieur à 0, ou vide.";
  return errors;
}

const FIELD_OF: Record<string, keyof Draft> = {
  name: "name",
  power_kw: "power",
  current_a: "current",
  nominal_flow_m3h_hmt8: "flow",
};

export function PumpModelsPage() {
  const list = useResource(() => get<{ pump_models: PumpModel[] }>("/api/admin/pump-models"), "models");
  const [editing, setEditing] = useState<PumpModel | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  function startEdit(m: PumpModel) {
    setEditing(m);
    setDraft({
      name: m.name,
      power: decimalText(m.power_kw),
      current: decimalText(m.current_a),
      flow: decimalText(m.nominal_flow_m3h_hmt8),
    });
    setErrors({});
    setMessage(null);
    document.getElementById("pm-name")?.focus();
  }

  function reset() {
    setEditing(null);
    setDraft(EMPTY);
    setErrors({});
  }

  async function submit(event: Event) {
    event.preventDefault();
    setMessage(null);
    const found = validateModel(draft);
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) {
      document.getElementById(`pm-${first}`)?.focus();
      return;
    }
    const body = {
      name: draft.name.trim(),
      power_kw: parseDecimal(draft.power),
      current_a: parseDecimal(draft.current),
      nominal_flow_m3h_hmt8: parseDecimal(draft.flow),
    };
    try {
      if (editing) await put(`/api/admin/pump-models/${editing.id}`, body);
      else await post("/api/admin/pump-models", body);
      setMessage({ kind: "success", text: editing ? "Modèle modifié." : "Modèle créé." });
      reset();
      void list.reload();
    } catch (e) {
      const key = e instanceof ApiError && e.field ? FIELD_OF[e.field] : undefined;
      if (key) setErrors({ [key]: errorText(e) });
      setMessage({ kind: "error", text: errorText(e) });
    }
  }

  async function remove(m: PumpModel) {
    setConfirming(null);
    setMessage(null);
    try {
      await del(`/api/admin/pump-models/${m.id}`);
      setMessage({ kind: "success", text: `Modèle « ${m.name} » supprimé.` });
      void list.reload();
    } catch (e) {
      setMessage({ kind: "error", text: errorText(e) });
    }
  }

  return (
    <section class="page" aria-labelledby="pm-title">
      <h1 id="pm-title">{fr.nav.pumpModels}</h1>
      <form class="card" onSubmit={submit} noValidate aria-labelledby="pm-form-title">
        <h2 id="pm-form-title">{editing ? `Modifier : ${editing.name}` : "Ajouter un modèle"}</h2>
        <div class="form-grid">
          <Field
            id="pm-name"
            label="Nom du modèle *"
            placeholder="Ex. : Pedrollo VXM 10/35"
            value={draft.name}
            onValue={(v) => setDraft({ ...draft, name: v })}
            error={errors.name}
            maxLength={100}
          />
          <Field
            id="pm-power"
            label="Puissance (kW) *"
            inputMode="decimal"
            placeholder="Ex. : 0,75"
            value={draft.power}
            onValue={(v) => setDraft({ ...draft, power: v })}
            error={errors.power}
          />
          <Field
            id="pm-current"
            label="Intensité à 230 V (A) *"
            inputMode="decimal"
            placeholder="Ex. : 4,8"
            value={draft.current}
            onValue={(v) => setDraft({ ...draft, current: v })}
            error={errors.current}
          />
          <Field
            id="pm-flow"
            label="Débit à HMT 8 m (m³/h)"
            inputMode="decimal"
            placeholder="Vide si inconnu"
            value={draft.flow}
            onValue={(v) => setDraft({ ...draft, flow: v })}
            error={errors.flow}
          />
        </div>
        <div class="card__actions">
          <button type="submit" class="button button--primary">
            {fr.common.save}
          </button>
          {editing && (
            <button type="button" class="button button--ghost" onClick={reset}>
              {fr.common.cancel}
            </button>
          )}
        </div>
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {list.error && <Notice kind="error">{list.error}</Notice>}
      <div class="card">
        <h2>Modèles existants</h2>
        <div class="table-scroll">
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Puissance (kW)</th>
                <th scope="col">Intensité (A)</th>
                <th scope="col">Débit à HMT 8 (m³/h)</th>
                <th scope="col">{fr.common.actions}</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.pump_models.length === 0 && (
                <tr>
                  <td colSpan={5}>Aucun modèle de pompe.</td>
                </tr>
              )}
              {list.data?.pump_models.map((m) => (
                <tr key={m.id}>
                  <td>{m.name}</td>
                  <td>{frenchNumber(m.power_kw, 2)}</td>
                  <td>{frenchNumber(m.current_a, 1)}</td>
                  <td>{frenchNumber(m.nominal_flow_m3h_hmt8, 1)}</td>
                  <td class="actions">
                    <button type="button" class="button button--small" onClick={() => startEdit(m)}>
                      {fr.common.edit}
                      <span class="visually-hidden"> {m.name}</span>
                    </button>
                    {confirming === m.id ? (
                      <InlineConfirm
                        question="Supprimer ce modèle ?"
                        confirmLabel={fr.common.confirm}
                        onConfirm={() => void remove(m)}
                        onCancel={() => setConfirming(null)}
                      />
                    ) : (
                      <button
                        type="button"
                        class="button button--small button--danger-ghost"
                        onClick={() => setConfirming(m.id)}
                      >
                        {fr.common.delete}
                        <span class="visually-hidden"> {m.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
