-- @socket.io/postgres-adapter keeps packets larger than a NOTIFY payload here (used only with PostgreSQL).
CREATE TABLE IF NOT EXISTS socket_io_attachments (
  id BIGSERIAL UNIQUE,
  created_at TIMESTAMPTZ DEFAULT now(),
  payload BYTEA
);
