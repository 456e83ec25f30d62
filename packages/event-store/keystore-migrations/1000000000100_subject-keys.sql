-- Up Migration

-- Per-child data keys for personal fields, wrapped (AES-256-GCM) by the key-encryption key from
-- configuration. Erasure clears wrapped_key and stamps erased_at: every ciphertext encrypted
-- under that key becomes unreadable, in every service and on every topic.
CREATE TABLE subject_keys (
  subject_id text PRIMARY KEY,
  wrapped_key bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at timestamptz,
  CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);
