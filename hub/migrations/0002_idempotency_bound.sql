-- Idempotency keys are bound to the request they answered (a digest of method, path and body),
-- and answers that carried a device or session token are no longer kept. The rows written before
-- held such tokens in clear text: drop them (they lived 24 h; a retry of one is simply new).
DELETE FROM idempotency;
ALTER TABLE idempotency ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
