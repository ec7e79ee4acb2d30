-- Go pgstore's table, column for column, so a Go service and a Node service can share it.
-- {{table}} is the quoted, qualified table; {{name}} its bare name, for index names.
CREATE TABLE IF NOT EXISTS {{table}} (
  id BIGSERIAL PRIMARY KEY,
  key BYTEA,
  data BYTEA,
  created_on TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
  modified_on TIMESTAMPTZ,
  expires_on TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS {{name}}_expiry_idx ON {{table}} (expires_on);
CREATE INDEX IF NOT EXISTS {{name}}_key_idx ON {{table}} (key);
