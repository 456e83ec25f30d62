-- Up Migration

-- Homes with their occupancy (projection `homes`, rebuildable from the home streams). `state` is
-- the folded Home aggregate, so the projection applies the same evolve as the command side.
CREATE TABLE homes (
  urn text PRIMARY KEY,
  provider_id text NOT NULL,
  la text NOT NULL,
  name text NOT NULL,
  registration_status text NOT NULL,
  admissions_restricted boolean NOT NULL,
  admissions_open boolean NOT NULL,
  registered_places integer NOT NULL,
  reserved_places integer NOT NULL,
  occupied_places integer NOT NULL,
  free_places integer GENERATED ALWAYS AS (GREATEST(registered_places - reserved_places - occupied_places, 0)) STORED,
  ofsted_judgement text,
  ofsted_date text,
  previous_judgement text,
  profile jsonb NOT NULL,
  state jsonb NOT NULL,
  version integer NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX homes_la ON homes (la, urn);
CREATE INDEX homes_provider ON homes (provider_id, urn);

-- What matching keeps of each referral (written by the referral consumer). The child's details
-- and locations stay sealed with the child's key, opened only to compute.
CREATE TABLE referral_snapshots (
  referral_id uuid PRIMARY KEY,
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  referral_version integer NOT NULL,
  status text NOT NULL,
  needs jsonb NOT NULL,
  risks jsonb NOT NULL,
  requirements jsonb NOT NULL,
  child jsonb NOT NULL,
  locations jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Shortlists as the API serves them (every candidate and every excluded home), one per referral
-- version. Against a national registry a shortlist is hundreds of kilobytes of JSON, so it is
-- stored once, gzip-compressed, and sent as stored to clients that accept gzip.
CREATE TABLE shortlists (
  referral_id uuid NOT NULL,
  referral_version integer NOT NULL,
  placing_la text NOT NULL,
  generated_at timestamptz NOT NULL,
  candidate_count integer NOT NULL,
  excluded_count integer NOT NULL,
  response_gzip bytea NOT NULL,
  PRIMARY KEY (referral_id, referral_version)
);
-- Already compressed: stored out of line without a second (pointless) compression.
ALTER TABLE shortlists ALTER COLUMN response_gzip SET STORAGE EXTERNAL;

-- Offers inbox (projection `offers`). Notes are not copied: the single-offer read opens them.
CREATE TABLE offers (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  referral_id uuid NOT NULL,
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  home_urn text NOT NULL,
  provider_id text NOT NULL,
  status text NOT NULL,
  sent_at timestamptz NOT NULL,
  accepted_at timestamptz,
  weekly_fee numeric,
  earliest_start text,
  reservation_expires_at timestamptz,
  decline_reason text,
  closed_at timestamptz,
  placement_id uuid,
  place_occupied boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX offers_seq ON offers (seq);
CREATE INDEX offers_provider ON offers (provider_id, seq);
CREATE INDEX offers_placing_la ON offers (placing_la, seq);
CREATE INDEX offers_referral ON offers (referral_id, home_urn);
CREATE INDEX offers_lapse ON offers (reservation_expires_at) WHERE status = 'accepted' AND NOT place_occupied;

-- Placements by child (projection `placements`).
CREATE TABLE placements (
  id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  referral_id uuid NOT NULL,
  offer_id uuid NOT NULL,
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  home_urn text NOT NULL,
  provider_id text NOT NULL,
  host_la text NOT NULL,
  status text NOT NULL,
  out_of_area boolean NOT NULL,
  at_distance boolean NOT NULL,
  over_20_miles boolean NOT NULL,
  distance_miles numeric NOT NULL,
  required_approval text,
  emergency boolean NOT NULL,
  planned_start text NOT NULL,
  start_date text,
  end_date text,
  reason_ended text,
  approval_missing boolean NOT NULL DEFAULT false,
  previous_placement_id uuid,
  next_placement_id uuid,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX placements_seq ON placements (seq);
CREATE INDEX placements_child ON placements (placing_la, child_ref, seq);
CREATE INDEX placements_provider ON placements (provider_id, seq);
