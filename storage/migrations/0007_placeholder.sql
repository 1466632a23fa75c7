-- Placeholder: the real 0007 comes with another branch; replaced on merge.
SELECT 1;
