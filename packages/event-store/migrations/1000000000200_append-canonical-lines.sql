-- Up Migration

-- es_append takes the events as their canonical JSON texts (RFC 8785), one per line: canonical JSON
-- has no raw line breaks (control characters in strings are escaped) and no insignificant
-- whitespace, so a newline separates events unambiguously and nothing needs escaping on the way in.
-- Each text is what the chain hashes and, parsed, what the row stores (data, metadata, ids), so the
-- caller sends every event once instead of twice. The earlier jsonb overload stays, so instances
-- still running the previous release keep appending during a rolling upgrade.

CREATE FUNCTION es_append(
  p_stream_id text,
  p_stream_type text,
  p_expected bigint,
  p_canonical_events text,
  p_recorded_at timestamptz,
  p_notify_channel text DEFAULT NULL
) RETURNS TABLE (global_position bigint, stream_version integer, hash text, transaction_id xid8)
LANGUAGE plpgsql AS $$
DECLARE
  v_version integer;
  v_hash text;
  v_canonical text[] := string_to_array(p_canonical_events, E'\n');
  v_count integer := coalesce(array_length(v_canonical, 1), 0);
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
    v_hash := encode(sha256(convert_to(v_hash || v_canonical[i], 'UTF8')), 'hex');
    v_hashes[i] := v_hash;
  END LOOP;

  RETURN QUERY
    INSERT INTO events AS e (stream_id, stream_type, stream_version, event_id, event_type, schema_version,
                             data, metadata, recorded_at, prev_hash, hash)
    SELECT p_stream_id, p_stream_type, v_version + u.n::integer, (u.event ->> 'eventId')::uuid,
           u.event ->> 'type', (u.event ->> 'schemaVersion')::integer, u.event -> 'data', u.event -> 'metadata',
           p_recorded_at, v_prev_hashes[u.n], v_hashes[u.n]
      -- OFFSET 0 keeps the subquery from being inlined, so each text is parsed once, not per column.
      FROM (SELECT c.text::jsonb AS event, c.n FROM unnest(v_canonical) WITH ORDINALITY AS c(text, n) OFFSET 0) AS u
     ORDER BY u.n
    RETURNING e.global_position, e.stream_version, e.hash, e.transaction_id;

  IF p_notify_channel IS NOT NULL THEN
    PERFORM pg_notify(p_notify_channel, p_stream_type);
  END IF;
END;
$$;
