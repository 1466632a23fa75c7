-- The office's own numbers: the first sequence number of a year in the outgoing register, so
-- that the bot's register continues the agenda book (or SRIKANDI) instead of starting at 1.
CREATE TABLE register_starts (
    year           INTEGER PRIMARY KEY,
    first_sequence INTEGER NOT NULL CHECK (first_sequence >= 1),
    set_at         TEXT NOT NULL
);
