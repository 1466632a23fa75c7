-- One-time invite links (`https://t.me/<bot>?start=CODE`): whoever opens one is bound to an
-- office position, or becomes a contact of an agency. Only the SHA-256 of the code is kept, so a
-- copy of the database cannot be used to redeem an invite. A code works once, until expires_at.
CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    code_sha256 TEXT NOT NULL UNIQUE,
    position    TEXT,                                -- an office position, or ...
    agency_id   INTEGER REFERENCES agencies(id),     -- ... a contact of this agency
    name        TEXT NOT NULL,                       -- as the admin wrote it
    nip         TEXT,
    rank        TEXT,
    title       TEXT,
    acting      TEXT CHECK (acting IN ('plt', 'plh')),
    valid_from  TEXT,  -- ISO date (acting officials)
    valid_until TEXT,  -- ISO date (acting officials)
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER,  -- Telegram user id of whoever redeemed it
    CHECK ((position IS NULL) <> (agency_id IS NULL))
);
