-- Agent events (reboot outcomes, image analysis, outbox drops, config reloads) for the device view's history.
-- (site, seq) is unique: events share the agent's persisted sequence, so a replayed event is stored once.
CREATE TABLE agent_events (
  id BIGSERIAL PRIMARY KEY,
  site_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  device TEXT,
  kind TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  data JSONB,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (site_id, seq)
);
CREATE INDEX agent_events_device ON agent_events (site_id, device, at DESC);
