-- The request letter's own perihal, as the requester typed it in /ajukan: reply letters and
-- the lembar disposisi quote it exactly. Requests filed before this version take the subject
-- their incoming-register entry was given then.
ALTER TABLE requests ADD COLUMN letter_subject TEXT NOT NULL DEFAULT '';
UPDATE requests SET letter_subject = COALESCE(
    (SELECT ir.subject FROM incoming_register ir WHERE ir.request_id = requests.id), '');

-- Where each agency is (a Camat or a Puskesmas is not in the capital): the reply letter's
-- "Yth. ... di <place>", and its street address when the office wants it on the envelope.
ALTER TABLE agencies ADD COLUMN place TEXT;
ALTER TABLE agencies ADD COLUMN address TEXT;
