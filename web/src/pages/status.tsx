import { Link } from "../components/link";
import { fr } from "../i18n/fr";

export function Forbidden() {
  return (
    <section class="page page--narrow" aria-labelledby="forbidden-title">
      <h1 id="forbidden-title">{fr.errors.forbidden}</h1>
      <p>{fr.errors.forbiddenText}</p>
      <p>
        <Link href="/" class="button">
          {fr.errors.backHome}
        </Link>
      </p>
    </section>
  );
}

export function NotFound() {
  return (
    <section class="page page--narrow" aria-labelledby="notfound-title">
      <h1 id="notfound-title">{fr.errors.notFound}</h1>
      <p>{fr.errors.notFoundText}</p>
      <p>
        <Link href="/" class="button">
          {fr.errors.backHome}
        </Link>
      </p>
    </section>
  );
}
