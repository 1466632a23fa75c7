-- Placeholder on the helper-letter branch only: keeps the numbering contiguous so that this
-- branch's 0012 applies. Other branches own 0010; drop this file at merge.
SELECT 1;
