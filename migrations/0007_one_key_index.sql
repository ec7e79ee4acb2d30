-- One B-tree on key instead of two. Go pgstore creates a plain index {{name}}_key_idx on every
-- start (CREATE INDEX IF NOT EXISTS, which checks the name only); 0002 added the unique
-- {{name}}_key_uniq on the same column. Both hold every 52-byte key, and every non-HOT write
-- inserted into both. Drop the plain one and give the unique one Go's name, so Go's start-up DDL
-- finds it and stays a no-op, and lookups, ON CONFLICT (key) and uniqueness all use one index.
--
-- Cost on a big table: no index is built. DROP INDEX and ALTER INDEX ... RENAME only change the
-- catalog, but they take an ACCESS EXCLUSIVE lock on the table until this migration's
-- transaction commits: reads and writes of the sessions table wait for the moment the migration
-- takes (milliseconds once the lock is granted; the lock itself waits for transactions already
-- using the table). Nothing here needs CREATE INDEX CONCURRENTLY.
DO $$
DECLARE
  nsp text := (SELECT n.nspname FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
               WHERE c.oid = '{{table}}'::regclass);
BEGIN
  -- Only when the unique index is there under its old name: run twice, or on a table whose
  -- unique index already carries Go's name, this changes nothing.
  IF to_regclass(format('%I.%I', nsp, '{{name}}_key_uniq')) IS NOT NULL THEN
    EXECUTE format('DROP INDEX IF EXISTS %I.%I', nsp, '{{name}}_key_idx');
    EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', nsp, '{{name}}_key_uniq', '{{name}}_key_idx');
  END IF;
END $$;
-- Fillfactor back to the default (100). 0004's 80 kept a fifth of every heap page empty so that
-- updates stay on their page (HOT). Measured with 5,000 sessions (bench/cost-bench.ts): 80 cost
-- about 70 bytes more per session on disk than 100, while writes that leave expires_on alone stay
-- mostly HOT at 100 too, because pruning a page frees the space of the versions it replaced; WAL
-- per modify went from about 257 to 287 bytes, still below connect-pg-simple's. Affects pages
-- written from now on; nothing is rewritten.
ALTER TABLE {{table}} RESET (fillfactor);
