-- Procedure search that finds what a citizen means (hub/catalogue):
-- * raw: the procedure's text as the back end sent it (JSON), kept for the "văn bản gốc" view
--   while the columns hold the cleaned, readable text; '' for rows imported before this
--   migration, which the hub cleans at start (Catalogue.reclean).
-- * procedure_synonyms: how people speak -> the catalogue's words, seeded from the shipped
--   hub/catalogue/synonyms.toml (source 'shipped'); rows a clerk adds (source 'local') win and are
--   never overwritten by a newer shipped list.
-- * procedure_popularity: how often each procedure was opened at this office, decayed over time
--   (score as of `at`, unix time).
-- * catalogue_settings: this office's level and fields, preferred in the ranking.

ALTER TABLE procedures ADD COLUMN raw TEXT NOT NULL DEFAULT '';

CREATE TABLE procedure_synonyms (
    phrase TEXT PRIMARY KEY,     -- folded: lower case, no diacritics ("so do")
    expansion TEXT NOT NULL,     -- the catalogue's words, folded ("giay chung nhan quyen su dung dat")
    source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('shipped', 'local'))
) WITHOUT ROWID;

CREATE TABLE procedure_popularity (
    code TEXT PRIMARY KEY,
    score REAL NOT NULL,
    at REAL NOT NULL
) WITHOUT ROWID;

CREATE TABLE catalogue_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL          -- JSON
) WITHOUT ROWID;
