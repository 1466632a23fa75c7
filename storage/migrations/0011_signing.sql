-- Signing providers: who signs with BSrE, and what each issued letter carries.

-- The signer's identity at BSrE (NIK, or the e-mail registered there), kept with the person
-- who holds a signing position; set by `role set … --nik` or given with an invite.
CREATE TABLE esign_identities (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id),
    nik        TEXT,
    email      TEXT,
    updated_at TEXT NOT NULL,
    CHECK (nik IS NOT NULL OR email IS NOT NULL)
);
ALTER TABLE invites ADD COLUMN nik TEXT;

-- What the letter carries (none, pades, bsre, wet); for a wet signature, the scan that was
-- delivered as the letter (the printed PDF stays at pdf_path with its own sha256).
ALTER TABLE outgoing_register ADD COLUMN seal TEXT NOT NULL DEFAULT 'none';
ALTER TABLE outgoing_register ADD COLUMN scan_path TEXT;
ALTER TABLE outgoing_register ADD COLUMN scan_sha256 TEXT;
ALTER TABLE outgoing_register ADD COLUMN scanned_at TEXT;
ALTER TABLE outgoing_register ADD COLUMN scanned_by INTEGER REFERENCES people(id);
