import { signal } from "@preact/signals";
import { ApiError, get, setShareGoneHandler } from "../api/client";
import type { ShareOpened } from "../api/types";
import { site } from "./session";

/** A visitor's read-only share link (decision 0018): being opened, open (the site it shows), or gone. */
export type ShareState =
  | { status: "none" }
  | { status: "opening" }
  | { status: "open"; info: ShareOpened }
  | { status: "gone" };

export const share = signal<ShareState>({ status: "none" });

/** Whether the page is a share link's read-only view: the dashboard then leaves out what needs an account. */
export const isSharedView = () => share.value.status === "open";

/**
 * Opens the link: the service sets its cookie (HttpOnly, for /api) and answers the site; the dashboard then
 * reads as a viewer of that site, in the site's zone. Expired, revoked or unknown: the French page.
 */
export async function openShare(token: string): Promise<void> {
  share.value = { status: "opening" };
  try {
    const info = await get<ShareOpened>(`/api/share/${encodeURIComponent(token)}`);
    site.value = { ...site.value, time_zone: info.time_zone, public_dashboard: false };
    share.value = { status: "open", info };
  } catch (e) {
    // a network failure is not the link's end: the visitor may reload
    share.value = e instanceof ApiError && e.status === 0 ? { status: "none" } : { status: "gone" };
  }
}

// revoked or expired while the dashboard is open: its next read answers 410
setShareGoneHandler(() => {
  if (share.value.status !== "none") share.value = { status: "gone" };
});
