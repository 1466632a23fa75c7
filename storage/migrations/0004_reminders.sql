-- Mutu Baku reminders that were fired. A deadline itself is derived, never stored: it runs from
-- requests.state_since for the step the request is in (identified by its version). A row here
-- means level 1 (reminder), 2 (second reminder, overdue) or 3 (escalation) of that step visit
-- was handled; the primary key makes each fire once, across restarts and processes.
CREATE TABLE reminders (
    request_id INTEGER NOT NULL REFERENCES requests(id),
    version    INTEGER NOT NULL,
    level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    sent_at    TEXT NOT NULL,
    PRIMARY KEY (request_id, version, level)
);
