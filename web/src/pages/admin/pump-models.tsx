import { useState } from "preact/hooks";
import { ApiError, del, get, post, put } from "../../api/client";
import type { PumpModel } from "../../api/types";
import { ConfirmButton } from "../../components/confirm";
import { EmptyRow, Field, FormActions, fieldsOf, Notice } from "../../components/form";
import { DataTable } from "../../components/table";
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
  const field = fieldsOf("pm", draft, errors, setDraft);

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
            {...field("name")}
            label="Nom du modèle *"
            placeholder="Ex. : Pedrollo VXM 10/35"
            maxLength={100}
          />
          <Field {...field("power")} label="Puissance (kW) *" inputMode="decimal" placeholder="Ex. : 0,75" />
          <Field
            {...field("current")}
            label="Intensité à 230 V (A) *"
            inputMode="decimal"
            placeholder="Ex. : 4,8"
          />
          <Field
            {...field("flow")}
            label="Débit à HMT 8 m (m³/h)"
            inputMode="decimal"
            placeholder="Vide si inconnu"
          />
        </div>
        <FormActions submit={fr.common.save} onCancel={editing ? reset : null} />
      </form>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {list.error && <Notice kind="error">{list.error}</Notice>}
      <div class="card">
        <h2>Modèles existants</h2>
        <DataTable
          columns={["Nom", "Puissance (kW)", "Intensité (A)", "Débit à HMT 8 (m³/h)", fr.common.actions]}
        >
          {list.data?.pump_models.length === 0 && <EmptyRow colSpan={5}>Aucun modèle de pompe.</EmptyRow>}
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
                <ConfirmButton
                  asking={confirming === m.id}
                  onAsk={() => setConfirming(m.id)}
                  question="Supprimer ce modèle ?"
                  confirmLabel={fr.common.confirm}
                  onConfirm={() => void remove(m)}
                  onCancel={() => setConfirming(null)}
                >
                  {fr.common.delete}
                  <span class="visually-hidden"> {m.name}</span>
                </ConfirmButton>
              </td>
            </tr>
          ))}
        </DataTable>
      </div>
    </section>
  );
}
