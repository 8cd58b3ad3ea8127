import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { fr } from "../i18n/fr";
import { tick } from "../state/live";

const RETRY_MS = 5_000;

/**
 * Loads on every change of `key`, then again at each live tick, keeping the last good data on screen
 * (no flicker, no reset of what the user opened or scrolled). `refresh` gets the previous data, so a
 * panel can merge the newest rows instead of reloading everything. A failure keeps the data, says so, and
 * retries by itself until the service answers again.
 *
 * Each load gets an AbortSignal, aborted as soon as a newer load starts (the filters changed, the next tick)
 * or the panel goes away: the previous view's requests stop instead of queueing ahead of the new view's on
 * the service (a 30-day view still reading its pages of 5,000 cycles held the new KPIs 433 ms, issue 21).
 */
export function useLive<T>(
  key: string | null,
  load: (signal: AbortSignal) => Promise<T>,
  refresh?: (previous: T, signal: AbortSignal) => Promise<T>,
): { data: T | null; error: string | null; loading: boolean; dataKey: string | null } {
  const [state, setState] = useState<{
    data: T | null;
    dataKey: string | null;
    error: string | null;
    loading: boolean;
  }>({ data: null, dataKey: null, error: null, loading: key !== null });
  const generation = useRef(0);
  const current = useRef(state);
  current.current = state;
  const loaders = useRef({ load, refresh });
  loaders.current = { load, refresh };
  const retry = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<AbortController | null>(null);
  const t = tick.value;

  const abort = () => {
    inFlight.current?.abort();
    inFlight.current = null;
  };

  const run = (fresh: boolean) => {
    abort();
    if (key === null) return;
    const mine = ++generation.current;
    if (retry.current) clearTimeout(retry.current);
    const controller = new AbortController();
    inFlight.current = controller;
    const previous = current.current;
    const sameKey = previous.dataKey === key && previous.data !== null;
    if (fresh) setState((s) => ({ ...s, loading: true }));
    const { load: l, refresh: r } = loaders.current;
    const promise = !fresh && sameKey && r ? r(previous.data as T, controller.signal) : l(controller.signal);
    promise.then(
      (data) => {
        if (mine !== generation.current) return;
        inFlight.current = null;
        setState({ data, dataKey: key, error: null, loading: false });
      },
      (e: unknown) => {
        if (mine !== generation.current || controller.signal.aborted) return;
        inFlight.current = null;
        const message = e instanceof ApiError ? e.message : fr.errors.unexpected;
        setState((s) => ({ ...s, error: message, loading: false }));
        retry.current = setTimeout(() => run(!sameKey), RETRY_MS);
      },
    );
  };

  useEffect(() => {
    if (key === null) setState((st) => ({ ...st, error: null, loading: false }));
    run(true);
    return () => {
      if (retry.current) clearTimeout(retry.current);
      // the key changes or the panel goes: what it was reading is no longer wanted
      abort();
    };
  }, [key]);

  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    run(false);
  }, [t]);

  return state;
}
