package main

import (
	"database/sql"
	"fmt"
)

// createQuery is pgstore's createSessionsTable statement (go-reference.md §1.2),
// which NewPGStoreFromPool runs on every construction.
const createQuery = `DO $$
BEGIN
	CREATE TABLE IF NOT EXISTS http_sessions (
		id BIGSERIAL PRIMARY KEY,
		key BYTEA,
		data BYTEA,
		created_on TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
		modified_on TIMESTAMPTZ,
		expires_on TIMESTAMPTZ
	);
	CREATE INDEX IF NOT EXISTS http_sessions_expiry_idx ON http_sessions (expires_on);
	CREATE INDEX IF NOT EXISTS http_sessions_key_idx ON http_sessions (key);
EXCEPTION WHEN insufficient_privilege THEN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'http_sessions') THEN
		RAISE;
	END IF;
WHEN others THEN
	RAISE;
END;
$$;`

func createSessionsTable(db *sql.DB) error {
	if _, err := db.Exec(createQuery); err != nil {
		return fmt.Errorf("Unable to create http_sessions table in the database, err: %w", err)
	}
	return nil
}
