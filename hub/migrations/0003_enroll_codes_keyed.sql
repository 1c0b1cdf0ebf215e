-- Enrolment codes are now eight digits kept as an HMAC under the key beside the database. Codes
-- not yet used were six digits kept as a bare SHA-256 (open to an offline search): expire them.
UPDATE enroll_codes SET expires_at = 0 WHERE used_at IS NULL AND code_hash NOT LIKE 'h1:%';
