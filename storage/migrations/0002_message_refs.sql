-- Messages the bot edits in place later (the group's status card of each request), by key.
CREATE TABLE message_refs (
    key        TEXT PRIMARY KEY,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL
);
