-- Duplicate drop that survives a restart and holds across server instances (issue 4 §1): every telemetry
-- batch is claimed here before it is stored; the primary key lets exactly one claim of (site, seq) win.
-- batch_at (the batch's own time) tells a replay (same time) from an agent whose sequence restarted.
CREATE TABLE processed_batches (
  site_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  batch_at TEXT NOT NULL DEFAULT '',
  claimed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (site_id, seq)
);
CREATE INDEX processed_batches_claimed_at ON processed_batches (claimed_at);
-- Per site: the high-water mark (largest seq claimed) and the floor below which claims were pruned
-- (anything at or under the floor is a duplicate by definition).
CREATE TABLE site_seq (
  site_id TEXT PRIMARY KEY,
  high_water BIGINT NOT NULL DEFAULT 0,
  floor BIGINT NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
