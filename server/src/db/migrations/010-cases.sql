-- Cases (issue 5): lifecycle open → acknowledged → resolved → closed, at most one active case per
-- (site, root cause, fault) even with several server instances; the case log (who did what, when); case events
-- waiting to be grouped into notifications; the notification outbox; maintenance windows.
CREATE TABLE cases (
  id BIGSERIAL PRIMARY KEY,
  site_id TEXT NOT NULL,
  root_cause TEXT NOT NULL,
  fault TEXT NOT NULL,
  segment TEXT,
  responsible TEXT,
  side TEXT NOT NULL,
  severity TEXT NOT NULL,
  priority INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved', 'closed')),
  flapping BOOLEAN NOT NULL DEFAULT false,
  site_wide BOOLEAN NOT NULL DEFAULT false,
  recurrence_of BIGINT REFERENCES cases(id),
  affected JSONB NOT NULL,
  detail JSONB NOT NULL,
  signature TEXT NOT NULL,
  assignee TEXT,
  first_seen TIMESTAMPTZ NOT NULL,
  opened_at TIMESTAMPTZ NOT NULL,
  last_seen TIMESTAMPTZ NOT NULL,
  repeat_count INTEGER NOT NULL DEFAULT 0,
  acknowledged_at TIMESTAMPTZ,
  acknowledged_by TEXT,
  resolved_at TIMESTAMPTZ,
  resolved_by TEXT,
  closed_at TIMESTAMPTZ,
  closed_by TEXT,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX cases_one_active ON cases (site_id, root_cause, fault) WHERE state IN ('open', 'acknowledged');
CREATE INDEX cases_by_state ON cases (state, priority DESC, id DESC);
CREATE INDEX cases_by_site ON cases (site_id, id DESC);
CREATE INDEX cases_recurrence ON cases (site_id, root_cause, fault, resolved_at DESC);
CREATE INDEX cases_site_wide ON cases (opened_at, resolved_at) WHERE site_wide;

CREATE TABLE case_log (
  id BIGSERIAL PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  at TIMESTAMPTZ NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail JSONB
);
CREATE INDEX case_log_by_case ON case_log (case_id, id);

-- One row per case event that notifies (opened, resolved, root-cause-found); grouped per site into messages.
CREATE TABLE case_events (
  id BIGSERIAL PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  site_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  -- Silenced by a maintenance window: recorded, never sent.
  suppressed BOOLEAN NOT NULL DEFAULT false,
  grouped_at TIMESTAMPTZ,
  group_key TEXT
);
CREATE INDEX case_events_pending ON case_events (site_id, id) WHERE grouped_at IS NULL AND NOT suppressed;

-- The durable outbox: one row per message per notifier; a restart loses nothing.
CREATE TABLE notifications (
  id BIGSERIAL PRIMARY KEY,
  notifier TEXT NOT NULL,
  site_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ,
  locked_until TIMESTAMPTZ,
  payload JSONB NOT NULL,
  case_ids JSONB NOT NULL,
  events JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  sent_at TIMESTAMPTZ,
  last_error TEXT,
  UNIQUE (notifier, idempotency_key)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX notifications_dead ON notifications (id DESC) WHERE state = 'dead';

CREATE TABLE maintenance_windows (
  id BIGSERIAL PRIMARY KEY,
  site_id TEXT NOT NULL,
  device_id TEXT,
  starts_at TIMESTAMPTZ NOT NULL,
  ends_at TIMESTAMPTZ NOT NULL CHECK (ends_at > starts_at),
  reason TEXT,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX maintenance_by_site ON maintenance_windows (site_id, ends_at);
