export function UsersPage() {
  return (
    <section class="page">
      <h1>Utilisateurs</h1>
    </section>
  );
}
