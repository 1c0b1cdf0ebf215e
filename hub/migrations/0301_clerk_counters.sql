-- Which counters a clerk may work at (set in the console by an admin or a supervisor). A clerk
-- with no rows here may log in at any counter, as before this table existed.
CREATE TABLE user_counters (
    user_id INTEGER NOT NULL REFERENCES users (id),
    counter INTEGER NOT NULL REFERENCES counters (number),
    PRIMARY KEY (user_id, counter)
) WITHOUT ROWID;
