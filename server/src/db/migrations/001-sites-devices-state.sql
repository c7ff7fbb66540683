-- Sites, devices with their current state, and the audit log.
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  name TEXT,
  region TEXT,
  contract_id TEXT,
  inventory JSONB,
  agent_id TEXT,
  agent_state TEXT NOT NULL DEFAULT 'unknown',
  agent_since TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seq BIGINT NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE devices (
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  segment TEXT,
  parent TEXT,
  spec JSONB,
  state TEXT NOT NULL DEFAULT 'UNKNOWN',
  since TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_sample TIMESTAMPTZ,
  status JSONB,
  PRIMARY KEY (site_id, id)
);
CREATE TABLE audit (
  id BIGSERIAL PRIMARY KEY,
  at TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  detail JSONB
);
    
