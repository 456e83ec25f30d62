-- Up Migration

-- Messages a consumer group has already applied. The handler's writes and this row commit in
-- one transaction, so a redelivered message finds its row and is skipped.
CREATE TABLE inbox (
  consumer_group text NOT NULL,
  source text NOT NULL,
  message_id text NOT NULL,
  event_type text NOT NULL,
  topic text NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset bigint NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, source, message_id)
);
