import { get, query } from "../../api/client";
import type { Audit, Device } from "../../api/types";
import { DeviceField, Notice } from "../../components/form";
import { useResource } from "../../components/use-resource";
import { dateTimeOf } from "../../i18n/format";
import { fr } from "../../i18n/fr";
import { location, setQuery } from "../../state/router";
import { site } from "../../state/session";

const PAGE = 50;
const KINDS: [string, string][] = [
  ["", "Tous les types"],
  ["channel_version", "Versions de canal"],
  ["device", "Appareils"],
  ["pump_model", "Modèles de pompes"],
  ["api_key", "Clés d'API"],
  ["user", "Comptes"],
  ["settings", "Paramètres"],
  ["share_link", "Liens de partage"],
];

export function AuditPage() {
  const q = location.value.query;
  const deviceId = q.get("appareil") ?? "";
  const kind = q.get("type") ?? "";
  const offset = Math.max(0, Number(q.get("depuis") ?? 0) || 0);
  const tz = site.value.time_zone;
  const devices = useResource(() => get<{ devices: Device[] }>("/api/devices"), "devices");
  const audit = useResource(
    () => get<Audit>(`/api/admin/audit${query({ device_id: deviceId, kind, limit: PAGE, offset })}`),
    `${deviceId}|${kind}|${offset}`,
  );
  const names = new Map(devices.data?.devices.map((d) => [d.device_id, d.name]));
  const total = audit.data?.total ?? 0;

  return (
    <section class="page" aria-labelledby="audit-title">
      <h1 id="audit-title">{fr.nav.audit}</h1>
      <p class="page__intro">Qui a changé quoi, et quand : les plus récents d'abord.</p>
      <form class="filters card" onSubmit={(e) => e.preventDefault()}>
        <DeviceField
          id="audit-device"
          value={deviceId}
          onValue={(v) => setQuery({ appareil: v, depuis: null }, { push: true })}
          devices={devices.data?.devices}
        />
        <div class="field">
          <label for="audit-kind">Type</label>
          <select
            id="audit-kind"
            value={kind}
            onChange={(e) =>
              setQuery({ type: (e.target as HTMLSelectElement).value, depuis: null }, { push: true })
            }
          >
            {KINDS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {audit.error && <Notice kind="error">{audit.error}</Notice>}
      <div class="card">
        <div class="table-scroll">
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">Quand</th>
                <th scope="col">Qui</th>
                <th scope="col">Appareil</th>
                <th scope="col">Changement</th>
              </tr>
            </thead>
            <tbody>
              {audit.data?.entries.length === 0 && (
                <tr>
                  <td colSpan={4}>Aucun changement enregistré pour ces filtres.</td>
                </tr>
              )}
              {audit.data?.entries.map((e) => (
                <tr key={e.id}>
                  <td class="nowrap">{dateTimeOf(e.at, tz)}</td>
                  <td>{e.actor}</td>
                  <td>
                    {e.device_id ? (names.get(e.device_id) ?? e.device_id) : "-"}
                    {e.channel !== null && <span class="muted"> · switch:{e.channel}</span>}
                  </td>
                  <td>{e.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <nav class="pager" aria-label="Pages du journal">
          <button
            type="button"
            class="button button--small"
            disabled={offset === 0}
            onClick={() => setQuery({ depuis: String(Math.max(0, offset - PAGE)) }, { push: true })}
          >
            {fr.common.previous}
          </button>
          <span>
            {total === 0 ? "0" : `${offset + 1}–${Math.min(offset + PAGE, total)}`} sur {total}
          </span>
          <button
            type="button"
            class="button button--small"
            disabled={offset + PAGE >= total}
            onClick={() => setQuery({ depuis: String(offset + PAGE) }, { push: true })}
          >
            {fr.common.next}
          </button>
        </nav>
      </div>
    </section>
  );
}
