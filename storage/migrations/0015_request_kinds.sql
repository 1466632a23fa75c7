-- Request kinds (#14): a request asks for a new subdomain (pembuatan), a change of an owned
-- one's target (perubahan), its removal (penonaktifan), or, opened by the office after an
-- unanswered re-confirmation, its suspension (penangguhan). The kinds are rows of the workflow
-- table (bot/workflow.py); the request keeps which one it is.
ALTER TABLE requests ADD COLUMN kind TEXT NOT NULL DEFAULT 'pembuatan';
CREATE INDEX requests_kind ON requests(kind, created_at);

-- The owners' re-confirmation: one row per question asked about a name; open while `answer`
-- is NULL. Two reminders follow `remind_days` apart; after the second goes unanswered the
-- Kabid is asked to approve a suspension (`answer` 'unanswered', `request_id` that request).
CREATE TABLE reconfirmations (
    id          INTEGER PRIMARY KEY,
    label       TEXT NOT NULL,
    agency_id   INTEGER NOT NULL REFERENCES agencies(id),
    asked_at    TEXT NOT NULL,
    reminded    INTEGER NOT NULL DEFAULT 0 CHECK (reminded BETWEEN 0 AND 2),
    last_sent_at TEXT NOT NULL,
    answer      TEXT CHECK (answer IN ('in_use', 'not_in_use', 'unanswered', 'dropped')),
    answered_at TEXT,
    answered_by INTEGER REFERENCES people(id),
    request_id  INTEGER REFERENCES requests(id)
);
CREATE UNIQUE INDEX reconfirmations_open ON reconfirmations(label) WHERE answer IS NULL;
CREATE INDEX reconfirmations_due ON reconfirmations(answer, last_sent_at);
