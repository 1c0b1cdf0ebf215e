-- Work goes on when the hub is down (the regulation: receive and return by hand when the system
-- fails, and enter it afterwards).
--
-- Each morning a kiosk is given a block of numbers per service that only it may issue, offline
-- if it must; the hub's own numbering never uses them. A block sits past the service's daily
-- limit (or high in its numbering when it has none), so an offline number is told apart at a
-- glance (A301 where the day stops at A300).
CREATE TABLE number_blocks (
    day           TEXT NOT NULL,
    service       TEXT NOT NULL REFERENCES services(code),
    device_id     INTEGER NOT NULL REFERENCES devices(id),
    first_seq     INTEGER NOT NULL,
    last_seq      INTEGER NOT NULL CHECK (last_seq >= first_seq),
    created_at    REAL NOT NULL,
    PRIMARY KEY (day, service, device_id)
);

-- Where a ticket came from: issued by the hub, issued by a kiosk from its block while it could
-- not reach the hub ('offline', taken in when it was back), or written on paper and entered by a
-- clerk afterwards ('paper'; its seq is negative, outside the hub's numbering).
ALTER TABLE tickets ADD COLUMN origin TEXT NOT NULL DEFAULT 'hub'
    CHECK (origin IN ('hub', 'offline', 'paper'));
-- Set when a clerk entered the ticket's service afterwards (backfill): its times are what the
-- clerk wrote down, not what the hub saw. Reports tell these apart.
ALTER TABLE tickets ADD COLUMN backfilled_at REAL;
ALTER TABLE tickets ADD COLUMN backfilled_by TEXT;
