export function SettingsPage() {
  return (
    <section class="page">
      <h1>Paramètres</h1>
    </section>
  );
}
