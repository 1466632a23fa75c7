-- Costs that stay flat as the office's history grows: every hot read is an index search
-- (checked by tests/core/test_query_plans.py), and sent outbox rows can be pruned by age.

-- request list by agency / by year, newest first; /status of a requester (requests_requester).
CREATE INDEX requests_agency ON requests(agency_id);
CREATE INDEX requests_year ON requests(year);
-- the month's requests (monthly report and CSV)
CREATE INDEX requests_created ON requests(created_at);
-- the name check: is this label asked for by an open request?
CREATE INDEX requests_subdomain ON requests(subdomain);
-- the agencies a person is a contact of (who may act as requester)
CREATE INDEX agency_contacts_person ON agency_contacts(person_id);
-- retention of sent messages (`Outbox.prune_sent`); 'failed' rows sort after every instant
CREATE INDEX outbox_sent ON outbox(sent_at) WHERE sent_at IS NOT NULL;
