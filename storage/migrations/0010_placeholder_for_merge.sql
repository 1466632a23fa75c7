-- Placeholder so that this branch's 0011 runs in its own worktree (migration numbers must be
-- contiguous). At merge, the other branch's 0010 takes this number and this file is dropped.
SELECT 1;
