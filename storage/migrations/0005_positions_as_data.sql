-- Positions are data: the SOP table names them, so the database no longer lists the allowed
-- ones. SQLite cannot drop a CHECK constraint, hence the rebuild (create, copy, drop, rename).
-- Nothing references `positions`, and its only index is the UNIQUE one, recreated with it.
CREATE TABLE positions_new (
    id          INTEGER PRIMARY KEY,
    position    TEXT NOT NULL,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    acting      TEXT CHECK (acting IN ('plt', 'plh')),
    valid_from  TEXT,  -- ISO date, inclusive; NULL = open
    valid_until TEXT,  -- ISO date, inclusive; NULL = open
    UNIQUE (position, person_id)
);
INSERT INTO positions_new (id, position, person_id, acting, valid_from, valid_until)
    SELECT id, position, person_id, acting, valid_from, valid_until FROM positions;
DROP TABLE positions;
ALTER TABLE positions_new RENAME TO positions;
