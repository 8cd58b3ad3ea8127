import { signal } from "@preact/signals";
import type { SiteResponse } from "../../../src/contracts/read.js";
import { get, post, setSessionLostHandler } from "../api/client";
import { location, navigate } from "./router";

export interface User {
  email: string;
  role: "admin" | "operator" | "viewer";
  /** null: every site */
  site_ids?: number[] | null;
}

/** undefined while the first check runs; null when nobody is signed in. */
export const user = signal<User | null | undefined>(undefined);
export const site = signal<SiteResponse>({ time_zone: "UTC", public_dashboard: false });
/** Why the sign-in page is shown: a session that expired under the user, or a sign-out. */
export const signInReason = signal<"expired" | "signed_out" | null>(null);

export async function loadSession(): Promise<void> {
  const [me, settings] = await Promise.allSettled([
    get<User>("/api/auth/me"),
    get<SiteResponse>("/api/site"),
  ]);
  if (settings.status === "fulfilled") site.value = settings.value;
  user.value = me.status === "fulfilled" ? me.value : null;
}

export function signInPath(next: string): string {
  return next && next !== "/" && !next.startsWith("/connexion")
    ? `/connexion?suite=${encodeURIComponent(next)}`
    : "/connexion";
}

/** Sends the user to sign in, remembering the page they were on. */
export function requireSignIn(reason: "expired" | null): void {
  const here = location.value.path + (location.value.query.toString() ? `?${location.value.query}` : "");
  signInReason.value = reason;
  user.value = null;
  navigate(signInPath(here), { replace: true });
}

setSessionLostHandler(() => {
  if (user.value) requireSignIn("expired");
});

export async function signOut(): Promise<void> {
  try {
    await post("/api/auth/logout");
  } finally {
    user.value = null;
    signInReason.value = "signed_out";
    navigate("/connexion", { replace: true });
  }
}
