-- SMS lookup (hub/sms/): every message in and out, and parts of long messages still arriving.
-- Phone numbers are kept as keyed hashes (HMAC, key in settings 'sms_phone_key') for counting
-- per number; the number itself only while a reply to it is pending.
CREATE TABLE sms_messages (
    id          INTEGER PRIMARY KEY,
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    phone_hash  TEXT NOT NULL,
    phone       TEXT,                 -- until answered (in) or sent or given up (out), then NULL
    body        TEXT NOT NULL,
    kind        TEXT NOT NULL,        -- dossier | ticket | help | bad_code | unknown | limit
    in_id       INTEGER REFERENCES sms_messages(id),
    dedupe      TEXT UNIQUE,          -- in: set until the modem deleted it, so a message read
                                      -- again after a crash counts once
    state       TEXT NOT NULL CHECK (state IN
                  ('new', 'answered', 'limited', 'queued', 'sending', 'sent', 'failed', 'uncertain')),
    alphabet    TEXT,                 -- out: gsm7 | ucs2
    parts       INTEGER NOT NULL DEFAULT 1,
    parts_sent  INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try_at REAL,
    created_at  REAL NOT NULL,
    done_at     REAL,
    error       TEXT,
    refs        TEXT                  -- out: the network's message references, comma-separated
);
CREATE INDEX sms_queue ON sms_messages (state, next_try_at) WHERE direction = 'out';
CREATE INDEX sms_by_phone ON sms_messages (phone_hash, direction, created_at);

CREATE TABLE sms_parts (
    phone_hash  TEXT NOT NULL,
    phone       TEXT NOT NULL,
    ref         INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    body        TEXT NOT NULL,
    received_at REAL NOT NULL,
    used        INTEGER NOT NULL DEFAULT 0,  -- its message was assembled
    on_sim      INTEGER NOT NULL DEFAULT 1,  -- 0: the modem has deleted it
    PRIMARY KEY (phone_hash, ref, total, seq)
);

-- Optional notices (``[sms] notify_ahead``): a citizen who left a number for a ticket gets one
-- SMS when that many people are ahead. The row, and the number with it, goes once the notice is
-- queued or the ticket leaves the line.
CREATE TABLE sms_watches (
    ticket_id   INTEGER PRIMARY KEY REFERENCES tickets(id),
    phone       TEXT NOT NULL,
    phone_hash  TEXT NOT NULL,
    created_at  REAL NOT NULL
);
