import { useEffect, useState } from "preact/hooks";
import { ApiError, get, post } from "../api/client";
import { Field, Notice } from "../components/form";
import { fr } from "../i18n/fr";
import { location, navigate } from "../state/router";
import { signInReason, type User, user } from "../state/session";

/** "dans 12 min", "dans 45 s" */
export function delayText(seconds: number): string {
  if (seconds < 60) return `dans ${seconds} s`;
  return `dans ${Math.ceil(seconds / 60)} min`;
}

/** Only a path of this site is followed after sign-in (never another origin). */
export function safeNext(raw: string | null): string {
  if (!raw?.startsWith("/") || raw.startsWith("//") || raw.startsWith("/connexion")) return "/";
  return raw;
}

export function LoginPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(location.value.query.get("suite"));
  const reason = signInReason.value;

  useEffect(() => {
    if (user.value) navigate(next, { replace: true });
    document.getElementById("login-email")?.focus();
  }, [next]);

  async function submit(event: Event) {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError(fr.login.required);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await post("/api/auth/login", { email: email.trim(), password });
      user.value = await get<User>("/api/auth/me");
      signInReason.value = null;
      navigate(next, { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        setError(
          e.retryAfterS
            ? `Trop de tentatives de connexion. Réessayez ${delayText(e.retryAfterS)}.`
            : e.message,
        );
      } else if (e instanceof ApiError && (e.status === 401 || e.status === 400)) {
        setError(fr.login.wrong);
      } else {
        setError(e instanceof ApiError ? e.message : fr.errors.unexpected);
      }
      setPassword("");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="contenu" class="login">
      <form class="login__card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <div class="login__brand">
          <img src="/favicon.svg" alt="" width={48} height={48} />
          <div>
            <p class="login__site">{fr.site}</p>
            <p class="login__sub">{fr.siteSubtitle}</p>
          </div>
        </div>
        <h1 id="login-title">{fr.login.title}</h1>
        {reason === "expired" && <Notice kind="info">{fr.login.expired}</Notice>}
        {reason === "signed_out" && <Notice kind="info">{fr.login.signedOut}</Notice>}
        {!reason && <p class="login__intro">{fr.login.intro}</p>}
        <Field
          id="login-email"
          label={fr.login.email}
          type="email"
          autoComplete="username"
          inputMode="email"
          value={email}
          onValue={setEmail}
          required
        />
        <Field
          id="login-password"
          label={fr.login.password}
          type="password"
          autoComplete="current-password"
          value={password}
          onValue={setPassword}
          required
        />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" class="button button--primary button--block" disabled={busy}>
          {busy ? fr.login.submitting : fr.login.submit}
        </button>
      </form>
    </main>
  );
}
