-- Sluice SQLite schema, version 7: which account owns each bucket of an object store. Keyed by the store's
-- name (lower-cased) and the bucket, because every URI scheme mapped to one store reaches the same bucket.
-- (Versions 5 and 6 belong to other branches; the migrator allows the gap.)

CREATE TABLE bucket_owners (
    store_name  TEXT    NOT NULL,
    bucket      TEXT    NOT NULL,
    account_id  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (store_name, bucket)
);
