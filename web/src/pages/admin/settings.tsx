import { useEffect, useState } from "preact/hooks";
import { ApiError, get, put } from "../../api/client";
import type { FactorSets, Settings } from "../../api/types";
import { CheckField, Field, Notice, SelectField } from "../../components/form";
import { errorText, useResource } from "../../components/use-resource";
import { dateTimeOf, frenchDecimal, frenchNumber } from "../../i18n/format";
import { fr } from "../../i18n/fr";
import { site } from "../../state/session";
import { decimalText, parseDecimal } from "./config-form";
import { MAX_RETENTION_MONTHS, retentionMonths, retentionShortens } from "./retention";

type FactorSet = FactorSets["factor_sets"][number];

const ORIGIN: Record<string, string> = {
  stored: "enregistré ici",
  default: "par défaut",
  environment: "variable d'environnement GRID_CO2E_*",
  none: "aucun",
};

function Coefficients({ set }: { set: FactorSet }) {
  const c = set.coefficients;
  const rows: [string, string][] = [
    ["B₀ (kg CH₄ / kg DBO5)", frenchDecimal(c.bo_kg_ch4_per_kg_dbo5, 2)],
    [
      "B₀ (kg CH₄ / kg DCO)",
      c.bo_kg_ch4_per_kg_dco === null ? "-" : frenchDecimal(c.bo_kg_ch4_per_kg_dco, 2),
    ],
    ["MCF du scénario de référence", frenchDecimal(c.mcf_reference, 2)],
    ["MCF du filtre planté", frenchDecimal(c.mcf_filter, 2)],
    ["PRG du CH₄", frenchDecimal(c.gwp_ch4, 0)],
    ["kg CO₂e par kg de MES", frenchDecimal(c.mes_co2e_kg_per_kg, 2)],
  ];
  return (
    <>
      <table class="data-table data-table--compact">
        <caption class="visually-hidden">Coefficients de {set.label}</caption>
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {set.excluded.length > 0 && (
        <>
          <h3>Non comptés</h3>
          <ul>
            {set.excluded.map((x) => (
              <li key={x}>{x}</li>
            ))}
          </ul>
        </>
      )}
      <h3>Sources</h3>
      <ul class="sources">
        {set.sources.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
    </>
  );
}

export function SettingsPage() {
  const data = useResource(
    () => Promise.all([get<Settings>("/api/admin/settings"), get<FactorSets>("/api/admin/factor-sets")]),
    "settings",
  );
  const [setId, setSetId] = useState("");
  const [reference, setReference] = useState("");
  const [gwp, setGwp] = useState("");
  const [gridOn, setGridOn] = useState(false);
  const [gridFactor, setGridFactor] = useState("");
  const [gridSource, setGridSource] = useState("");
  const [retentionOn, setRetentionOn] = useState(false);
  const [retention, setRetention] = useState("");
  const [retentionConfirmed, setRetentionConfirmed] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const tz = site.value.time_zone;

  const settings = data.data?.[0];
  const catalogue = data.data?.[1];
  useEffect(() => {
    if (!settings) return;
    setSetId(settings.factor_set.id);
    setReference(settings.factor_set.reference ?? "");
    setGwp(settings.factor_set.gwp ?? "");
    setGridOn(settings.grid_factor !== null);
    setGridFactor(decimalText(settings.grid_factor?.kg_co2e_per_kwh));
    setGridSource(settings.grid_factor?.source ?? "");
    setRetentionOn(settings.raw_retention_months !== null);
    setRetention(settings.raw_retention_months === null ? "" : String(settings.raw_retention_months));
    setRetentionConfirmed(false);
  }, [settings]);
  const months = retentionMonths(retentionOn, retention);
  const shortens = settings
    ? retentionShortens(settings.raw_retention_months, Number.isNaN(months) ? null : months)
    : false;
  const chosen = catalogue?.factor_sets.find((s) => s.id === setId);

  async function save(event: Event) {
    event.preventDefault();
    setMessage(null);
    const found: Record<string, string> = {};
    const factor = parseDecimal(gridFactor);
    if (gridOn) {
      if (factor === null || Number.isNaN(factor) || factor < 0 || factor > 2)
        found.gridFactor = "Facteur invalide : un nombre de kg CO₂e par kWh entre 0 et 2 (ex. 0,052).";
      if (gridSource.trim().length < 3 || gridSource.trim().length > 300)
        found.gridSource =
          "Indiquez la source du facteur (3 à 300 caractères), par ex. « ADEME Base Empreinte ».";
    }
    if (Number.isNaN(months)) found.retention = fr.retention.invalid(frenchNumber(MAX_RETENTION_MONTHS, 0));
    else if (shortens && !retentionConfirmed) found.retentionConfirm = fr.retention.confirmMissing;
    setErrors(found);
    if (Object.keys(found).length) {
      document.getElementById(`settings-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    try {
      await put<Settings>("/api/admin/settings", {
        factor_set: { id: setId, reference: reference || null, gwp: gwp || null },
        grid_factor: gridOn ? { kg_co2e_per_kwh: factor, source: gridSource.trim() } : null,
        raw_retention_months: months,
      });
      setMessage({
        kind: "success",
        text: "Paramètres enregistrés : les chiffres du tableau de bord les utilisent dès maintenant.",
      });
      void data.reload();
    } catch (e) {
      const field = e instanceof ApiError ? e.field : null;
      if (field?.startsWith("grid_factor.kg")) setErrors({ gridFactor: errorText(e) });
      else if (field?.startsWith("grid_factor.source")) setErrors({ gridSource: errorText(e) });
      else if (field === "raw_retention_months") setErrors({ retention: errorText(e) });
      setMessage({ kind: "error", text: errorText(e) });
    }
  }

  return (
    <section class="page" aria-labelledby="settings-title">
      <h1 id="settings-title">{fr.nav.settings}</h1>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      {settings && catalogue && (
        <form class="card" onSubmit={save} noValidate>
          <h2>CO₂e évité : jeu de coefficients</h2>
          <p class="muted">
            En vigueur : <strong>{settings.factor_set.label}</strong> (
            {settings.factor_set.reference_scenario}, {settings.factor_set.gwp_label}) —{" "}
            {ORIGIN[settings.factor_set.origin]}
            {settings.updated_at &&
              ` · modifié le ${dateTimeOf(settings.updated_at, tz)} par ${settings.updated_by ?? "?"}`}
          </p>
          <div class="form-grid form-grid--wide">
            <SelectField
              id="settings-set"
              label="Jeu de coefficients"
              value={setId}
              onValue={(v) => {
                setSetId(v);
                setReference("");
                setGwp("");
              }}
              options={catalogue.factor_sets.map((s) => ({ value: s.id, label: s.label }))}
            />
            {chosen && chosen.reference_scenarios.length > 1 && (
              <SelectField
                id="settings-reference"
                label="Scénario de référence"
                value={reference}
                onValue={setReference}
                options={[
                  { value: "", label: "Par défaut" },
                  ...chosen.reference_scenarios.map((r) => ({ value: r.id, label: r.label })),
                ]}
              />
            )}
            {chosen && chosen.gwp_choices.length > 1 && (
              <SelectField
                id="settings-gwp"
                label="PRG du méthane"
                value={gwp}
                onValue={setGwp}
                options={[
                  { value: "", label: "Par défaut" },
                  ...chosen.gwp_choices.map((g) => ({ value: g.id, label: g.label })),
                ]}
              />
            )}
          </div>
          {chosen && <Coefficients set={chosen} />}

          <h2>Électricité des pompes</h2>
          <p class="muted">
            Facteur d'émission du réseau électrique du site : le CO₂e émis par les pompes s'affiche alors sur
            sa propre ligne (jamais déduit). Aucun facteur n'est fourni pour le Sénégal : saisissez-le avec sa
            source. En vigueur :{" "}
            {settings.grid_factor
              ? `${frenchDecimal(settings.grid_factor.kg_co2e_per_kwh, 3)} kg CO₂e/kWh (${settings.grid_factor.source})`
              : "aucun"}{" "}
            — {ORIGIN[settings.grid_factor_origin]}.
          </p>
          <div class="field field--check">
            <input
              id="settings-grid-on"
              type="checkbox"
              checked={gridOn}
              onChange={(e) => setGridOn((e.target as HTMLInputElement).checked)}
            />
            <label for="settings-grid-on">Calculer le CO₂e de l'électricité</label>
          </div>
          {gridOn && (
            <div class="form-grid">
              <Field
                id="settings-gridFactor"
                label="kg CO₂e par kWh"
                inputMode="decimal"
                placeholder="Ex. : 0,052"
                value={gridFactor}
                onValue={setGridFactor}
                error={errors.gridFactor}
              />
              <Field
                id="settings-gridSource"
                label="Source"
                placeholder="Ex. : ADEME Base Empreinte, mix moyen, France"
                value={gridSource}
                onValue={setGridSource}
                error={errors.gridSource}
                maxLength={300}
              />
            </div>
          )}

          <h2>{fr.retention.title}</h2>
          <p class="muted">
            {fr.retention.intro} {fr.retention.current(settings.raw_retention_months)}
          </p>
          <CheckField
            id="settings-retention-on"
            label={fr.retention.limit}
            checked={retentionOn}
            onChange={(on) => {
              setRetentionOn(on);
              setRetentionConfirmed(false);
            }}
          />
          {retentionOn && (
            <div class="form-grid">
              <Field
                id="settings-retention"
                label={fr.retention.months}
                inputMode="numeric"
                placeholder="Ex. : 24"
                value={retention}
                onValue={(v) => {
                  setRetention(v);
                  setRetentionConfirmed(false);
                }}
                error={errors.retention}
                hint={fr.retention.monthsHint}
              />
            </div>
          )}
          {shortens && (
            <>
              <CheckField
                id="settings-retentionConfirm"
                label={fr.retention.confirm}
                checked={retentionConfirmed}
                onChange={setRetentionConfirmed}
              />
              {errors.retentionConfirm && (
                <p class="field__error" role="alert">
                  {errors.retentionConfirm}
                </p>
              )}
            </>
          )}
          <div class="card__actions">
            <button type="submit" class="button button--primary">
              {fr.common.save}
            </button>
          </div>
          {message && <Notice kind={message.kind}>{message.text}</Notice>}
        </form>
      )}
    </section>
  );
}
