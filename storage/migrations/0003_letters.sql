-- Agenda surat keluar: every signed reply letter, numbered per year without gaps.
CREATE TABLE outgoing_register (
    id                INTEGER PRIMARY KEY,
    year              INTEGER NOT NULL,
    sequence          INTEGER NOT NULL,
    number            TEXT NOT NULL UNIQUE,
    request_id        INTEGER NOT NULL REFERENCES requests(id),
    kind              TEXT NOT NULL,
    addressee         TEXT NOT NULL,
    subject           TEXT NOT NULL,
    signed_by         INTEGER REFERENCES people(id),
    signed_acting     TEXT,
    signed_at         TEXT NOT NULL,
    verification_code TEXT NOT NULL UNIQUE,
    pdf_path          TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    delivered_at      TEXT,
    received_at       TEXT,
    UNIQUE (year, sequence)
);
CREATE INDEX outgoing_register_request ON outgoing_register(request_id);

-- The subdomains this bot created (the product's own register, beside DNS itself).
CREATE TABLE subdomains (
    id         INTEGER PRIMARY KEY,
    label      TEXT NOT NULL,
    request_id INTEGER REFERENCES requests(id),
    records    TEXT NOT NULL,  -- JSON list of [name, type, value, ttl]
    serial     INTEGER,
    created_at TEXT NOT NULL,
    removed_at TEXT,
    removed_by INTEGER REFERENCES people(id)
);
CREATE UNIQUE INDEX subdomains_live_label ON subdomains(label) WHERE removed_at IS NULL;
