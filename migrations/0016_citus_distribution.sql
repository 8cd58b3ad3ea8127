-- Distribution on Citus (issue 20, decision record 0014), driven by the catalogue so that later migrations stay
-- Citus-ready without knowing about it: every table of the schema with a NOT NULL device_id that every unique
-- key includes is per meter, distributed by device_id and co-located with devices; every other table (config_audit
-- names a meter in a nullable column, users, settings, catalogues) becomes a reference table (a copy on every
-- node). No table stays local to the coordinator. Without the citus extension (PostgreSQL, PGlite) the functions below
-- do nothing, so every engine runs this file unchanged.
--
-- The migration runner calls citus_ready_sweep() after each migration, in its transaction, and once more at
-- the end: a table created by a later migration is distributed before the next migration can point at it.
-- Table classes (scale-rules.md, rule 1): no new table.

-- Whether this database has the citus extension.
CREATE FUNCTION citus_ready_active() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')
$$;

-- Distributes one table by device_id, co-located with devices (devices itself: the co-location group's
-- first table). Does nothing without Citus or when the table already is a Citus table.
CREATE FUNCTION citus_ready_distribute(tbl regclass) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  anchor regclass;
BEGIN
  IF NOT citus_ready_active() THEN RETURN false; END IF;
  IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = tbl) THEN RETURN false; END IF;
  -- The existing triggers (0004's guard and tiling check on channel_config_versions) fire on each shard,
  -- where the tiling check reads the shard (0015); scale-rules.md rule 7 forbids new ones.
  PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
  anchor := to_regclass(quote_ident(
    (SELECT nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid WHERE c.oid = tbl))
    || '.devices');
  IF anchor IS NULL OR anchor = tbl THEN
    PERFORM create_distributed_table(tbl, 'device_id');
  ELSE
    PERFORM create_distributed_table(tbl, 'device_id', colocate_with => anchor::text);
  END IF;
  RETURN true;
END
$$;

-- Makes one table a reference table (small catalogues, accounts, settings). Does nothing without Citus or when
-- the table already is a Citus table.
CREATE FUNCTION citus_ready_reference(tbl regclass) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF NOT citus_ready_active() THEN RETURN false; END IF;
  IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = tbl) THEN RETURN false; END IF;
  PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
  PERFORM create_reference_table(tbl);
  RETURN true;
END
$$;

-- Gives every table of the current schema its class; returns how many tables it changed. Citus checks each
-- foreign key as it changes a table, and a key between a table already changed and one not yet changed is
-- refused in one direction or the other: the keys touching the tables to change are lifted first and put back
-- once every table has its class (Citus then checks them: distributed to distributed co-located on device_id,
-- anything to a reference table). devices goes first among the per-meter tables: the others are co-located
-- with it. Partitions follow their parent.
CREATE FUNCTION citus_ready_sweep() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  tbl regclass;
  per_meter boolean;
  changed integer := 0;
  fk record;
  lifted text[] := '{}';
  restore text[] := '{}';
  statement text;
BEGIN
  IF NOT citus_ready_active() THEN RETURN 0; END IF;
  -- DDL on distributed tables earlier in the same transaction must not have opened parallel connections
  -- that the creation of a reference table would then conflict with.
  PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
  CREATE TEMPORARY TABLE citus_ready_todo ON COMMIT DROP AS
    SELECT c.oid::regclass AS tbl,
           EXISTS (SELECT 1 FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attname = 'device_id' AND a.attnotnull AND NOT a.attisdropped
                     AND NOT EXISTS (SELECT 1 FROM pg_index i
                                     WHERE i.indrelid = c.oid AND i.indisunique
                                       AND NOT a.attnum = ANY (i.indkey))) AS per_meter
      FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace
       AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid);
  FOR fk IN
    SELECT f.conrelid::regclass AS tbl, f.conname, pg_get_constraintdef(f.oid) AS def
      FROM pg_constraint f
     WHERE f.contype = 'f'
       AND (f.conrelid IN (SELECT t.tbl FROM citus_ready_todo t) OR f.confrelid IN (SELECT t.tbl FROM citus_ready_todo t))
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    restore := restore || format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.def);
  END LOOP;
  FOR tbl, per_meter IN
    SELECT t.tbl, t.per_meter FROM citus_ready_todo t
     ORDER BY t.per_meter, t.tbl IS DISTINCT FROM to_regclass('devices'), t.tbl::text
  LOOP
    IF per_meter THEN
      PERFORM citus_ready_distribute(tbl);
    ELSE
      PERFORM citus_ready_reference(tbl);
    END IF;
    changed := changed + 1;
  END LOOP;
  FOREACH statement IN ARRAY restore LOOP
    EXECUTE statement;
  END LOOP;
  DROP TABLE citus_ready_todo;
  RETURN changed;
END
$$;

SELECT citus_ready_sweep();
