-- The queue: services, counters, staff, devices, tickets, days, the event log and the audit trail.
-- Times are Unix seconds (REAL) so durations are plain subtraction; views format them in the hub's
-- time zone. Nothing is ever deleted: history feeds reports.

CREATE TABLE services (
    code          TEXT PRIMARY KEY,
    name_vi       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    number_start  INTEGER NOT NULL DEFAULT 1,
    digits        INTEGER NOT NULL DEFAULT 3,
    opens_at      TEXT,               -- HH:MM local, NULL = no limit
    closes_at     TEXT,
    daily_limit   INTEGER,            -- NULL = no limit
    position      INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('clerk', 'admin')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    REAL NOT NULL
);

CREATE TABLE counters (
    number        INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('open', 'paused', 'closed')),
    clerk_user_id INTEGER REFERENCES users(id),
    active        INTEGER NOT NULL DEFAULT 1
);

-- The services a counter serves, in its order of preference (rank 0 first).
CREATE TABLE counter_services (
    counter       INTEGER NOT NULL REFERENCES counters(number),
    service       TEXT NOT NULL REFERENCES services(code),
    rank          INTEGER NOT NULL,
    PRIMARY KEY (counter, service)
);

CREATE TABLE devices (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('kiosk', 'display', 'counter')),
    counter       INTEGER,            -- a counter device may be bound to one counter
    token_hash    TEXT NOT NULL UNIQUE,
    enrolled_at   REAL NOT NULL,
    revoked_at    REAL,
    last_seen_at  REAL,
    status        TEXT
);

CREATE TABLE enroll_codes (
    code_hash     TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    counter       INTEGER,
    created_at    REAL NOT NULL,
    expires_at    REAL NOT NULL,
    used_at       REAL,
    device_id     INTEGER
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    counter       INTEGER,
    device_id     INTEGER,
    created_at    REAL NOT NULL,
    expires_at    REAL NOT NULL,
    ended_at      REAL
);

CREATE TABLE days (
    day           TEXT PRIMARY KEY,   -- YYYY-MM-DD of the business day
    opened_at     REAL NOT NULL,
    closed_at     REAL
);

CREATE TABLE tickets (
    id            INTEGER PRIMARY KEY,
    day           TEXT NOT NULL,
    service       TEXT NOT NULL REFERENCES services(code),
    seq           INTEGER NOT NULL,   -- 1, 2, 3 … within (day, first service)
    number_service TEXT NOT NULL,     -- the service that numbered it (a transfer keeps the number)
    number        TEXT NOT NULL,      -- printed form, e.g. A012
    token_hash    TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL CHECK (state IN
                    ('waiting', 'called', 'serving', 'done', 'no_show', 'cancelled')),
    priority      INTEGER NOT NULL DEFAULT 0,
    priority_reason TEXT,
    head          INTEGER NOT NULL DEFAULT 0,  -- 1: transferred, goes before the rest of the line
    target_counter INTEGER,           -- transferred to this counter only
    queued_at     REAL NOT NULL,      -- its place in line
    counter       INTEGER,            -- the counter it was last called to
    issued_at     REAL NOT NULL,
    called_at     REAL,
    started_at    REAL,
    finished_at   REAL,
    recalls       INTEGER NOT NULL DEFAULT 0,
    issued_by_device INTEGER,
    UNIQUE (day, number_service, seq)
);
-- The line of a service: head-of-line transfers, then priority, then the rest, oldest first.
CREATE INDEX tickets_line ON tickets (day, state, service, head, priority, queued_at);
CREATE INDEX tickets_target ON tickets (day, state, target_counter, queued_at);
-- A counter's calls, newest first (its current ticket, its recent priority streak).
CREATE INDEX tickets_counter ON tickets (counter, day, called_at);
CREATE INDEX tickets_current ON tickets (counter, day) WHERE state IN ('called', 'serving');
CREATE INDEX tickets_done ON tickets (service, state, finished_at);

-- The persistent event log: SSE ids, resume after a restart, history for reports.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,  -- dense and never reused (nothing is deleted)
    at            TEXT NOT NULL,
    type          TEXT NOT NULL,
    topic         TEXT NOT NULL,
    payload       TEXT NOT NULL       -- JSON object without id/type/at
);

-- Who did what, when, from which device and address.
CREATE TABLE audit (
    id            INTEGER PRIMARY KEY,
    at            REAL NOT NULL,
    username      TEXT,
    device_id     INTEGER,
    role          TEXT,
    address       TEXT,
    action        TEXT NOT NULL,
    target        TEXT,
    detail        TEXT
);
CREATE INDEX audit_at ON audit (at);

-- Answers to state-changing calls, by (principal, Idempotency-Key), for 24 h.
CREATE TABLE idempotency (
    principal     TEXT NOT NULL,
    key           TEXT NOT NULL,
    status        INTEGER NOT NULL,
    body          TEXT NOT NULL,
    created_at    REAL NOT NULL,
    PRIMARY KEY (principal, key)
);

CREATE TABLE ratings (
    ticket_id     INTEGER PRIMARY KEY REFERENCES tickets(id),
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    counter       INTEGER,
    clerk         TEXT,
    at            REAL NOT NULL
);

CREATE TABLE print_reports (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL,
    device_id     INTEGER,
    ok            INTEGER NOT NULL,
    detail        TEXT,
    at            REAL NOT NULL
);

CREATE TABLE settings (
    key           TEXT PRIMARY KEY,
    value         TEXT NOT NULL
);
