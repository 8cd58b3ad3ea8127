import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { fr } from "../i18n/fr";
import { location } from "../state/router";
import { signOut, user } from "../state/session";
import { AlertCount } from "./alert-count";
import { Link } from "./link";

const ADMIN_LINKS: [string, string][] = [
  ["/admin/appareils", fr.nav.devices],
  ["/admin/sites", fr.nav.sites],
  ["/admin/modeles", fr.nav.pumpModels],
  ["/admin/cles", fr.nav.apiKeys],
  ["/admin/utilisateurs", fr.nav.users],
  ["/admin/parametres", fr.nav.settings],
  ["/admin/journal", fr.nav.audit],
];

export function Layout({ children }: { children: ComponentChildren }) {
  const path = location.value.path;
  const me = user.value;
  const inAdmin = path.startsWith("/admin");
  const [menuOpen, setMenuOpen] = useState(false);
  return (
    <>
      <a class="skip-link" href="#contenu">
        {fr.nav.skip}
      </a>
      <header class="site-header">
        <div class="site-header__inner">
          <Link href="/" class="brand">
            <img src="/favicon.svg" alt="" width={32} height={32} />
            <span>
              <span class="brand__name">{fr.site}</span>
              <span class="brand__sub">{fr.siteSubtitle}</span>
            </span>
          </Link>
          <AlertCount />
          <button
            type="button"
            class="menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="navigation"
            onClick={() => setMenuOpen(!menuOpen)}
          >
            {fr.nav.menu}
          </button>
          <nav
            id="navigation"
            class={`main-nav${menuOpen ? " is-open" : ""}`}
            aria-label="Navigation principale"
          >
            <Link
              href="/"
              class="main-nav__link"
              current={path === "/"}
              onNavigate={() => setMenuOpen(false)}
            >
              {fr.nav.dashboard}
            </Link>
            <Link
              href="/sante"
              class="main-nav__link"
              current={path === "/sante"}
              onNavigate={() => setMenuOpen(false)}
            >
              {fr.nav.pumpHealth}
            </Link>
            <Link
              href="/journal"
              class="main-nav__link"
              current={path === "/journal"}
              onNavigate={() => setMenuOpen(false)}
            >
              {fr.nav.journal}
            </Link>
            <Link
              href="/rapports"
              class="main-nav__link"
              current={path === "/rapports"}
              onNavigate={() => setMenuOpen(false)}
            >
              {fr.nav.reports}
            </Link>
            {me && (
              <Link
                href="/notifications"
                class="main-nav__link"
                current={path === "/notifications"}
                onNavigate={() => setMenuOpen(false)}
              >
                {fr.nav.notifications}
              </Link>
            )}
            {me?.role === "admin" && (
              <Link
                href="/admin/appareils"
                class="main-nav__link"
                current={inAdmin}
                onNavigate={() => setMenuOpen(false)}
              >
                {fr.nav.admin}
              </Link>
            )}
            {me && (
              <span class="user-box">
                <span class="user-box__email" data-testid="user-email">
                  {me.email}
                </span>
                <span class="user-box__role">{fr.roles[me.role] ?? me.role}</span>
                <button type="button" class="button button--ghost" onClick={() => void signOut()}>
                  {fr.nav.signOut}
                </button>
              </span>
            )}
          </nav>
        </div>
        {inAdmin && me?.role === "admin" && (
          <nav class="sub-nav" aria-label="Administration">
            {ADMIN_LINKS.map(([href, label]) => (
              <Link key={href} href={href} class="sub-nav__link" current={path.startsWith(href)}>
                {label}
              </Link>
            ))}
          </nav>
        )}
      </header>
      <main id="contenu" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
