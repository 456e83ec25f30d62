-- Up Migration

-- es_append_batch appends to several streams in one statement and one transaction: the appends a
-- process makes in one turn of its event loop, outside any transaction of its own. Each stream
-- goes through es_append in array order (the caller sorts by stream id, so two batches lock
-- streams in the same order and cannot deadlock); `n` says which append a row answers. Any failure
-- fails the whole batch and nothing of it is written: the caller then appends each on its own, so
-- every append still gets its own answer or its own error. The events come as one text, each
-- stream's canonical lines (as es_append takes them) separated by the record separator U+001E,
-- which canonical JSON never holds raw (it escapes every control character): a text[] parameter
-- would have the driver escape every quote of every event on the way in.

CREATE FUNCTION es_append_batch(
  p_stream_ids text[],
  p_stream_types text[],
  p_expected bigint[],
  p_canonical_events text,
  p_recorded_at timestamptz[],
  p_notify_channel text DEFAULT NULL
) RETURNS TABLE (n integer, global_position bigint, stream_version integer, hash text, transaction_id xid8)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_streams text[] := string_to_array(p_canonical_events, E'\x1e');
  i integer;
BEGIN
  IF coalesce(array_length(v_streams, 1), 0) <> coalesce(array_length(p_stream_ids, 1), 0) THEN
    RAISE EXCEPTION 'es_append_batch: % streams named, % sent', coalesce(array_length(p_stream_ids, 1), 0),
      coalesce(array_length(v_streams, 1), 0);
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_stream_ids, 1), 0) LOOP
    RETURN QUERY
      SELECT i, a.global_position, a.stream_version, a.hash, a.transaction_id
        FROM es_append(p_stream_ids[i], p_stream_types[i], p_expected[i], v_streams[i],
                       p_recorded_at[i], p_notify_channel) AS a;
  END LOOP;
END;
$$;
