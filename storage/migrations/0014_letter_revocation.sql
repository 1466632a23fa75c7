-- A letter the office withdrew (`letter revoke CODE --reason …`): its verification page says
-- so. `replaced_by`: the letter issued in its place, when there is one.
ALTER TABLE outgoing_register ADD COLUMN revoked_at TEXT;
ALTER TABLE outgoing_register ADD COLUMN revoked_reason TEXT;
ALTER TABLE outgoing_register ADD COLUMN replaced_by INTEGER REFERENCES outgoing_register(id);
