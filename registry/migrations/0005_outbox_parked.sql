-- A record the national registry refuses for a reason of its own (not an
-- outage) is parked: kept with the reason for the authority's operators, out
-- of the delivery queue so that it does not hold up the records behind it,
-- until an operator puts it back (registry.Store.Unpark).
ALTER TABLE outbox ADD COLUMN parked_at BIGINT;
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE delivered_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_parked ON outbox (parked_at, uvci) WHERE parked_at IS NOT NULL;
