-- Sessions are updated far more often than inserted. Free space on each page lets PostgreSQL keep
-- an updated row on its page (a HOT update), so writes that leave the indexed columns alone, which
-- is most of them, write no index entries. Affects pages written from now on.
ALTER TABLE {{table}} SET (fillfactor = 80);
