-- When the stored view was written (the statement's clock, inside the transaction that makes it
-- readable): the end of "referral submitted → shortlist readable" as the service itself saw it.
ALTER TABLE shortlists ADD COLUMN stored_at timestamptz NOT NULL DEFAULT clock_timestamp();
