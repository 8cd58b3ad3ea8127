import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { get } from "../api/client";
import type { AlertList } from "../api/types";
import { useLive } from "../hooks/use-live";
import { useLiveTick } from "../state/live";
import { location } from "../state/router";
import { Link } from "./link";

/** Bumped after an acknowledgement, so the header's count follows at once rather than at the next tick. */
export const alertsVersion = signal(0);

export const openAlertsWord = (n: number) =>
  n === 0 ? "Aucune alerte ouverte" : n === 1 ? "1 alerte ouverte" : `${n} alertes ouvertes`;

/** The header's link to the alerts page with the count of open (unacknowledged) alerts, live. */
export function AlertCount() {
  useEffect(() => useLiveTick(), []);
  const live = useLive(`open|${alertsVersion.value}`, () => get<AlertList>("/api/alerts?state=open&limit=1"));
  const n = live.data?.total ?? null;
  const current = location.value.path === "/alertes";
  return (
    <Link
      href="/alertes?etat=ouvertes"
      class={`alert-count${n ? " alert-count--on" : ""}`}
      current={current}
      label={n === null ? "Alertes" : `Alertes : ${openAlertsWord(n)}`}
    >
      <span class="alert-count__word">Alertes</span>
      <span class="alert-count__n" data-testid="alert-count">
        {n === null ? "…" : String(n)}
      </span>
    </Link>
  );
}
