-- Up Migration

-- Rejects any change to a row of an append-only table. Tables protected by this trigger are
-- also recognised by grant_service_role (event-store privileges.ts): the service role receives
-- only SELECT and INSERT on them.
CREATE FUNCTION append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'ES403', HINT = 'Record a new event instead of changing history.';
END;
$$;

CREATE TABLE events (
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  stream_type text NOT NULL,
  stream_version integer NOT NULL CHECK (stream_version > 0),
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  schema_version integer NOT NULL DEFAULT 1,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  CONSTRAINT events_pkey PRIMARY KEY (stream_id, stream_version),
  CONSTRAINT events_event_id_key UNIQUE (event_id)
);

-- Readers page through the log in (transaction_id, global_position) order.
CREATE INDEX events_global_order ON events (transaction_id, global_position);

CREATE TRIGGER events_append_only_row BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();
CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard();

-- Appends events to one stream in one round trip. p_expected: a version (>= 0, 0 meaning the
-- stream must not exist), -1 for "any", -2 for "stream must exist". p_events is a JSON array of
-- {"id", "type", "schemaVersion", "data", "metadata", "canonical"}: the caller supplies each
-- event's canonical JSON (RFC 8785) so the chain hash is computed here, where the previous hash is
-- known: hash = sha256(prev_hash || canonical), hex, with 64 zeros before the first event.
-- A concurrent append that wins the race makes the PRIMARY KEY reject this one (SQLSTATE 23505).
CREATE FUNCTION es_append(
  p_stream_id text,
  p_stream_type text,
  p_expected bigint,
  p_events jsonb,
  p_recorded_at timestamptz,
  p_notify_channel text DEFAULT NULL
) RETURNS TABLE (global_position bigint, stream_version integer, hash text, transaction_id xid8)
LANGUAGE plpgsql AS $$
DECLARE
  v_version integer;
  v_hash text;
  v_count integer := jsonb_array_length(p_events);
  v_prev_hashes text[] := array_fill(NULL::text, ARRAY[v_count]);
  v_hashes text[] := array_fill(NULL::text, ARRAY[v_count]);
  i integer;
BEGIN
  SELECT e.stream_version, e.hash INTO v_version, v_hash
    FROM events e WHERE e.stream_id = p_stream_id
    ORDER BY e.stream_version DESC LIMIT 1;
  v_version := coalesce(v_version, 0);
  v_hash := coalesce(v_hash, repeat('0', 64));

  IF (p_expected >= 0 AND v_version <> p_expected) OR (p_expected = -2 AND v_version = 0) THEN
    RAISE EXCEPTION 'stream % is at version %, expected %', p_stream_id, v_version, p_expected
      USING ERRCODE = 'ES409', DETAIL = v_version::text;
  END IF;

  FOR i IN 1 .. v_count LOOP
    v_prev_hashes[i] := v_hash;
    v_hash := encode(sha256(convert_to(v_hash || (p_events -> (i - 1) ->> 'canonical'), 'UTF8')), 'hex');
    v_hashes[i] := v_hash;
  END LOOP;

  RETURN QUERY
    INSERT INTO events AS e (stream_id, stream_type, stream_version, event_id, event_type, schema_version,
                             data, metadata, recorded_at, prev_hash, hash)
    SELECT p_stream_id, p_stream_type, v_version + u.n::integer, (u.item ->> 'id')::uuid, u.item ->> 'type',
           (u.item ->> 'schemaVersion')::integer, u.item -> 'data', u.item -> 'metadata', p_recorded_at,
           v_prev_hashes[u.n], v_hashes[u.n]
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS u(item, n)
     ORDER BY u.n
    RETURNING e.global_position, e.stream_version, e.hash, e.transaction_id;

  IF p_notify_channel IS NOT NULL THEN
    PERFORM pg_notify(p_notify_channel, p_stream_type);
  END IF;
END;
$$;

-- The read horizon: readers see only events of transactions below it, all of them finished, so
-- nothing can later commit "behind" a reader's checkpoint. It is the oldest transaction still in
-- progress in the current snapshot, ignoring transactions that pg_stat_activity (read after the
-- snapshot) shows in another database: those never write this table, and a long transaction in
-- another service's database must not stall this one's readers. A transaction whose database
-- cannot be seen (no pg_read_all_stats, already finished, prepared) counts as this database's,
-- which only delays readers. With no transaction in progress it is the snapshot's xmax.
CREATE FUNCTION es_read_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $$
  WITH snapshot AS (SELECT pg_current_snapshot() AS s),
  elsewhere AS (
    SELECT backend_xid::text::bigint AS xid32
      FROM pg_stat_activity
     WHERE backend_xid IS NOT NULL AND datname IS NOT NULL AND datname <> current_database()
  )
  SELECT coalesce(
    (SELECT min(x) FROM snapshot, pg_snapshot_xip(snapshot.s) AS x
      WHERE (x::text::bigint % 4294967296) NOT IN (SELECT xid32 FROM elsewhere)),
    (SELECT pg_snapshot_xmax(s) FROM snapshot))
$$;

-- Durable positions of in-database subscribers (projections, the outbox relay).
CREATE TABLE subscription_checkpoints (
  subscription_name text PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT '0'::xid8,
  global_position bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
