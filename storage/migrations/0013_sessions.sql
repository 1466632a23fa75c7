-- What a person is in the middle of in the chat (the /ajukan form, an action waiting for its
-- note): written the moment it changes, so a restart loses nothing already answered.
CREATE TABLE sessions (
    telegram_user_id INTEGER NOT NULL,
    kind             TEXT NOT NULL,     -- 'form' | 'action'
    payload          TEXT NOT NULL,     -- JSON, owned by the front end that wrote it
    version          INTEGER NOT NULL,  -- 1 when started, +1 on every save
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (telegram_user_id, kind)
);
