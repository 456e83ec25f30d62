-- Up Migration

-- One open referral per child and placing LA: a submitted referral is open; placed and withdrawn
-- release the child. The claim follows the log itself: a trigger on the event log inserts the row
-- when ReferralSubmitted is appended and deletes it when ReferralWithdrawn or ReferralPlaced is,
-- in the same statement as the append. The primary key therefore decides between two concurrent
-- submissions for one child (the loser's append fails whole), and no code path can append an
-- event without its claim following.
CREATE TABLE referral_open_children (
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  referral_id uuid NOT NULL UNIQUE,
  opened_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (placing_la, child_ref)
);

CREATE FUNCTION referral_open_children_follow_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.event_type = 'ReferralSubmitted' THEN
    INSERT INTO referral_open_children (placing_la, child_ref, referral_id)
    VALUES (NEW.data ->> 'placingLa', NEW.data ->> 'childRef', (NEW.data ->> 'referralId')::uuid);
  ELSE
    DELETE FROM referral_open_children WHERE referral_id = (NEW.data ->> 'referralId')::uuid;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER referral_open_children_follow_log AFTER INSERT ON events
  FOR EACH ROW
  WHEN (NEW.event_type IN ('ReferralSubmitted', 'ReferralWithdrawn', 'ReferralPlaced'))
  EXECUTE FUNCTION referral_open_children_follow_log();

-- Read model for GET /v1/referrals, written only by the `referral-list` projection and
-- rebuildable from the log. `document` is the referral's state with personal fields still
-- sealed, so erasing a child's key reaches this table too. Every column is derived from events
-- (no now()), so a rebuild from zero reproduces the table exactly.
CREATE TABLE referral_list (
  referral_id uuid PRIMARY KEY,
  placing_la text NOT NULL,
  child_ref text NOT NULL,
  status text NOT NULL,
  version integer NOT NULL,
  -- Global position of the ReferralSubmitted event: the stable order of the list and its cursor.
  list_position bigint NOT NULL UNIQUE,
  submitted_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  document jsonb NOT NULL
);

CREATE INDEX referral_list_by_la ON referral_list (placing_la, list_position DESC);
CREATE INDEX referral_list_by_child ON referral_list (placing_la, child_ref, list_position DESC);
CREATE INDEX referral_list_by_status ON referral_list (placing_la, status, list_position DESC);
CREATE INDEX referral_list_by_status_all ON referral_list (status, list_position DESC);
CREATE INDEX referral_list_by_child_all ON referral_list (child_ref, list_position DESC);
