-- Reports (hub/reports): who served each ticket, summary tables for past days, a tally of dossier
-- lookups, and indexes for the dossier indicators.
--
-- The clerk a ticket was served by: the queue writes tickets without it, so a trigger copies the
-- username of the clerk logged in at the ticket's counter whenever the ticket is called, served or
-- finished there (a transfer to another counter takes that counter's clerk). Older tickets keep
-- NULL; their ratings still name the clerk.
ALTER TABLE tickets ADD COLUMN clerk TEXT;
CREATE TRIGGER tickets_clerk_on_update AFTER UPDATE OF state, counter ON tickets
WHEN NEW.counter IS NOT NULL AND NEW.state IN ('called', 'serving', 'done', 'no_show')
 AND (OLD.state IS NOT NEW.state OR OLD.counter IS NOT NEW.counter)
BEGIN
    UPDATE tickets SET clerk = coalesce(
        (SELECT u.username FROM counters c JOIN users u ON u.id = c.clerk_user_id
          WHERE c.number = NEW.counter), clerk)
     WHERE id = NEW.id;
END;
CREATE TRIGGER tickets_clerk_on_insert AFTER INSERT ON tickets
WHEN NEW.counter IS NOT NULL AND NEW.clerk IS NULL
BEGIN
    UPDATE tickets SET clerk =
        (SELECT u.username FROM counters c JOIN users u ON u.id = c.clerk_user_id
          WHERE c.number = NEW.counter)
     WHERE id = NEW.id;
END;

-- Past days are read from summaries built once per day (lazily, the first time a report covers
-- the day after it ended); today is always computed from the tickets themselves. A day is in
-- report_days while its summary is current: any change to one of its tickets or ratings (an
-- offline upload, a backfill, a late rating) takes it out, and the next report rebuilds it.
CREATE TABLE report_days (
    day           TEXT PRIMARY KEY,
    built_at      REAL NOT NULL
) WITHOUT ROWID;

-- Per day and per dimension value: dim is 'all' (key ''), 'service' (its code), 'counter' (its
-- number as text) or 'clerk' (the username); '' where a ticket has none (never called).
CREATE TABLE report_counts (
    dim           TEXT NOT NULL,
    day           TEXT NOT NULL,
    key           TEXT NOT NULL,
    issued        INTEGER NOT NULL,
    served        INTEGER NOT NULL,
    no_show       INTEGER NOT NULL,
    cancelled     INTEGER NOT NULL,
    backfilled    INTEGER NOT NULL,   -- entered afterwards (paper, offline): not in the times
    wait_max      REAL,               -- seconds, issue to call
    service_max   REAL,               -- seconds, start (or call) to finish
    r1 INTEGER NOT NULL, r2 INTEGER NOT NULL, r3 INTEGER NOT NULL,
    r4 INTEGER NOT NULL, r5 INTEGER NOT NULL,  -- ratings by level (1 best … 5 worst)
    PRIMARY KEY (dim, day, key)
) WITHOUT ROWID;

-- Wait and service times as histograms of whole minutes, so medians and 90th percentiles over
-- any run of days add up exactly to the minute.
CREATE TABLE report_minutes (
    dim           TEXT NOT NULL,
    day           TEXT NOT NULL,
    key           TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('wait', 'service')),
    minute        INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (dim, day, key, kind, minute)
) WITHOUT ROWID;

-- Tickets issued per hour of the day (local time).
CREATE TABLE report_hours (
    dim           TEXT NOT NULL,
    day           TEXT NOT NULL,
    key           TEXT NOT NULL,
    hour          INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (dim, day, key, hour)
) WITHOUT ROWID;

CREATE TRIGGER report_stale_on_ticket_insert AFTER INSERT ON tickets
BEGIN
    DELETE FROM report_days WHERE day = NEW.day;
END;
CREATE TRIGGER report_stale_on_ticket_update AFTER UPDATE ON tickets
BEGIN
    DELETE FROM report_days WHERE day = NEW.day;
END;
CREATE TRIGGER report_stale_on_rating AFTER INSERT ON ratings
BEGIN
    DELETE FROM report_days WHERE day = (SELECT day FROM tickets WHERE id = NEW.ticket_id);
END;

-- Dossier lookups per day, by channel (kiosk, web; SMS is counted from sms_messages) and by
-- where the answer came from (cache, upstream, not_found, unavailable).
CREATE TABLE lookup_tally (
    day           TEXT NOT NULL,
    channel       TEXT NOT NULL,
    source        TEXT NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (day, channel, source)
) WITHOUT ROWID;

-- The Decision 766 indicators read dossiers by the day they were settled and the day they were
-- received; these cover both queries (no table lookups).
CREATE INDEX dossiers_settled ON dossiers (
    coalesce(finished_at, returned_at), procedure_code, due_at, status);
CREATE INDEX dossiers_received ON dossiers (received_at, procedure_code, channel);
CREATE INDEX sms_dossier_in ON sms_messages (created_at) WHERE direction = 'in';
