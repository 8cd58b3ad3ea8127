import { alertsOfDevice } from "../alerts/filters";
import { RULE_NAMES } from "../alerts/text";
import { get } from "../api/client";
import type { AlertList, Device } from "../api/types";
import { alertsVersion } from "../components/alert-count";
import { Link } from "../components/link";
import { useLive } from "../hooks/use-live";
import { isSharedView } from "../state/share";

/** The selected device's open (unacknowledged) alerts, above its figures, with the way to them. */
export function AlertBanner(props: { device: Device }) {
  const d = props.device;
  const live = useLive(`${d.device_id}|${alertsVersion.value}`, () =>
    get<AlertList>(`/api/alerts?state=open&device_id=${encodeURIComponent(d.device_id)}&limit=20`),
  );
  const alerts = live.data?.alerts ?? [];
  if (alerts.length === 0) return null;
  const total = live.data?.total ?? alerts.length;
  const channelName = (ch: number | null) =>
    ch === null ? "tout le compteur" : (d.channels.find((c) => c.channel === ch)?.name ?? `switch:${ch}`);
  const critical = alerts.some((a) => a.severity === "critical");
  return (
    <div
      class={`alert-banner${critical ? " alert-banner--critical" : ""}`}
      role="status"
      data-testid="alert-banner"
    >
      <p>
        <strong>
          {total === 1 ? "1 alerte ouverte" : `${total} alertes ouvertes`} sur {d.name}
        </strong>{" "}
        : {alerts.map((a) => `${RULE_NAMES[a.rule]} (${channelName(a.channel)})`).join(", ")}
        {total > alerts.length ? "…" : "."}
      </p>
      {/* the alerts page is an account's: a share link's visitor stays on the dashboard it was given */}
      {!isSharedView() && (
        <Link href={alertsOfDevice(d.device_id, "open")} class="button button--small">
          Voir les alertes de cet appareil
        </Link>
      )}
    </div>
  );
}

/** Every open alert of the fleet (for the tiles' markers); nothing is asked while `enabled` is false. */
export function useOpenAlerts(enabled: boolean) {
  return useLive(enabled ? `fleet|${alertsVersion.value}` : null, () =>
    get<AlertList>("/api/alerts?state=open&limit=1000"),
  );
}

export function openAlertsByDevice(alerts: readonly { device_id: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of alerts) counts.set(a.device_id, (counts.get(a.device_id) ?? 0) + 1);
  return counts;
}
