export function AuditPage() {
  return (
    <section class="page">
      <h1>Journal</h1>
    </section>
  );
}
