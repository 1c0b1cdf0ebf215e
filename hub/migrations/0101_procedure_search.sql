-- Procedure search, faster: the columns a result list needs come before the big JSON ones (so
-- ranking thousands of matches never reads overflow pages), names/fields/agencies get their own
-- small full-text index, and document text moves to a second index used as a fallback.
-- The full-text indexes and levels are rebuilt from the rows by Catalogue.reindex
-- (folding needs Python), which the hub runs at start when the counts disagree.

DROP TABLE procedures_fts;
DROP TABLE procedure_levels;

CREATE TABLE procedures_v2 (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_key TEXT NOT NULL,      -- folded name: lower case, no diacritics, đ -> d
    name TEXT NOT NULL,
    field TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT '',
    agency TEXT NOT NULL DEFAULT '',
    processing_time TEXT NOT NULL DEFAULT '',
    fees TEXT NOT NULL DEFAULT '',
    source_url TEXT NOT NULL DEFAULT '',
    updated_at REAL NOT NULL,
    documents TEXT NOT NULL DEFAULT '[]',
    steps TEXT NOT NULL DEFAULT '[]',
    channels TEXT NOT NULL DEFAULT '[]',
    legal_basis TEXT NOT NULL DEFAULT '[]',
    forms TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO procedures_v2 (id, code, name_key, name, field, level, agency, processing_time, fees,
                           source_url, updated_at, documents, steps, channels, legal_basis, forms)
SELECT id, code, name_key, name, field, level, agency, processing_time, fees,
       source_url, updated_at, documents, steps, channels, legal_basis, forms FROM procedures;
DROP TABLE procedures;
ALTER TABLE procedures_v2 RENAME TO procedures;
CREATE INDEX procedures_field ON procedures (field, name_key);
CREATE INDEX procedures_name_key ON procedures (name_key);

CREATE TABLE procedure_levels (
    level TEXT NOT NULL,
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    PRIMARY KEY (level, procedure_id)
) WITHOUT ROWID;

-- rowid = procedures.id in both.
CREATE VIRTUAL TABLE procedures_fts USING fts5 (
    name, field, agency,
    prefix = '1 2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE procedure_documents_fts USING fts5 (
    body,
    prefix = '2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);
