-- Keys and checks every engine accepts, Citus included (issue 20, decision record 0014). Runs unchanged on
-- PostgreSQL, PGlite and a Citus coordinator; nothing here needs the citus extension.
--
-- Table classes (scale-rules.md, rule 1): cycle_refresh_queue and channel_config_versions are distributed by
-- device_id. Their keys held the identity column alone (rule 2), so Citus refused them.

-- The queue's entries are per channel: device_id joins the key. Every statement already filters by device_id.
ALTER TABLE cycle_refresh_queue DROP CONSTRAINT cycle_refresh_queue_pkey;
ALTER TABLE cycle_refresh_queue ADD CONSTRAINT cycle_refresh_queue_pkey PRIMARY KEY (device_id, id);

-- A correction points at the version it replaces, which is always of the same meter: device_id joins the key,
-- the uniqueness of supersedes_id and the self-reference.
ALTER TABLE channel_config_versions DROP CONSTRAINT channel_config_versions_supersedes_id_fkey;
ALTER TABLE channel_config_versions DROP CONSTRAINT channel_config_versions_supersedes_id_key;
ALTER TABLE channel_config_versions DROP CONSTRAINT channel_config_versions_pkey;
ALTER TABLE channel_config_versions ADD CONSTRAINT channel_config_versions_pkey PRIMARY KEY (device_id, id);
ALTER TABLE channel_config_versions
  ADD CONSTRAINT channel_config_versions_supersedes_key UNIQUE (device_id, supersedes_id),
  ADD CONSTRAINT channel_config_versions_supersedes_fkey FOREIGN KEY (device_id, supersedes_id)
    REFERENCES channel_config_versions (device_id, id);

-- The tiling check of 0004 named the table; on Citus the trigger fires on a shard, whose rows are those of the
-- shard's meters only, and a query naming the distributed table from there would leave the shard. The table
-- the trigger fires on (TG_RELID) is the shard there, the table itself elsewhere: the same check on both.
CREATE OR REPLACE FUNCTION channel_config_versions_check_tiling() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed_device text;
  changed_channel smallint;
  open_rows integer;
  dangling integer;
  live_rows integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    changed_device := OLD.device_id; changed_channel := OLD.channel;
  ELSE
    changed_device := NEW.device_id; changed_channel := NEW.channel;
  END IF;
  EXECUTE format(
    'SELECT count(*),
            count(*) FILTER (WHERE v.effective_to IS NULL),
            count(*) FILTER (WHERE v.effective_to IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM %1$s n
              WHERE n.device_id = v.device_id AND n.channel = v.channel AND n.superseded_at IS NULL
                AND n.effective_from = v.effective_to))
       FROM %1$s v
      WHERE v.device_id = $1 AND v.channel = $2 AND v.superseded_at IS NULL', TG_RELID::regclass)
    INTO live_rows, open_rows, dangling
    USING changed_device, changed_channel;
  IF live_rows > 0 AND (open_rows <> 1 OR dangling > 0) THEN
    RAISE EXCEPTION 'configuration history of % channel % has a gap or no open version',
      changed_device, changed_channel USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END
$$;
