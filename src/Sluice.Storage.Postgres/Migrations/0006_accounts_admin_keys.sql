-- Sluice PostgreSQL schema, version 6: accounts an admin manages, and access keys whose secrets are sealed
-- (the same columns as SQLite's version 5). accounts.is_admin: the account that may create, list and disable
-- accounts; on an existing database the first account (the one the first `sluice up` created) becomes it.
-- accounts.enabled: a disabled account's keys stop working. settings: values every server of the database must
-- agree on, such as the fingerprint of the key that seals access-key secrets (a server with another key
-- refuses to start). Existing plain-text secrets are sealed by the first server to start (C#: AES-GCM is not
-- SQL), see AccessKeyService.SealStoredSecretsAsync; access_keys.secret holds either form until then.

ALTER TABLE accounts ADD COLUMN is_admin boolean NOT NULL DEFAULT false;
ALTER TABLE accounts ADD COLUMN enabled boolean NOT NULL DEFAULT true;
UPDATE accounts SET is_admin = true
    WHERE account_id = (SELECT account_id FROM accounts ORDER BY created_at, account_id LIMIT 1);

CREATE INDEX ix_access_keys_account ON access_keys (account_id, key_id);

CREATE TABLE settings (
    name   text COLLATE "C" NOT NULL PRIMARY KEY,
    value  text NOT NULL
);
