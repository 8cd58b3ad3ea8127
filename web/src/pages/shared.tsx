import { useEffect } from "preact/hooks";
import { dateOf } from "../i18n/format";
import { fr } from "../i18n/fr";
import { openShare, share } from "../state/share";
import { DashboardPage } from "./dashboard";

/** The header of a shared page: the brand, no navigation (the visitor has no account to go anywhere with). */
function SharedHeader() {
  return (
    <header class="site-header">
      <div class="site-header__inner">
        <span class="brand">
          <img src="/favicon.svg" alt="" width={32} height={32} />
          <span>
            <span class="brand__name">{fr.site}</span>
            <span class="brand__sub">{fr.siteSubtitle}</span>
          </span>
        </span>
      </div>
    </header>
  );
}

/** `/partage/<token>`: one site's dashboard, read-only, for a client without an account (decision 0018). */
export function SharedPage({ token }: { token: string }) {
  useEffect(() => {
    void openShare(token);
  }, [token]);
  const state = share.value;
  const title = state.status === "open" ? `${state.info.site_name} (lecture seule)` : fr.share.goneTitle;
  useEffect(() => {
    if (state.status === "open" || state.status === "gone") document.title = `${title} — ${fr.site}`;
  }, [state.status, title]);
  let body: preact.JSX.Element;
  if (state.status === "gone")
    body = (
      <section class="page page--narrow" aria-labelledby="share-gone-title" data-testid="share-gone">
        <h1 id="share-gone-title">{fr.share.goneTitle}</h1>
        <p>{fr.share.goneText}</p>
      </section>
    );
  else if (state.status !== "open") body = <p class="boot">{fr.share.opening}</p>;
  else {
    const { info } = state;
    body = (
      <>
        <div class="share-banner-wrap">
          <div class="share-banner" role="note" data-testid="share-banner">
            <strong>{fr.share.banner(info.created_by, dateOf(info.expires_at, info.time_zone))}</strong>
            <span>
              {info.site_name}
              {info.label ? ` · ${fr.share.bannerFor(info.label)}` : ""}
            </span>
          </div>
        </div>
        <DashboardPage />
      </>
    );
  }
  return (
    <>
      <SharedHeader />
      <main id="contenu" tabIndex={-1}>
        {body}
      </main>
    </>
  );
}
