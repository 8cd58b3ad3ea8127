-- Charts read mean power and current of one device's channels over up to 30 days. Rows are stored in
-- arrival order, so a heap page holds about one minute of the whole fleet and one device's 30 days touch
-- every page of those 30 days: 1 GB of heap read for 170,000 rows (docs/benchmarks.md, Analytics).
-- Carrying the two charted columns in the primary key's leaf pages turns that into an index-only range scan
-- of the one channel's entries, and costs ingestion no second index to maintain: the key stays
-- (device_id, channel, ts), ON CONFLICT still finds it, partitioning or distribution by device still works.
-- On an existing database this rebuilds the key under an exclusive lock (about a minute per 20 million rows).
ALTER TABLE readings
  DROP CONSTRAINT readings_pkey,
  ADD CONSTRAINT readings_pkey PRIMARY KEY (device_id, channel, ts) INCLUDE (apower_w, current_a);
