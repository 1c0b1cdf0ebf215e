-- The outbox: what the hub reports to the agency's back end (queue events, ratings, daily
-- summaries), written in the same transaction as the change it reports, delivered at least once.
--
-- An item reporting an event keeps only the event's id: its data is read from the event log
-- (nothing is deleted there), so the hot path writes one small row per event. A daily summary
-- has no event of its own and carries its data in ``payload``. AUTOINCREMENT: an id is never
-- reused after delivered rows are pruned, since the item's idempotency key is made from it.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    REAL NOT NULL,
    type          TEXT NOT NULL,      -- the event's type, or 'day.summary'
    event_id      INTEGER,            -- the event it reports, if any
    payload       TEXT,               -- the item's data when it is not read from the event log
    delivered_at  REAL,               -- the back end answered 2xx for it
    failed_at     REAL,               -- refused as malformed (4xx): kept, not retried until requeued
    error         TEXT
);
-- What is left to deliver, oldest first (the worker's every read, the console's count).
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;

-- The days a summary was queued for, and how many times (a day closed, reopened and closed
-- again is summarized again, as a new revision).
CREATE TABLE outbox_days (
    day           TEXT PRIMARY KEY,
    revision      INTEGER NOT NULL
);
