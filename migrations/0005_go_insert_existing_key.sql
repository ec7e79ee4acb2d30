-- Go pgstore runs a plain INSERT whenever its session is new, so a new session saved twice in one
-- request (IsNew stays true in Go) or a save after a decode error inserts a key that is already
-- there; with the unique index of 0002 that is a duplicate-key error in the Go handler. This
-- trigger turns such an INSERT into what Go meant: an update of that row (data, modified_on,
-- expires_on, as Go's own UPDATE; created_on, owner and user_agent stay; version moves so our
-- optimistic and merge modes see the write), and skips the insert.
--
-- Our own INSERTs stamp modified_on with now() (the transaction's start) and keep their ON CONFLICT
-- DO NOTHING, so the WHEN clause leaves them alone; Go's carry its own clock's time. Two inserts of
-- one key at once queue on a transaction lock of that key's bucket (256 per table), so the second
-- sees the first's row and updates it; the unique index stays the backstop. Buckets, not one lock
-- per key: a bulk INSERT of many rows in one transaction would otherwise hold a lock per row and
-- run out of shared memory (53200) past a few thousand rows.
CREATE OR REPLACE FUNCTION {{schema_prefix}}"{{name}}_insert_existing_key"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.key IS NULL THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock((TG_RELID::bigint << 8) | (hashtext(NEW.key::text) & 255)::bigint);
  UPDATE {{table}}
     SET data = NEW.data, modified_on = NEW.modified_on, expires_on = NEW.expires_on,
         version = version + 1
   WHERE key = NEW.key;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS "{{name}}_insert_existing_key" ON {{table}};
CREATE TRIGGER "{{name}}_insert_existing_key" BEFORE INSERT ON {{table}}
  FOR EACH ROW WHEN (NEW.modified_on IS DISTINCT FROM now())
  EXECUTE FUNCTION {{schema_prefix}}"{{name}}_insert_existing_key"();
