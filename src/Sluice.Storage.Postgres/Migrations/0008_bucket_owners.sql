-- Sluice PostgreSQL schema, version 8: which account owns each bucket of an object store. Keyed by the store's
-- name (lower-cased) and the bucket, because every URI scheme mapped to one store reaches the same bucket.
-- (Versions 6 and 7 belong to other branches; the migrator allows the gap.)

CREATE TABLE bucket_owners (
    store_name  text COLLATE "C" NOT NULL,
    bucket      text COLLATE "C" NOT NULL,
    account_id  text COLLATE "C" NOT NULL,
    created_at  bigint  NOT NULL,
    PRIMARY KEY (store_name, bucket)
);
