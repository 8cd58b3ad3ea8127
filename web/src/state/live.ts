/**
 * The minute tick of the live refresh, shared by every panel: one timer for the page, paused while the tab
 * is hidden, with an immediate refresh when it comes back. The interval can be shortened for tests
 * (localStorage "pumpwatch.refresh_ms"), never lengthened past a minute by accident.
 */
import { signal } from "@preact/signals";

export const tick = signal(0);
export const DEFAULT_REFRESH_MS = 60_000;

export function refreshMs(): number {
  try {
    const v = Number(window.localStorage.getItem("pumpwatch.refresh_ms"));
    if (Number.isFinite(v) && v >= 200) return v;
  } catch {
    // storage refused (private mode): the default applies
  }
  return DEFAULT_REFRESH_MS;
}

let timer: ReturnType<typeof setInterval> | null = null;
let users = 0;

function start() {
  stop();
  timer = setInterval(() => {
    tick.value += 1;
  }, refreshMs());
}
function stop() {
  if (timer !== null) clearInterval(timer);
  timer = null;
}
function onVisibility() {
  if (document.hidden) stop();
  else {
    tick.value += 1;
    start();
  }
}

/** Starts the tick for a page that wants it; the returned function stops it when the page goes. */
export function useLiveTick(): () => void {
  users += 1;
  if (users === 1) {
    if (!document.hidden) start();
    document.addEventListener("visibilitychange", onVisibility);
  }
  return () => {
    users -= 1;
    if (users === 0) {
      stop();
      document.removeEventListener("visibilitychange", onVisibility);
    }
  };
}
