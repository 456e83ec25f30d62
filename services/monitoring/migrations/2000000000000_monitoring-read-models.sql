-- Up Migration

-- Read models of the monitoring service. Every table here except history_reads is a projection of
-- the service's event store and is emptied and replayed by a rebuild; rows carry only what the
-- events carry (no now()), so a rebuilt table equals the live one.

-- Homes as matching publishes them (home-<urn> streams hold the received events).
CREATE TABLE monitoring_homes (
  urn text PRIMARY KEY,
  name text,
  provider_id text,
  provider_name text,
  la text,
  postcode text,
  sector text,
  registered_at timestamptz,
  registration_status text,
  admissions_restricted boolean,
  -- [{ "at": instant, "status": "registered" | "suspended" | "cancelled" }] in arrival order.
  registration_history jsonb NOT NULL DEFAULT '[]',
  ofsted_judgement text,
  ofsted_date date
);
CREATE INDEX monitoring_homes_provider ON monitoring_homes (provider_id);

-- Children with a placement history (one history-<placingLa>-<childRef> stream each).
CREATE TABLE monitoring_children (
  stream_id text PRIMARY KEY,
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  entries integer NOT NULL,
  first_recorded_at timestamptz NOT NULL,
  last_recorded_at timestamptz NOT NULL,
  UNIQUE (placing_la, child_ref)
);

-- Placements from the children's histories: who lives where, from when to when.
CREATE TABLE monitoring_placements (
  placement_id uuid PRIMARY KEY,
  referral_id uuid,
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  home_urn text NOT NULL,
  provider_id text NOT NULL,
  host_la text NOT NULL,
  out_of_area boolean NOT NULL,
  at_distance boolean NOT NULL,
  distance_miles numeric,
  over_20_miles boolean,
  placement_type text,
  placement_provider text,
  home_postcode text,
  required_approval text,
  planned_start date,
  emergency boolean,
  status text NOT NULL,
  start_date date,
  end_date date,
  reason_ended text,
  previous_placement_id uuid,
  next_placement_id uuid,
  place_change_reason text,
  approval_missing boolean,
  proposed_at timestamptz,
  started_at timestamptz,
  ended_at timestamptz
);
CREATE INDEX monitoring_placements_home ON monitoring_placements (home_urn, start_date);
CREATE INDEX monitoring_placements_child ON monitoring_placements (placing_la, child_ref);
CREATE INDEX monitoring_placements_start ON monitoring_placements (start_date);

-- Statutory notices about children's placements, for notification-compliance analytics.
CREATE TABLE monitoring_notices (
  notification_id uuid PRIMARY KEY,
  kind text,
  recipient_org text,
  placement_id uuid,
  placing_la text,
  child_ref text,
  host_la text,
  home_urn text,
  due_by date,
  placement_start date,
  raised_at timestamptz,
  delivered_at timestamptz,
  sent_before_start boolean,
  acknowledged_at timestamptz,
  overdue_at timestamptz
);
CREATE INDEX monitoring_notices_la ON monitoring_notices (placing_la, raised_at);

-- Reg 44 visits, the overdue facts, Reg 45 reviews and Reg 40 serious events recorded here.
CREATE TABLE reg44_visits (
  visit_id uuid PRIMARY KEY,
  event_id uuid NOT NULL,
  urn text NOT NULL,
  provider_id text NOT NULL,
  visit_date date NOT NULL,
  report_date date NOT NULL,
  visitor_name text NOT NULL,
  announced boolean NOT NULL,
  children_safeguarded text NOT NULL,
  wellbeing_promoted text NOT NULL,
  summary text NOT NULL,
  recommendations jsonb NOT NULL,
  conflict_of_interest text NOT NULL,
  placements jsonb NOT NULL,
  recorded_at timestamptz NOT NULL,
  recorded_by jsonb
);
CREATE INDEX reg44_visits_home ON reg44_visits (urn, visit_date);

CREATE TABLE reg44_overdue (
  urn text NOT NULL,
  month text NOT NULL,
  provider_id text NOT NULL,
  placements jsonb NOT NULL,
  detected_at timestamptz NOT NULL,
  PRIMARY KEY (urn, month)
);

CREATE TABLE reg45_reviews (
  review_id uuid PRIMARY KEY,
  urn text NOT NULL,
  provider_id text NOT NULL,
  completed_on date NOT NULL,
  report_sent_on date,
  report_due_by date NOT NULL,
  report_late boolean NOT NULL,
  summary text NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX reg45_reviews_home ON reg45_reviews (urn, completed_on);

CREATE TABLE serious_events (
  serious_event_id uuid PRIMARY KEY,
  event_id uuid NOT NULL,
  urn text NOT NULL,
  provider_id text NOT NULL,
  category text NOT NULL,
  occurred_at timestamptz NOT NULL,
  placement_id uuid,
  placing_la text,
  child_ref text,
  -- Sealed with the named child's key when a child is named: erasure reaches this table too.
  summary jsonb NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX serious_events_home ON serious_events (urn, occurred_at);

-- Who read or exported which child's history, when. Not a projection: it is a primary record,
-- append-only like the event log (the guard triggers also make the service role INSERT/SELECT only).
CREATE TABLE history_reads (
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
CREATE INDEX history_reads_child ON history_reads (placing_la, child_ref, id);

CREATE TRIGGER history_reads_append_only_row BEFORE UPDATE OR DELETE ON history_reads
  FOR EACH ROW EXECUTE FUNCTION append_only_guard();
CREATE TRIGGER history_reads_append_only_truncate BEFORE TRUNCATE ON history_reads
  FOR EACH STATEMENT EXECUTE FUNCTION append_only_guard();

-- The intake finds a child from a placement id alone (a notice naming only the placement) in the
-- histories themselves when the placements read model has not caught up yet.
CREATE INDEX events_history_placement ON events ((data->>'placementId'))
  WHERE stream_type = 'history' AND event_type IN ('PlacementProposed', 'PlacementStarted');
