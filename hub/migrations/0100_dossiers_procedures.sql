-- Dossier cache, procedure catalogue and upstream bookkeeping (hub/dossiers, hub/procedures*,
-- hub/upstream). Applicant names are stored masked only; the adapter drops everything else
-- personal before a record gets here.

CREATE TABLE dossiers (
    code TEXT PRIMARY KEY,
    procedure_code TEXT,
    procedure_name TEXT,
    applicant_masked TEXT,
    received_at TEXT,          -- ISO 8601 with offset
    due_at TEXT,
    finished_at TEXT,
    returned_at TEXT,
    status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    channel TEXT,              -- in_person | online | post
    steps TEXT NOT NULL DEFAULT '[]',  -- JSON list of {name, unit, started_at, finished_at}
    fetched_at REAL NOT NULL,  -- unix time the hub last heard about it from the back end
    source TEXT NOT NULL DEFAULT 'sync'  -- sync | lookup | webhook | import
) WITHOUT ROWID;

CREATE TABLE upstream_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Webhook deliveries seen recently, so a replayed request is refused.
CREATE TABLE webhook_deliveries (
    delivery_id TEXT PRIMARY KEY,
    received_at REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE procedures (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    field TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT '',
    agency TEXT NOT NULL DEFAULT '',
    processing_time TEXT NOT NULL DEFAULT '',
    fees TEXT NOT NULL DEFAULT '',
    documents TEXT NOT NULL DEFAULT '[]',
    steps TEXT NOT NULL DEFAULT '[]',
    channels TEXT NOT NULL DEFAULT '[]',
    legal_basis TEXT NOT NULL DEFAULT '[]',
    forms TEXT NOT NULL DEFAULT '[]',
    source_url TEXT NOT NULL DEFAULT '',
    name_key TEXT NOT NULL,      -- folded name: lower case, no diacritics, đ -> d
    updated_at REAL NOT NULL
);
CREATE INDEX procedures_field ON procedures (field, name_key);
CREATE INDEX procedures_name_key ON procedures (name_key);

-- One row per level a procedure is carried out at ("Cấp bộ, Cấp tỉnh" gives two).
CREATE TABLE procedure_levels (
    level TEXT NOT NULL,
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    PRIMARY KEY (level, procedure_id)
) WITHOUT ROWID;

-- Full-text index over folded text; rowid = procedures.id.
CREATE VIRTUAL TABLE procedures_fts USING fts5 (
    name, field, agency, body,
    prefix = '1 2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);
