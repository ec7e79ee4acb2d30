-- Per-user sessions and optimistic versioning. Nullable or defaulted, so Go pgstore's INSERT and
-- UPDATE, which name only the original columns, keep working on the same table.
ALTER TABLE {{table}}
  ADD COLUMN IF NOT EXISTS owner TEXT,
  ADD COLUMN IF NOT EXISTS user_agent TEXT,
  ADD COLUMN IF NOT EXISTS version BIGINT NOT NULL DEFAULT 1;
CREATE INDEX IF NOT EXISTS {{name}}_owner_idx ON {{table}} (owner) WHERE owner IS NOT NULL;
