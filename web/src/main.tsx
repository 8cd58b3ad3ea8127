import { render } from "preact";
import { App } from "./app";
import "./styles/base.css";
import "./styles/layout.css";
import "./styles/forms.css";
import "./styles/tables.css";
import "./styles/dashboard.css";
import "./styles/alerts.css";
import { loadSession } from "./state/session";

const root = document.getElementById("app");
if (root) {
  // The "Chargement…" placeholder is plain HTML: cleared, not diffed, when the app takes over.
  void loadSession().finally(() => {
    root.textContent = "";
    render(<App />, root);
  });
}
