-- Records the bot is about to create, written before the DNS update: when the update takes
-- effect but its answer is lost (a timeout, a crash before the commit), the intent says whose
-- records they are, so the step can verify and complete, and `record remove` may remove them.
CREATE TABLE record_intents (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    label      TEXT NOT NULL,
    records    TEXT NOT NULL,  -- JSON [[name, type, value, ttl], ...]
    created_at TEXT NOT NULL,
    settled_at TEXT            -- registered as created, or removed
);
CREATE INDEX record_intents_open ON record_intents(label) WHERE settled_at IS NULL;

-- Messages a chat could not receive (the person blocked the bot or never opened it): kept, not
-- retried, and sent again when that person next writes to the bot.
CREATE INDEX outbox_unreachable ON outbox(chat_id) WHERE sent_at = 'unreachable';
