-- A month's partition of readings is created apart, then attached (issue 20, decision 0015).
--
-- `CREATE TABLE … PARTITION OF readings` takes an ACCESS EXCLUSIVE lock on readings: it waits for every running
-- read of readings and holds up every read and write queued behind it. Old history stored in bulk (the
-- predecessor's import, a meter's year posted at once) creates a month at a time while reads run: a read then
-- waited up to 7 s behind a month's creation (bench:analytics:backfill, quiet machine). Created on its own and
-- then attached, the month takes only a SHARE UPDATE EXCLUSIVE lock on readings, which reads and writes do not
-- wait for. On Citus the attached table is distributed with its parent, as a partition created in place was.
--
-- Table classes (scale-rules.md, rule 1): no new table; the function replaces 0019's.
CREATE OR REPLACE FUNCTION readings_month_partition(at timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  lo timestamp := date_trunc('month', at AT TIME ZONE 'UTC');
  name text := 'readings_' || to_char(date_trunc('month', at AT TIME ZONE 'UTC'), '"y"YYYY"m"MM');
BEGIN
  IF to_regclass(quote_ident(name)) IS NOT NULL THEN RETURN false; END IF;
  PERFORM pg_advisory_xact_lock(7305219);
  -- A query of pg_class, not to_regclass: taking an advisory lock does not refresh the catalogue caches, and
  -- this statement's fresh snapshot sees the partition that the holder of the lock just committed.
  IF EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = name AND c.relnamespace = current_schema()::regnamespace)
  THEN RETURN false; END IF;
  EXECUTE format('CREATE TABLE %I (LIKE readings INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
  EXECUTE format('ALTER TABLE readings ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name,
                 to_char(lo, 'YYYY-MM-DD"T00:00:00+00"'),
                 to_char(lo + interval '1 month', 'YYYY-MM-DD"T00:00:00+00"'));
  RETURN true;
END
$$;
