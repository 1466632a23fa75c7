-- People and the positions they hold in the office.
CREATE TABLE people (
    id               INTEGER PRIMARY KEY,
    telegram_user_id INTEGER UNIQUE,
    name             TEXT NOT NULL,
    nip              TEXT,
    rank             TEXT,
    title            TEXT,
    phone            TEXT,
    created_at       TEXT NOT NULL
);

CREATE TABLE positions (
    id          INTEGER PRIMARY KEY,
    position    TEXT NOT NULL
                CHECK (position IN ('kepala_dinas', 'kabid', 'kasi', 'staf_prakom', 'admin')),
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    acting      TEXT CHECK (acting IN ('plt', 'plh')),
    valid_from  TEXT,  -- ISO date, inclusive; NULL = open
    valid_until TEXT,  -- ISO date, inclusive; NULL = open
    UNIQUE (position, person_id)
);

-- Regional agencies (SKPD) and the people who may submit for them.
CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    head_title TEXT  -- addressee of reply letters, e.g. "Kepala Dinas Kesehatan Kabupaten Balangan"
);

CREATE TABLE agency_contacts (
    agency_id INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (agency_id, person_id)
);

CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,  -- SD-2026-0001
    year            INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    agency_id       INTEGER NOT NULL REFERENCES agencies(id),
    requester_id    INTEGER NOT NULL REFERENCES people(id),
    subdomain       TEXT NOT NULL,          -- the ASCII label
    purpose         TEXT NOT NULL,
    target_kind     TEXT NOT NULL CHECK (target_kind IN ('ip', 'cname', 'hosting')),
    target_value    TEXT,
    contact_name    TEXT,
    contact_phone   TEXT,
    letter_number   TEXT NOT NULL,
    letter_date     TEXT NOT NULL,
    letter_file_ref TEXT,
    state           TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    outcome         TEXT,
    assignee_id     INTEGER REFERENCES people(id),
    state_since     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX requests_state ON requests(state);
CREATE INDEX requests_requester ON requests(requester_id);

-- Every transition: who, in which position (acting or not), when, from, to, what.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    at          TEXT NOT NULL,
    actor_id    INTEGER REFERENCES people(id),  -- NULL: the system
    actor_role  TEXT,
    acting      TEXT,
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    instruction TEXT,
    note        TEXT,
    details     TEXT  -- JSON
);
CREATE INDEX audit_request ON audit(request_id, id);

-- Agenda surat masuk: one agenda number per incoming letter and year.
CREATE TABLE incoming_register (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    agenda_number INTEGER NOT NULL,
    request_id    INTEGER NOT NULL UNIQUE REFERENCES requests(id),
    received_at   TEXT NOT NULL,
    sender        TEXT NOT NULL,
    letter_number TEXT NOT NULL,
    letter_date   TEXT NOT NULL,
    subject       TEXT NOT NULL,
    UNIQUE (year, agenda_number)
);

-- Messages owed to chats; the dispatcher is the only sender.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,  -- JSON
    request_id  INTEGER REFERENCES requests(id),
    created_at  TEXT NOT NULL,
    not_before  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    sent_at     TEXT,
    result      TEXT
);
CREATE INDEX outbox_pending ON outbox(id) WHERE sent_at IS NULL;
