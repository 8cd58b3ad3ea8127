import { useEffect, useState } from "preact/hooks";
import { ApiError, del, get, post } from "../../api/client";
import type { CreatedShareLink, ShareLink, ShareLinks, SiteRow } from "../../api/types";
import { ConfirmButton } from "../../components/confirm";
import { EmptyRow, Field, FormActions, Notice, SecretValue, SelectField } from "../../components/form";
import { DataTable } from "../../components/table";
import { errorText, useResource } from "../../components/use-resource";
import { dateOf, dateTimeOf } from "../../i18n/format";
import { fr } from "../../i18n/fr";

/** The full address to send: this site's origin and the link's path (the token is in it, shown once). */
const fullUrl = (path: string) => `${window.location.origin}${path}`;

function StateBadge({ link, tz }: { link: ShareLink; tz: string }) {
  if (link.state === "revoked" && link.revoked_at)
    return <span class="badge badge--muted">{fr.share.revoked(dateTimeOf(link.revoked_at, tz))}</span>;
  if (link.state === "expired") return <span class="badge badge--off">{fr.share.expired}</span>;
  return <span class="badge badge--ok">{fr.share.live}</span>;
}

/**
 * « Partager » of one site (decision 0018): create a read-only link with an expiry, copy its address (shown
 * once), list the site's links, revoke one. Dates in the site's own zone.
 */
export function SiteSharing({ site, onClose }: { site: SiteRow; onClose: () => void }) {
  const links = useResource(
    () => get<ShareLinks>(`/api/admin/sites/${site.id}/share-links`),
    `share-${site.id}`,
  );
  const [label, setLabel] = useState("");
  const [days, setDays] = useState("30");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedShareLink | null>(null);
  const [copied, setCopied] = useState(false);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const tz = site.time_zone;

  useEffect(() => {
    document.getElementById("share-title")?.scrollIntoView({ block: "start" });
    document.getElementById("share-label")?.focus({ preventScroll: true });
  }, [site.id]);

  async function create(event: Event) {
    event.preventDefault();
    setMessage(null);
    if (label.trim().length > 120) {
      setErrors({ label: "Libellé trop long (120 caractères au plus)." });
      return;
    }
    setErrors({});
    try {
      const answer = await post<CreatedShareLink>(`/api/admin/sites/${site.id}/share-links`, {
        expires_in_days: Number(days),
        ...(label.trim() ? { label: label.trim() } : {}),
      });
      setCreated(answer);
      setCopied(false);
      setLabel("");
      void links.reload();
    } catch (e) {
      if (e instanceof ApiError && e.field === "label") setErrors({ label: errorText(e) });
      else if (e instanceof ApiError && e.field === "expires_in_days") setErrors({ days: errorText(e) });
      else setMessage({ kind: "error", text: errorText(e) });
    }
  }

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      // without clipboard access (plain http on another host) the address stays selectable on screen
      (document.getElementById("share-url") as HTMLInputElement | null)?.select();
    }
  }

  async function revoke(link: ShareLink) {
    setConfirming(null);
    try {
      await del(`/api/admin/share-links/${link.id}`);
      setMessage({ kind: "success", text: fr.share.revokedDone });
      if (created?.link.id === link.id) setCreated(null);
      void links.reload();
    } catch (e) {
      setMessage({ kind: "error", text: errorText(e) });
    }
  }

  return (
    <div class="card share-site-card" data-testid="share-card">
      <h2 id="share-title">{fr.share.title(site.name)}</h2>
      <p class="muted">{fr.share.intro}</p>
      <form onSubmit={create} noValidate aria-labelledby="share-title">
        <div class="form-grid">
          <Field
            id="share-label"
            label={fr.share.label}
            placeholder={fr.share.labelPlaceholder}
            value={label}
            onValue={setLabel}
            error={errors.label}
            maxLength={120}
          />
          <SelectField
            id="share-days"
            label={fr.share.duration}
            value={days}
            onValue={setDays}
            options={[...fr.share.durations]}
            error={errors.days}
          />
        </div>
        <FormActions submit={fr.share.create} onCancel={onClose} cancel={fr.share.close} />
      </form>
      {created && (
        <div class="card card--secret" role="status" data-testid="created-share-link">
          <p>
            <strong>{fr.share.created(dateOf(created.link.expires_at, tz))}</strong> {fr.share.copyNow}
          </p>
          <SecretValue
            id="share-url"
            label={fr.share.urlLabel}
            value={fullUrl(created.path)}
            copied={copied}
            onCopy={() => void copy(fullUrl(created.path))}
          />
          <button type="button" class="button button--ghost" onClick={() => setCreated(null)}>
            {fr.share.done}
          </button>
        </div>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {links.error && <Notice kind="error">{links.error}</Notice>}
      <h3 id="share-list-title">{fr.share.list}</h3>
      <DataTable
        labelledBy="share-list-title"
        columns={[
          fr.share.forWhom,
          fr.share.createdBy,
          fr.share.expires,
          fr.share.lastUsed,
          fr.share.state,
          fr.common.actions,
        ]}
      >
        {links.data?.links.length === 0 && <EmptyRow colSpan={6}>{fr.share.none}</EmptyRow>}
        {links.data?.links.map((l) => (
          <tr key={l.id} data-testid="share-row">
            <td>{l.label ?? fr.common.none}</td>
            <td>
              {l.created_by}
              <span class="muted"> · {dateTimeOf(l.created_at, tz)}</span>
            </td>
            <td class="nowrap">{dateTimeOf(l.expires_at, tz)}</td>
            <td>{l.last_used_at ? dateTimeOf(l.last_used_at, tz) : fr.share.never}</td>
            <td>
              <StateBadge link={l} tz={tz} />
            </td>
            <td class="actions">
              {l.state === "live" && (
                <ConfirmButton
                  asking={confirming === l.id}
                  onAsk={() => setConfirming(l.id)}
                  question={fr.share.revokeQuestion}
                  confirmLabel={fr.share.revoke}
                  onConfirm={() => void revoke(l)}
                  onCancel={() => setConfirming(null)}
                >
                  {fr.share.revoke}
                </ConfirmButton>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
