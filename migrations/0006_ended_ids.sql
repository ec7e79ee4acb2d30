-- Session ids the express-session store ended (destroy, regenerate, clear), kept until the session
-- would have expired, so a save from a request still in flight cannot create the row again. A
-- table of its own, one per schema: Go pgstore loads any row of the sessions table that has the
-- key, so a marker row there would load as a session. Ids are stored as SHA-256, never in clear.
CREATE TABLE IF NOT EXISTS {{ended}} (
  table_name TEXT NOT NULL,
  key_hash BYTEA NOT NULL,
  expires_on TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (table_name, key_hash)
);
CREATE INDEX IF NOT EXISTS pgstore_ended_expiry_idx ON {{ended}} (expires_on);
