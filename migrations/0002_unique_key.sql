-- Go pgstore can leave several rows under one key (a new session saved twice, a save after a
-- decode error, two first requests racing). Keep the newest row of each key, then make keys unique
-- so every later write is an insert of a fresh id or an update of exactly one row.
DELETE FROM {{table}} AS older
USING {{table}} AS newer
WHERE older.key = newer.key
  AND (COALESCE(older.modified_on, '-infinity'), older.id)
    < (COALESCE(newer.modified_on, '-infinity'), newer.id);
CREATE UNIQUE INDEX IF NOT EXISTS {{name}}_key_uniq ON {{table}} (key);
