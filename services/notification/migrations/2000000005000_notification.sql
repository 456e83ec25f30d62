-- Up Migration

-- One row per statutory obligation, written in the same transaction as the NotificationRaised
-- append: the primary key is what makes "exactly one notice per obligation" hold under
-- redelivery, replays and concurrent consumers. It also keeps the thin webhook body, so every
-- delivery of the notice sends the same bytes.
CREATE TABLE notification_obligations (
  obligation text PRIMARY KEY,
  notification_id uuid NOT NULL UNIQUE,
  recipient_org text NOT NULL,
  kind text NOT NULL,
  webhook_body text NOT NULL,
  raised_at timestamptz NOT NULL
);
CREATE INDEX notification_obligations_recipient ON notification_obligations (recipient_org, kind);

-- What this service knows about placements from the matching service's events: who is involved,
-- whether it is out of area, and when it actually started (for sentBeforeStart).
CREATE TABLE placement_facts (
  placement_id uuid PRIMARY KEY,
  placing_la text NOT NULL,
  host_la text NOT NULL,
  home_urn text NOT NULL,
  out_of_area boolean NOT NULL,
  emergency boolean,
  planned_start date,
  start_date date,
  end_date date,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Webhook subscriptions, kept in step with the `subscription-<uuid>` streams in the same
-- transaction as each append. The signing secret is stored only as AES-256-GCM ciphertext.
CREATE TABLE webhook_subscriptions (
  subscription_id uuid PRIMARY KEY,
  org text NOT NULL,
  url text NOT NULL,
  event_types text[] NOT NULL,
  secret_ciphertext text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'disabled', 'deleted')),
  created_at timestamptz NOT NULL,
  disabled_at timestamptz,
  disabled_reason text,
  version integer NOT NULL
);
CREATE INDEX webhook_subscriptions_org ON webhook_subscriptions (org, status);

-- Work queue of the delivery worker: one row per (notice, subscription). Claimed with
-- FOR UPDATE SKIP LOCKED and leased while the request is in flight, so several instances share
-- the work and a crashed one's deliveries are picked up again when the lease runs out.
CREATE TABLE webhook_deliveries (
  notification_id uuid NOT NULL,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (subscription_id),
  webhook_id text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('pending', 'in-flight', 'delivered', 'abandoned', 'cancelled')),
  attempt integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until timestamptz,
  first_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (notification_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
  WHERE status IN ('pending', 'in-flight');
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, status);

-- Every attempt, as it happened: the delivery log GET /v1/notifications/{id} returns.
-- Append-only: the service role may only insert and read it.
CREATE TABLE webhook_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  notification_id uuid NOT NULL,
  subscription_id uuid NOT NULL,
  webhook_id text NOT NULL,
  attempt integer NOT NULL,
  attempted_at timestamptz NOT NULL,
  duration_ms integer NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'failed', 'gone', 'refused')),
  status_code integer,
  error text,
  next_attempt_at timestamptz
);
CREATE INDEX webhook_attempts_notification ON webhook_attempts (notification_id, id);
CREATE TRIGGER webhook_attempts_append_only_row BEFORE UPDATE OR DELETE ON webhook_attempts
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();
CREATE TRIGGER webhook_attempts_append_only_truncate BEFORE TRUNCATE ON webhook_attempts
  FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard();

-- Read model of notices (projection of the `notification` streams) for lists, compliance and
-- the overdue schedule.
CREATE TABLE notifications (
  notification_id uuid PRIMARY KEY,
  kind text NOT NULL,
  recipient_org text NOT NULL,
  placement_id uuid,
  placing_la text,
  host_la text,
  home_urn text,
  due_by date NOT NULL,
  placement_start date,
  obligation text NOT NULL,
  raised_at timestamptz NOT NULL,
  delivered_at timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by text,
  overdue_at timestamptz,
  failed_attempts integer NOT NULL DEFAULT 0,
  version integer NOT NULL,
  status text GENERATED ALWAYS AS (
    CASE
      WHEN acknowledged_at IS NOT NULL THEN 'acknowledged'
      WHEN delivered_at IS NOT NULL THEN 'delivered'
      WHEN overdue_at IS NOT NULL THEN 'overdue'
      ELSE 'pending'
    END
  ) STORED
);
CREATE INDEX notifications_recipient ON notifications (recipient_org, raised_at DESC);
CREATE INDEX notifications_placing_la ON notifications (placing_la, raised_at DESC);
CREATE INDEX notifications_outstanding ON notifications (due_by)
  WHERE delivered_at IS NULL AND acknowledged_at IS NULL AND overdue_at IS NULL;
