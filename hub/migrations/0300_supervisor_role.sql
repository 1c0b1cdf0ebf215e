-- A third staff role: the supervisor (tổ trưởng) runs the day, the notice and the hours from the
-- office console, but manages neither accounts nor devices.
--
-- Widening a CHECK changes no stored row, so the schema text is edited in place, as SQLite's
-- ALTER TABLE documentation allows for CHECK changes (rebuilding `users` would trip the foreign
-- keys of counters and sessions that point at it). RESET makes this connection reread the text;
-- the table created and dropped bumps the schema cookie so every other open connection does too.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, 'CHECK (role IN (''clerk'', ''admin''))',
                          'CHECK (role IN (''clerk'', ''supervisor'', ''admin''))')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_cookie_bump (x INTEGER);
DROP TABLE schema_cookie_bump;
