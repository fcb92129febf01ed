-- Sluice PostgreSQL schema, version 5: what several servers need to serve logs and commands reliably.
-- servers.base_url: the address a server advertises, so another server can forward a log read to the
-- server that wrote the log. servers.incarnation: the process now using a server id; a server restarted
-- with the same id reclaims its own leases at once, and an older process still running under that id
-- sees it lost them. commands.taken_by: the incarnation that took a command; the row is deleted only once
-- the command's effect is committed, so a command taken by a server that died is taken again by the
-- cluster's next owner.

ALTER TABLE servers ADD COLUMN base_url text;
ALTER TABLE servers ADD COLUMN incarnation text;
ALTER TABLE commands ADD COLUMN taken_by text;
