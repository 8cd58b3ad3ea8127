import { useState } from "preact/hooks";
import { ApiError, get, put } from "../../api/client";
import type { AdminDevice, AdminDevices, DeviceConfiguration, PumpModel, Version } from "../../api/types";
import { Field, Notice, SelectField } from "../../components/form";
import { Link } from "../../components/link";
import { errorText, useResource } from "../../components/use-resource";
import { connectivity, dateTimeOf } from "../../i18n/format";
import { fr } from "../../i18n/fr";
import { site } from "../../state/session";
import {
  type ChannelDraft,
  decimalText,
  type FieldErrors,
  parseDecimal,
  validateFlowRate,
  validateName,
  validateSump,
  validateSumpVolume,
  validateThreshold,
  validateWater,
  type WaterDraft,
} from "./config-form";

async function loadDevices(): Promise<{ devices: AdminDevice[]; models: PumpModel[] }> {
  const [{ devices }, { pump_models }] = await Promise.all([
    get<AdminDevices>("/api/admin/devices"),
    get<{ pump_models: PumpModel[] }>("/api/admin/pump-models"),
  ]);
  return { devices, models: pump_models };
}

export function DevicesPage() {
  const { data, error, loading, reload } = useResource(loadDevices, "devices");
  return (
    <section class="page" aria-labelledby="devices-title">
      <h1 id="devices-title">{fr.nav.devices}</h1>
      <p class="page__intro">
        Nommez les appareils et leurs canaux, choisissez le modèle et le type de poste, le débit effectif qui
        convertit les cycles en volume, et la qualité des eaux brutes. « Enregistrer tout » crée une version
        datée d'aujourd'hui (ou corrige celle d'aujourd'hui) : les jours passés gardent leurs réglages.
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      {loading && !data && <p>{fr.loading}</p>}
      {data && data.devices.length === 0 && (
        <Notice kind="info">
          Aucun appareil pour l'instant. Un appareil apparaît ici avec son premier relevé reçu.
        </Notice>
      )}
      {data?.devices.map((d) => (
        <DeviceCard key={d.device_id} device={d} models={data.models} onSaved={() => void reload()} />
      ))}
    </section>
  );
}

function isUntouched(d: ChannelDraft): boolean {
  return (
    !d.name.trim() &&
    !d.pumpModelId &&
    d.pumpType === "relevage" &&
    !d.flowRate.trim() &&
    parseDecimal(d.threshold) === 10 &&
    d.sump.trim() === "1" &&
    !d.sumpVolume.trim()
  );
}

/** The service names a refused field in its own terms (`channels.1.flow_rate_m3h`); the form, in its own. */
export function serverFieldError(e: unknown, listedChannels: number[]): FieldErrors {
  const field = e instanceof ApiError ? e.field : null;
  if (!field) return {};
  const text = errorText(e);
  const m = /^channels\.(\d+)\.(\w+)$/.exec(field);
  if (m) {
    const channel = listedChannels[Number(m[1])];
    const key =
      {
        flow_rate_m3h: "flow",
        activity_threshold_w: "threshold",
        sump: "sump",
        sump_volume_m3: "sumpVolume",
      }[m[2] as string] ?? "name";
    return channel === undefined ? {} : { [`${channel}.${key}`]: text };
  }
  const water = { dbo5_mg_l: "dbo5", dco_mg_l: "dco", mes_mg_l: "mes", name: "name" }[field];
  return water ? { [water]: text } : {};
}

function draftOf(version: Version | null): ChannelDraft {
  return {
    name: version?.name ?? "",
    pumpModelId: version?.pump_model_id ? String(version.pump_model_id) : "",
    pumpType: version?.pump_type ?? "relevage",
    flowRate: decimalText(version?.flow_rate_m3h),
    threshold: decimalText(version?.activity_threshold_w ?? 10),
    sump: version?.sump ?? "1",
    sumpVolume: decimalText(version?.sump_volume_m3),
  };
}

function DeviceCard({
  device,
  models,
  onSaved,
}: {
  device: AdminDevice;
  models: PumpModel[];
  onSaved: () => void;
}) {
  const tz = site.value.time_zone;
  const displayName = device.name ?? device.device_id;
  const [deviceName, setDeviceName] = useState(device.name ?? "");
  const [drafts, setDrafts] = useState<Record<number, ChannelDraft>>(() =>
    Object.fromEntries(device.channels.map((c) => [c.channel, draftOf(c.version)])),
  );
  const [water, setWater] = useState<WaterDraft>({
    dbo5: decimalText(device.dbo5_mg_l),
    dco: decimalText(device.dco_mg_l),
    mes: decimalText(device.mes_mg_l),
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [result, setResult] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const status = connectivity(device.last_seen, Date.now(), tz);
  const idPrefix = `d-${device.device_id.replace(/[^a-zA-Z0-9_-]/g, "_")}`;

  const setDraft = (channel: number, patch: Partial<ChannelDraft>) =>
    setDrafts((all) => ({ ...all, [channel]: { ...(all[channel] as ChannelDraft), ...patch } }));

  function validate(): FieldErrors {
    const out: FieldErrors = { ...validateWater(water) };
    const nameError = validateName(deviceName, "Nom de l'appareil");
    if (nameError) out.name = nameError;
    for (const c of device.channels) {
      const draft = drafts[c.channel] as ChannelDraft;
      const label = draft.name.trim() || `switch:${c.channel}`;
      const flow = validateFlowRate(draft.flowRate, label);
      if (flow) out[`${c.channel}.flow`] = flow;
      const threshold = validateThreshold(draft.threshold, label);
      if (threshold) out[`${c.channel}.threshold`] = threshold;
      const sump = validateSump(draft.sump, label);
      if (sump) out[`${c.channel}.sump`] = sump;
      const volume = validateSumpVolume(draft.sumpVolume, label);
      if (volume) out[`${c.channel}.sumpVolume`] = volume;
      const name = validateName(draft.name, `Nom du canal ${label}`);
      if (name) out[`${c.channel}.name`] = name;
    }
    return out;
  }

  async function saveAll(event: Event) {
    event.preventDefault();
    setResult(null);
    const found = validate();
    setErrors(found);
    const firstKey = Object.keys(found)[0];
    if (firstKey) {
      document.getElementById(`${idPrefix}-${firstKey.replace(".", "-")}`)?.focus();
      setResult({ kind: "error", text: "Corrigez les champs signalés : rien n'a été enregistré." });
      return;
    }
    // A channel nobody configured stays so until something is typed for it: no version of defaults.
    const listed = device.channels.filter(
      (c) => c.version || !isUntouched(drafts[c.channel] as ChannelDraft),
    );
    setBusy(true);
    try {
      const saved = await put<DeviceConfiguration>(
        `/api/admin/devices/${encodeURIComponent(device.device_id)}/configuration`,
        {
          name: deviceName.trim() || null,
          channels: listed.map((c) => {
            const draft = drafts[c.channel] as ChannelDraft;
            return {
              channel: c.channel,
              name: draft.name.trim() || null,
              pump_model_id: draft.pumpModelId ? Number(draft.pumpModelId) : null,
              pump_type: draft.pumpType,
              flow_rate_m3h: parseDecimal(draft.flowRate),
              activity_threshold_w: parseDecimal(draft.threshold),
              sump: draft.sump.trim(),
              sump_volume_m3: parseDecimal(draft.sumpVolume),
            };
          }),
          dbo5_mg_l: parseDecimal(water.dbo5),
          dco_mg_l: parseDecimal(water.dco),
          mes_mg_l: parseDecimal(water.mes),
        },
      );
      setResult({ kind: "success", text: saved.message });
      onSaved();
    } catch (e) {
      setErrors(
        serverFieldError(
          e,
          listed.map((c) => c.channel),
        ),
      );
      setResult({ kind: "error", text: `Rien n'a été enregistré : ${errorText(e)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card card--device" onSubmit={saveAll} noValidate aria-labelledby={`${idPrefix}-title`}>
      <div class="card__head">
        <div>
          <h2 id={`${idPrefix}-title`}>{displayName}</h2>
          <p class="muted">
            <code>{device.device_id}</code>
            {device.model ? ` · ${device.model}` : ""}
          </p>
        </div>
        <p class={`badge ${status.online ? "badge--ok" : "badge--off"}`}>
          {status.online ? `En ligne · vu le ${dateTimeOf(device.last_seen, tz)}` : status.label}
        </p>
      </div>
      <Field
        id={`${idPrefix}-name`}
        label="Nom de l'appareil"
        placeholder="Ex. : Station Keur Massar"
        value={deviceName}
        onValue={setDeviceName}
        error={errors.name}
        maxLength={100}
        class="field--inline"
      />
      <div class="table-scroll">
        <table class="config-table">
          <caption class="visually-hidden">Canaux de {displayName}</caption>
          <thead>
            <tr>
              <th scope="col">Canal</th>
              <th scope="col">Nom</th>
              <th scope="col">Modèle de pompe</th>
              <th scope="col">Type de poste</th>
              <th scope="col">Débit effectif (m³/h)</th>
              <th scope="col">Seuil d'activité (W)</th>
              <th scope="col">Bâche</th>
              <th scope="col">Volume utile (m³)</th>
              <th scope="col">
                <span class="visually-hidden">Historique</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {device.channels.map((c) => {
              const draft = drafts[c.channel] as ChannelDraft;
              const id = `${idPrefix}-${c.channel}`;
              const label = draft.name.trim() || `switch:${c.channel}`;
              return (
                <tr key={c.channel}>
                  <th scope="row">
                    <code>switch:{c.channel}</code>
                  </th>
                  <td>
                    <Field
                      id={`${id}-name`}
                      label={<span class="visually-hidden">Nom du canal switch:{c.channel}</span>}
                      placeholder="Ex. : PR1"
                      value={draft.name}
                      onValue={(v) => setDraft(c.channel, { name: v })}
                      error={errors[`${c.channel}.name`]}
                      maxLength={100}
                    />
                  </td>
                  <td>
                    <SelectField
                      id={`${id}-model`}
                      label={<span class="visually-hidden">Modèle de pompe de {label}</span>}
                      value={draft.pumpModelId}
                      onValue={(v) => setDraft(c.channel, { pumpModelId: v })}
                      options={[
                        { value: "", label: "-- Aucun modèle --" },
                        ...models.map((m) => ({ value: String(m.id), label: m.label })),
                      ]}
                    />
                  </td>
                  <td>
                    <SelectField
                      id={`${id}-type`}
                      label={<span class="visually-hidden">Type de poste de {label}</span>}
                      value={draft.pumpType}
                      onValue={(v) => setDraft(c.channel, { pumpType: v })}
                      options={["relevage", "sortie", "autre"].map((t) => ({
                        value: t,
                        label: fr.pumpType[t] ?? t,
                      }))}
                    />
                  </td>
                  <td>
                    <Field
                      id={`${id}-flow`}
                      label={<span class="visually-hidden">Débit effectif de {label} (m³/h)</span>}
                      inputMode="decimal"
                      placeholder="Débit"
                      value={draft.flowRate}
                      onValue={(v) => setDraft(c.channel, { flowRate: v })}
                      error={errors[`${c.channel}.flow`]}
                    />
                  </td>
                  <td>
                    <Field
                      id={`${id}-threshold`}
                      label={<span class="visually-hidden">Seuil d'activité de {label} (W)</span>}
                      inputMode="decimal"
                      value={draft.threshold}
                      onValue={(v) => setDraft(c.channel, { threshold: v })}
                      error={errors[`${c.channel}.threshold`]}
                    />
                  </td>
                  <td>
                    <Field
                      id={`${id}-sump`}
                      label={<span class="visually-hidden">Bâche de {label}</span>}
                      value={draft.sump}
                      onValue={(v) => setDraft(c.channel, { sump: v })}
                      error={errors[`${c.channel}.sump`]}
                      maxLength={20}
                    />
                  </td>
                  <td>
                    <Field
                      id={`${id}-sumpVolume`}
                      label={<span class="visually-hidden">Volume utile de la bâche de {label} (m³)</span>}
                      inputMode="decimal"
                      placeholder="Inconnu"
                      value={draft.sumpVolume}
                      onValue={(v) => setDraft(c.channel, { sumpVolume: v })}
                      error={errors[`${c.channel}.sumpVolume`]}
                    />
                  </td>
                  <td>
                    <Link
                      href={`/admin/appareils/${encodeURIComponent(device.device_id)}/canal/${c.channel}`}
                      class="button button--small button--ghost"
                    >
                      Historique<span class="visually-hidden"> des versions de {label}</span>
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="muted" id={`${idPrefix}-sump-help`}>
        Débit mesuré : le <strong>volume utile</strong> d'une bâche est l'eau entre le flotteur d'arrêt et
        celui de démarrage, soit la surface de la bâche × la distance entre les deux flotteurs (ex. 1,5 m² ×
        1,6 m = 2,4 m³), relevée lors d'une visite. Les pompes qui vident le même poste partagent la même{" "}
        <strong>bâche</strong> (même nom, ex. « 1 ») et le même volume. Volume vide : le débit n'est pas
        mesuré et les volumes restent calculés avec le débit effectif.
      </p>
      <fieldset class="water">
        <legend>Qualité des eaux brutes</legend>
        <p class="muted">Valeurs moyennes estimées des eaux du site, pour tous les canaux de l'appareil.</p>
        <div class="water__grid">
          {(
            [
              ["dbo5", "DBO5 (mg/L)"],
              ["dco", "DCO (mg/L)"],
              ["mes", "MES (mg/L)"],
            ] as const
          ).map(([key, label]) => (
            <Field
              key={key}
              id={`${idPrefix}-${key}`}
              label={label}
              inputMode="decimal"
              value={water[key]}
              onValue={(v) => setWater({ ...water, [key]: v })}
              error={errors[key]}
            />
          ))}
        </div>
      </fieldset>
      <div class="card__actions">
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? fr.common.saving : "Enregistrer tout"}
        </button>
      </div>
      {result && <Notice kind={result.kind}>{result.text}</Notice>}
    </form>
  );
}
