import { useEffect } from "preact/hooks";
import { Layout } from "./components/layout";
import { fr } from "./i18n/fr";
import { ApiKeysPage } from "./pages/admin/api-keys";
import { AuditPage } from "./pages/admin/audit";
import { DevicesPage } from "./pages/admin/devices";
import { PumpModelsPage } from "./pages/admin/pump-models";
import { SettingsPage } from "./pages/admin/settings";
import { SitesPage } from "./pages/admin/sites";
import { UsersPage } from "./pages/admin/users";
import { VersionsPage } from "./pages/admin/versions";
import { AlertRulesPage } from "./pages/alert-rules";
import { AlertsPage } from "./pages/alerts";
import { DashboardPage } from "./pages/dashboard";
import { JournalPage } from "./pages/journal";
import { LoginPage } from "./pages/login";
import { NotificationsPage } from "./pages/notifications";
import { PumpHealthPage } from "./pages/pump-health";
import { ReportsPage } from "./pages/reports";
import { SharedPage } from "./pages/shared";
import { Forbidden, NotFound } from "./pages/status";
import { location, match, navigate } from "./state/router";
import { requireSignIn, site, user } from "./state/session";

type Route = {
  pattern: string;
  admin: boolean;
  title: string;
  page: (p: Record<string, string>) => preact.JSX.Element;
};

const ROUTES: Route[] = [
  { pattern: "/", admin: false, title: fr.nav.dashboard, page: () => <DashboardPage /> },
  { pattern: "/admin/appareils", admin: true, title: fr.nav.devices, page: () => <DevicesPage /> },
  {
    pattern: "/admin/appareils/:device/canal/:channel",
    admin: true,
    title: "Historique des versions",
    page: (p) => <VersionsPage deviceId={p.device ?? ""} channel={Number(p.channel)} />,
  },
  { pattern: "/admin/sites", admin: true, title: fr.nav.sites, page: () => <SitesPage /> },
  { pattern: "/admin/modeles", admin: true, title: fr.nav.pumpModels, page: () => <PumpModelsPage /> },
  { pattern: "/admin/cles", admin: true, title: fr.nav.apiKeys, page: () => <ApiKeysPage /> },
  { pattern: "/admin/utilisateurs", admin: true, title: fr.nav.users, page: () => <UsersPage /> },
  { pattern: "/admin/parametres", admin: true, title: fr.nav.settings, page: () => <SettingsPage /> },
  { pattern: "/admin/journal", admin: true, title: fr.nav.audit, page: () => <AuditPage /> },
  { pattern: "/alertes", admin: false, title: fr.nav.alerts, page: () => <AlertsPage /> },
  {
    pattern: "/alertes/regles/:device",
    admin: false,
    title: fr.nav.alertRules,
    page: (p) => <AlertRulesPage deviceId={p.device ?? ""} />,
  },
  { pattern: "/notifications", admin: false, title: fr.nav.notifications, page: () => <NotificationsPage /> },
  { pattern: "/journal", admin: false, title: fr.nav.journal, page: () => <JournalPage /> },
  { pattern: "/rapports", admin: false, title: fr.nav.reports, page: () => <ReportsPage /> },
  { pattern: "/sante", admin: false, title: fr.nav.pumpHealth, page: () => <PumpHealthPage /> },
];

function resolve(path: string): { route: Route; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    const params = match(route.pattern, path);
    if (params) return { route, params };
  }
  return null;
}

export function App() {
  const { path } = location.value;
  // A share link's visitor has no account: its page stands apart from the sign-in and the navigation.
  const shared = match("/partage/:token", path);
  if (shared) return <SharedPage token={shared.token ?? ""} />;
  return <SignedInApp />;
}

function SignedInApp() {
  const { path } = location.value;
  const current = user.value;
  const found = path === "/admin" ? null : resolve(path);
  const isLogin = path === "/connexion";
  const open = !found?.route.admin && site.value.public_dashboard;
  const needsSignIn = !isLogin && current === null && !open;

  useEffect(() => {
    if (path === "/admin") navigate("/admin/appareils", { replace: true });
    else if (needsSignIn) requireSignIn(null);
  }, [path, needsSignIn]);

  const title = isLogin ? fr.login.title : (found?.route.title ?? fr.errors.notFound);
  useEffect(() => {
    document.title = `${title} — ${fr.site}`;
  }, [title]);

  if (isLogin) return <LoginPage />;
  if (needsSignIn || path === "/admin") return <p class="boot">{fr.loading}</p>;
  let body: preact.JSX.Element;
  if (!found) body = <NotFound />;
  else if (found.route.admin && current?.role !== "admin") body = <Forbidden />;
  else body = found.route.page(found.params);
  return <Layout>{body}</Layout>;
}
