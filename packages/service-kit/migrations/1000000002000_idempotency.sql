-- Up Migration

-- Responses to writes sent with an Idempotency-Key, per organisation: a retried request gets the
-- first response back. A row without a status is a request still in progress.
CREATE TABLE idempotency_keys (
  org text NOT NULL,
  idempotency_key text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  headers jsonb,
  body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  PRIMARY KEY (org, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
