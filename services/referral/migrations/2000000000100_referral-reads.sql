-- Up Migration

-- Who read which child's referral, and when (and who erased a child, and why). Not a projection:
-- a primary record, append-only like the event log (the guard triggers also leave the service
-- role only INSERT and SELECT). Same shape as the monitoring service's history_reads.
CREATE TABLE referral_reads (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  read_at timestamptz NOT NULL,
  sub text NOT NULL,
  org text NOT NULL,
  roles text[] NOT NULL,
  action text NOT NULL,
  placing_la text NOT NULL,
  child_ref text,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX referral_reads_child ON referral_reads (placing_la, child_ref, id);

CREATE TRIGGER referral_reads_append_only_row BEFORE UPDATE OR DELETE ON referral_reads
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();
CREATE TRIGGER referral_reads_append_only_truncate BEFORE TRUNCATE ON referral_reads
  FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard();
