-- The subdomain register: every name in the zone, not only those the bot created. Names that
-- existed before the bot come in by `register import` (origin 'imported', owner unknown until
-- an admin assigns one). `removed_at` stays the "live" test the code already uses; `status`
-- also says whether a live name is suspended.
ALTER TABLE subdomains ADD COLUMN origin TEXT NOT NULL DEFAULT 'created'
    CHECK (origin IN ('created', 'imported'));
ALTER TABLE subdomains ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'suspended', 'removed'));
ALTER TABLE subdomains ADD COLUMN agency_id INTEGER REFERENCES agencies(id);
ALTER TABLE subdomains ADD COLUMN purpose TEXT;
ALTER TABLE subdomains ADD COLUMN target TEXT;          -- "A 10.0.0.5", "CNAME host." ...
ALTER TABLE subdomains ADD COLUMN admin_contact TEXT;
ALTER TABLE subdomains ADD COLUMN tech_contact TEXT;
ALTER TABLE subdomains ADD COLUMN changed_at TEXT;      -- the records last changed
ALTER TABLE subdomains ADD COLUMN confirmed_at TEXT;    -- the owner last confirmed it in use

UPDATE subdomains SET status = 'removed' WHERE removed_at IS NOT NULL;
UPDATE subdomains SET
    agency_id = (SELECT agency_id FROM requests WHERE requests.id = subdomains.request_id),
    purpose = (SELECT purpose FROM requests WHERE requests.id = subdomains.request_id),
    admin_contact = (SELECT contact_name FROM requests WHERE requests.id = subdomains.request_id),
    target = json_extract(records, '$[0][1]') || ' ' || json_extract(records, '$[0][2]'),
    confirmed_at = created_at
  WHERE request_id IS NOT NULL;

-- A name the bot creates takes its owner, purpose, contact and target from its request.
CREATE TRIGGER subdomains_from_request AFTER INSERT ON subdomains
  WHEN NEW.request_id IS NOT NULL AND NEW.agency_id IS NULL
BEGIN
  UPDATE subdomains SET
    agency_id = (SELECT agency_id FROM requests WHERE id = NEW.request_id),
    purpose = (SELECT purpose FROM requests WHERE id = NEW.request_id),
    admin_contact = (SELECT contact_name FROM requests WHERE id = NEW.request_id),
    target = json_extract(NEW.records, '$[0][1]') || ' ' || json_extract(NEW.records, '$[0][2]'),
    confirmed_at = NEW.created_at
  WHERE id = NEW.id;
END;
-- Removal (record remove, later a deactivation) keeps status in step with removed_at.
CREATE TRIGGER subdomains_removed AFTER UPDATE OF removed_at ON subdomains
  WHEN NEW.removed_at IS NOT NULL AND NEW.status != 'removed'
BEGIN
  UPDATE subdomains SET status = 'removed' WHERE id = NEW.id;
END;
CREATE INDEX subdomains_status ON subdomains(status, label);

-- The daily watch: one row per finding (a name, a kind of problem) while it lasts; a finding
-- that clears gets `cleared_at`, and the same problem later is a new finding (told again).
CREATE TABLE watch_findings (
    id          INTEGER PRIMARY KEY,
    label       TEXT NOT NULL,
    kind        TEXT NOT NULL,      -- dns_mismatch, dangling_cname, https_down, tls_invalid ...
    detail      TEXT NOT NULL,      -- one line for people
    evidence    TEXT NOT NULL,      -- what was seen (answers, status line, matched words)
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    cleared_at  TEXT
);
CREATE UNIQUE INDEX watch_findings_open ON watch_findings(label, kind) WHERE cleared_at IS NULL;
CREATE INDEX watch_findings_seen ON watch_findings(first_seen);

-- Runs of the watch ('daily', keyed by the office's date) and of its weekly summary (keyed by
-- the ISO week): the scheduler asks here whether today's is done.
CREATE TABLE watch_runs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),
    period      TEXT NOT NULL,      -- 2026-12-03, or 2026-W49
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    checked     INTEGER NOT NULL DEFAULT 0,
    problems    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, period)
);
