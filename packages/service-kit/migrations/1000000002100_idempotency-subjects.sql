-- Up Migration

-- A stored response that is personal data about a child names the child's key-store subject: its
-- body is stored sealed with that child's data key (so erasure makes it unreadable, backups
-- included) and the row is deleted when the child is erased (SubjectErased).
ALTER TABLE idempotency_keys ADD COLUMN subject_id text;
CREATE INDEX idempotency_keys_subject ON idempotency_keys (subject_id) WHERE subject_id IS NOT NULL;
