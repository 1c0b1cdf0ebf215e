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

-- A finished month is also kept added up, under day 'MYYYY-MM' (after every YYYY-MM-DD, so a
-- range of days never takes it in): a year's report then reads twelve rows per key, not 250.
-- A change to a day drops that day's summary and its month's.
CREATE TRIGGER report_stale_on_ticket_insert AFTER INSERT ON tickets
BEGIN
    DELETE FROM report_days WHERE day IN (NEW.day, 'M' || substr(NEW.day, 1, 7));
END;
CREATE TRIGGER report_stale_on_ticket_update AFTER UPDATE ON tickets
BEGIN
    DELETE FROM report_days WHERE day IN (NEW.day, 'M' || substr(NEW.day, 1, 7));
END;
CREATE TRIGGER report_stale_on_rating AFTER INSERT ON ratings
BEGIN
    DELETE FROM report_days WHERE day IN (SELECT day FROM tickets WHERE id = NEW.ticket_id
                                          UNION SELECT 'M' || substr(day, 1, 7) FROM tickets
                                          WHERE id = NEW.ticket_id);
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

-- The Decision 766 indicators read daily counts of dossiers, kept by triggers as the cache
-- changes: settled per day of finish (or return) and procedure, split by timeliness; received
-- per day, procedure and channel. Each change also counts under its month ('MYYYY-MM', as
-- above), so a year is read from twelve rows per procedure. The cache writes with INSERT OR
-- REPLACE, whose implicit delete fires no trigger, so a BEFORE INSERT trigger takes out what
-- the row being replaced had added.
CREATE TABLE dossier_settled_days (
    day           TEXT NOT NULL,      -- YYYY-MM-DD of the finish (or return), or MYYYY-MM
    procedure_code TEXT NOT NULL,
    early         INTEGER NOT NULL,   -- finished before the appointment day (trước hạn)
    on_time       INTEGER NOT NULL,   -- on the appointment day (đúng hạn)
    late          INTEGER NOT NULL,   -- after it (quá hạn)
    no_deadline   INTEGER NOT NULL,   -- no appointment day known
    PRIMARY KEY (day, procedure_code)
) WITHOUT ROWID;
CREATE TABLE dossier_received_days (
    day           TEXT NOT NULL,      -- YYYY-MM-DD of receipt, or MYYYY-MM
    procedure_code TEXT NOT NULL,
    channel       TEXT NOT NULL,      -- in_person | online | post | ''
    n             INTEGER NOT NULL,
    PRIMARY KEY (day, procedure_code, channel)
) WITHOUT ROWID;

CREATE TRIGGER dossier_days_before_insert BEFORE INSERT ON dossiers
BEGIN
    INSERT INTO dossier_settled_days (day, procedure_code, early, on_time, late, no_deadline)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, -coalesce(d < due, 0),
           -coalesce(d = due, 0), -coalesce(d > due, 0), -(due IS NULL)
      FROM (SELECT substr(coalesce(o.finished_at, o.returned_at), 1, 10) AS d,
                   substr(o.due_at, 1, 10) AS due,
                   coalesce(o.procedure_code, '') AS pc, o.status AS st FROM dossiers o WHERE o.code = NEW.code),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE st IN (9, 10) AND d IS NOT NULL
    ON CONFLICT (day, procedure_code) DO UPDATE SET early = early + excluded.early,
        on_time = on_time + excluded.on_time, late = late + excluded.late,
        no_deadline = no_deadline + excluded.no_deadline;
    INSERT INTO dossier_received_days (day, procedure_code, channel, n)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, ch, -1
      FROM (SELECT substr(o.received_at, 1, 10) AS d,
                   coalesce(o.procedure_code, '') AS pc,
                   coalesce(o.channel, '') AS ch FROM dossiers o WHERE o.code = NEW.code),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE d IS NOT NULL
    ON CONFLICT (day, procedure_code, channel) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER dossier_days_after_insert AFTER INSERT ON dossiers
BEGIN
    INSERT INTO dossier_settled_days (day, procedure_code, early, on_time, late, no_deadline)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, coalesce(d < due, 0),
           coalesce(d = due, 0), coalesce(d > due, 0), (due IS NULL)
      FROM (SELECT substr(coalesce(NEW.finished_at, NEW.returned_at), 1, 10) AS d,
                   substr(NEW.due_at, 1, 10) AS due,
                   coalesce(NEW.procedure_code, '') AS pc, NEW.status AS st),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE st IN (9, 10) AND d IS NOT NULL
    ON CONFLICT (day, procedure_code) DO UPDATE SET early = early + excluded.early,
        on_time = on_time + excluded.on_time, late = late + excluded.late,
        no_deadline = no_deadline + excluded.no_deadline;
    INSERT INTO dossier_received_days (day, procedure_code, channel, n)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, ch, 1
      FROM (SELECT substr(NEW.received_at, 1, 10) AS d,
                   coalesce(NEW.procedure_code, '') AS pc,
                   coalesce(NEW.channel, '') AS ch),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE d IS NOT NULL
    ON CONFLICT (day, procedure_code, channel) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER dossier_days_after_update AFTER UPDATE ON dossiers
BEGIN
    INSERT INTO dossier_settled_days (day, procedure_code, early, on_time, late, no_deadline)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, -coalesce(d < due, 0),
           -coalesce(d = due, 0), -coalesce(d > due, 0), -(due IS NULL)
      FROM (SELECT substr(coalesce(OLD.finished_at, OLD.returned_at), 1, 10) AS d,
                   substr(OLD.due_at, 1, 10) AS due,
                   coalesce(OLD.procedure_code, '') AS pc, OLD.status AS st),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE st IN (9, 10) AND d IS NOT NULL
    ON CONFLICT (day, procedure_code) DO UPDATE SET early = early + excluded.early,
        on_time = on_time + excluded.on_time, late = late + excluded.late,
        no_deadline = no_deadline + excluded.no_deadline;
    INSERT INTO dossier_received_days (day, procedure_code, channel, n)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, ch, -1
      FROM (SELECT substr(OLD.received_at, 1, 10) AS d,
                   coalesce(OLD.procedure_code, '') AS pc,
                   coalesce(OLD.channel, '') AS ch),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE d IS NOT NULL
    ON CONFLICT (day, procedure_code, channel) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dossier_settled_days (day, procedure_code, early, on_time, late, no_deadline)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, coalesce(d < due, 0),
           coalesce(d = due, 0), coalesce(d > due, 0), (due IS NULL)
      FROM (SELECT substr(coalesce(NEW.finished_at, NEW.returned_at), 1, 10) AS d,
                   substr(NEW.due_at, 1, 10) AS due,
                   coalesce(NEW.procedure_code, '') AS pc, NEW.status AS st),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE st IN (9, 10) AND d IS NOT NULL
    ON CONFLICT (day, procedure_code) DO UPDATE SET early = early + excluded.early,
        on_time = on_time + excluded.on_time, late = late + excluded.late,
        no_deadline = no_deadline + excluded.no_deadline;
    INSERT INTO dossier_received_days (day, procedure_code, channel, n)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, ch, 1
      FROM (SELECT substr(NEW.received_at, 1, 10) AS d,
                   coalesce(NEW.procedure_code, '') AS pc,
                   coalesce(NEW.channel, '') AS ch),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE d IS NOT NULL
    ON CONFLICT (day, procedure_code, channel) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER dossier_days_after_delete AFTER DELETE ON dossiers
BEGIN
    INSERT INTO dossier_settled_days (day, procedure_code, early, on_time, late, no_deadline)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, -coalesce(d < due, 0),
           -coalesce(d = due, 0), -coalesce(d > due, 0), -(due IS NULL)
      FROM (SELECT substr(coalesce(OLD.finished_at, OLD.returned_at), 1, 10) AS d,
                   substr(OLD.due_at, 1, 10) AS due,
                   coalesce(OLD.procedure_code, '') AS pc, OLD.status AS st),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE st IN (9, 10) AND d IS NOT NULL
    ON CONFLICT (day, procedure_code) DO UPDATE SET early = early + excluded.early,
        on_time = on_time + excluded.on_time, late = late + excluded.late,
        no_deadline = no_deadline + excluded.no_deadline;
    INSERT INTO dossier_received_days (day, procedure_code, channel, n)
    SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END, pc, ch, -1
      FROM (SELECT substr(OLD.received_at, 1, 10) AS d,
                   coalesce(OLD.procedure_code, '') AS pc,
                   coalesce(OLD.channel, '') AS ch),
           (SELECT 0 AS m UNION ALL SELECT 1)
     WHERE d IS NOT NULL
    ON CONFLICT (day, procedure_code, channel) DO UPDATE SET n = n + excluded.n;
END;

-- The dossiers already cached, by day and by month.
INSERT INTO dossier_settled_days (day, procedure_code, early, on_time, late, no_deadline)
SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END AS k, pc,
       sum(coalesce(d < due, 0)), sum(coalesce(d = due, 0)), sum(coalesce(d > due, 0)),
       sum(due IS NULL)
  FROM (SELECT substr(coalesce(finished_at, returned_at), 1, 10) AS d,
               substr(due_at, 1, 10) AS due, coalesce(procedure_code, '') AS pc
          FROM dossiers WHERE status IN (9, 10)),
       (SELECT 0 AS m UNION ALL SELECT 1)
 WHERE d IS NOT NULL GROUP BY k, pc;
INSERT INTO dossier_received_days (day, procedure_code, channel, n)
SELECT CASE m WHEN 0 THEN d ELSE 'M' || substr(d, 1, 7) END AS k, pc, ch, count(*)
  FROM (SELECT substr(received_at, 1, 10) AS d, coalesce(procedure_code, '') AS pc,
               coalesce(channel, '') AS ch FROM dossiers WHERE received_at IS NOT NULL),
       (SELECT 0 AS m UNION ALL SELECT 1)
 GROUP BY k, pc, ch;
CREATE INDEX sms_dossier_in ON sms_messages (created_at) WHERE direction = 'in';
