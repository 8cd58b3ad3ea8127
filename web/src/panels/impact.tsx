import { type FactorSetId, factorSetById } from "../../../src/domain/impact/factor-sets.js";
import type { Cycles } from "../api/types";
import { Link } from "../components/link";
import { calendarDate, frenchNumber } from "../i18n/format";
import { fr } from "../i18n/fr";
import { idleEnergyText, kwhPerM3, massText, monitoredDaysText } from "./impact-text";

type Summary = Cycles["summary"];

/**
 * "Traitement & impact environnemental": what the plant treated, what it cost in energy and what it
 * avoided in CO₂e, with the factor set next to the figure and the whole method one click away. Never
 * "crédits carbone": an avoided-emissions estimate is not a certified credit.
 */
export function ImpactPanel(props: {
  summary: Summary | null;
  from: string;
  to: string;
  flowRates: string[] | null;
  unconfigured: boolean;
  isAdmin: boolean;
}) {
  const s = props.summary;
  const known = s && (s.factor_set === "fp-2026" || s.factor_set === "ipcc-2019-vf");
  const set = known ? factorSetById(s.factor_set as FactorSetId) : null;
  const noVolume = props.unconfigured && s !== null && s.treated_volume_m3 === 0;
  return (
    <section class="banner banner--impact dash-section" aria-labelledby="impact-title">
      <h2 id="impact-title">
        Traitement &amp; impact environnemental — du {calendarDate(props.from)} au {calendarDate(props.to)}
      </h2>
      <dl class="stat-grid">
        <div>
          <dt>Eau usée traitée (période)</dt>
          <dd>
            <span data-testid="kpi-volume">
              {s ? (noVolume ? "-" : `${frenchNumber(s.treated_volume_m3, 1)} m³`) : "--"}
            </span>
            {s && !noVolume && (
              <span class="sub" data-testid="kpi-volume-method">
                {fr.volumeMethod[s.volume_method] ?? s.volume_method}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>Traitement journalier</dt>
          <dd>
            <span data-testid="kpi-volume-day">
              {s ? (noVolume ? "-" : `${frenchNumber(s.treated_volume_per_day_m3, 2)} m³/jour`) : "--"}
            </span>
            {s && (
              <span class="sub" data-testid="kpi-monitored-days">
                {monitoredDaysText(s.monitored_days, s.whole_days)}
                {noVolume ? "" : `, ${fr.volumeMethod[s.volume_method] ?? s.volume_method}`}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>Énergie mesurée</dt>
          <dd>
            <span data-testid="kpi-energy">{s ? `${frenchNumber(s.energy_kwh, 2)} kWh` : "--"}</span>
            {s && (
              <span class="sub" data-testid="kpi-kwh-m3">
                {kwhPerM3(s.energy_kwh, s.treated_volume_m3)} kWh/m³
              </span>
            )}
            {s && idleEnergyText(s.idle_energy_kwh) !== "" && (
              <span class="sub" data-testid="kpi-energy-idle">
                {idleEnergyText(s.idle_energy_kwh)}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>CO₂e évité (période)</dt>
          <dd>
            <span data-testid="kpi-co2e">{s ? `${massText(s.co2e_avoided_kg)} CO₂e` : "--"}</span>
            {s && <span class="sub">Réduction {frenchNumber(s.reduction_percent, 1)} %</span>}
          </dd>
        </div>
        <div>
          <dt>MES retenues</dt>
          <dd data-testid="kpi-mes">{s ? `${frenchNumber(s.mes_retained_kg, 1)} kg` : "--"}</dd>
        </div>
        {s?.electricity_co2e_kg != null && (
          <div>
            <dt>CO₂e de l'électricité</dt>
            <dd data-testid="kpi-electricity">
              {massText(s.electricity_co2e_kg)} CO₂e
              <span class="sub">
                émis, non déduit{s.grid_factor_source ? ` (${s.grid_factor_source})` : ""}
              </span>
            </dd>
          </div>
        )}
      </dl>
      {props.unconfigured && (
        <p class="note" data-testid="unconfigured">
          Débit non configuré pour au moins un canal : son volume n'est pas compté.{" "}
          {props.isAdmin ? (
            <Link href="/admin/appareils">Configurer les canaux</Link>
          ) : (
            "Demandez à un administrateur de le configurer."
          )}
        </p>
      )}
      {set && (
        <p class="note">
          Méthode : {set.label} — scénario de référence : {set.referenceLabel} ({set.gwpLabel}).
        </p>
      )}
      <details>
        <summary>Comment ce chiffre est calculé (formule, entrées, sources)</summary>
        <p>
          Volume = durée de marche × débit effectif du canal (postes de relevage seulement, cycles terminés).
          CH₄ évité = volume × DBO5 × Bo × (MCF référence − MCF filtre) ; CO₂e = CH₄ × PRG.
        </p>
        {set && (
          <p>
            Bo = {frenchNumber(set.boKgCh4PerKgDbo5, 2)} kg CH₄/kg DBO5, MCF référence ={" "}
            {frenchNumber(set.mcfReference, 2)}, MCF filtre = {frenchNumber(set.mcfFilter, 2)}, PRG CH₄ ={" "}
            {frenchNumber(set.gwpCh4, 1)}. Non compté : {set.excluded.join(", ")}.
          </p>
        )}
        <p>
          Entrées de la période : débits en vigueur (historique des versions de chaque canal){" "}
          {props.flowRates === null
            ? "…"
            : props.flowRates.length === 0
              ? "— aucun débit configuré."
              : `— ${props.flowRates.join(" ; ")}.`}
          {s && s.cycles_without_flow_rate > 0 && ` ${s.cycles_without_flow_rate} cycle(s) sans débit.`}
        </p>
        {set && (
          <>
            <p>Sources :</p>
            <ul>
              {set.sources.map((src) => (
                <li key={src}>{src}</li>
              ))}
            </ul>
          </>
        )}
      </details>
    </section>
  );
}
