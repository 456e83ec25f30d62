-- Up Migration

-- Read models of commissioning intelligence. Every table is a projection of the `commissioning-*`
-- fact streams (packages/commissioning/src/intake), so a rebuild empties them and replays the log.
-- None of them holds personal data about a child: a referral keeps an age band and sex, never a
-- date of birth, postcode, ethnicity, views or locations; shortlists keep no home identifiers next
-- to distances (distances from the child's home to known homes would locate the child).

CREATE TABLE commissioning_referrals (
  referral_id uuid PRIMARY KEY,
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  age_band text NOT NULL,
  sex text NOT NULL,
  urgency text NOT NULL,
  needs jsonb NOT NULL,
  need_profile text NOT NULL,
  need_band text NOT NULL,
  referral_version integer NOT NULL DEFAULT 1,
  submitted_at timestamptz NOT NULL,
  -- The date in England on which the referral was submitted: periods and months are English dates.
  submitted_on date NOT NULL,
  status text NOT NULL CHECK (status IN ('submitted', 'placed', 'withdrawn')),
  status_changed_at timestamptz
);
CREATE INDEX commissioning_referrals_period ON commissioning_referrals (submitted_on);
CREATE INDEX commissioning_referrals_la ON commissioning_referrals (placing_la, submitted_on);

-- The latest shortlist per referral (highest referral version).
CREATE TABLE commissioning_shortlists (
  referral_id uuid PRIMARY KEY,
  referral_version integer NOT NULL,
  placing_la text NOT NULL,
  generated_at timestamptz NOT NULL,
  homes_considered integer NOT NULL,
  candidate_count integer NOT NULL,
  in_area_candidates integer NOT NULL,
  nearest_candidate_miles numeric,
  exclusion_counts jsonb NOT NULL,
  -- [{ "rules": [...], "distanceMiles": n }] without URNs.
  nearest_excluded jsonb NOT NULL
);

CREATE TABLE commissioning_homes (
  urn text PRIMARY KEY,
  name text NOT NULL,
  provider_id text NOT NULL,
  provider_name text NOT NULL,
  parent_group text,
  sector text NOT NULL,
  la text NOT NULL,
  region text,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  registered_places integer NOT NULL,
  age_min integer NOT NULL,
  age_max integer NOT NULL,
  sexes text[] NOT NULL,
  single_placement boolean NOT NULL DEFAULT false,
  -- { "<domain>": <max intensity rank 1..3> }
  needs_met jsonb NOT NULL,
  weekly_fee numeric NOT NULL,
  contract_route text NOT NULL,
  admissions_open boolean NOT NULL,
  registration_status text NOT NULL DEFAULT 'registered',
  admissions_restricted boolean NOT NULL DEFAULT false,
  ofsted_judgement text,
  ofsted_date date,
  registered_at timestamptz NOT NULL
);
CREATE INDEX commissioning_homes_la ON commissioning_homes (la);

CREATE TABLE commissioning_offers (
  offer_id uuid PRIMARY KEY,
  referral_id uuid NOT NULL,
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  home_urn text NOT NULL,
  provider_id text NOT NULL,
  status text NOT NULL,
  sent_at timestamptz,
  responded_at timestamptz,
  decline_reason text,
  weekly_fee numeric
);
CREATE INDEX commissioning_offers_home ON commissioning_offers (home_urn, status);
CREATE INDEX commissioning_offers_la ON commissioning_offers (placing_la, sent_at);

CREATE TABLE commissioning_placements (
  placement_id uuid PRIMARY KEY,
  referral_id uuid NOT NULL,
  offer_id uuid,
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  home_urn text NOT NULL,
  provider_id text NOT NULL,
  host_la text NOT NULL,
  out_of_area boolean NOT NULL,
  at_distance boolean NOT NULL,
  distance_miles numeric,
  over_20_miles boolean,
  emergency boolean,
  required_approval text,
  approval_missing boolean,
  planned_start date,
  start_date date,
  end_date date,
  reason_ended text,
  previous_placement_id uuid,
  next_placement_id uuid,
  place_change_reason text,
  weekly_fee numeric,
  status text NOT NULL,
  proposed_at timestamptz
);
CREATE INDEX commissioning_placements_la ON commissioning_placements (placing_la, child_ref);
CREATE INDEX commissioning_placements_host ON commissioning_placements (host_la);
CREATE INDEX commissioning_placements_home ON commissioning_placements (home_urn);
CREATE INDEX commissioning_placements_offer ON commissioning_placements (offer_id);

CREATE TABLE commissioning_notices (
  notification_id uuid PRIMARY KEY,
  kind text NOT NULL,
  recipient_org text NOT NULL,
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
CREATE INDEX commissioning_notices_placement ON commissioning_notices (placement_id);
CREATE INDEX commissioning_notices_recipient ON commissioning_notices (recipient_org);

CREATE TABLE commissioning_reg44_visits (
  visit_id uuid PRIMARY KEY,
  urn text NOT NULL,
  provider_id text NOT NULL,
  visit_date date NOT NULL,
  children_safeguarded text NOT NULL,
  wellbeing_promoted text NOT NULL,
  report_date date NOT NULL
);
CREATE INDEX commissioning_reg44_visits_home ON commissioning_reg44_visits (urn, visit_date);

CREATE TABLE commissioning_reg44_overdue (
  urn text NOT NULL,
  month text NOT NULL,
  provider_id text NOT NULL,
  detected_at timestamptz NOT NULL,
  PRIMARY KEY (urn, month)
);

-- Children erased (SubjectErased): the sha256 of their key-store subject id and the pseudonym their
-- rows carry instead of the LA's child id. Facts about the child recorded later are projected
-- under the pseudonym too. Counts stay: an age band and a sex identify no one.
CREATE TABLE commissioning_erasures (
  subject_hash text PRIMARY KEY,
  pseudonym text NOT NULL,
  erased_at timestamptz NOT NULL
);
