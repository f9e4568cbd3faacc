-- Entitlement ledger schema, version 5 (SQLite): nothing changes. Version 5 of the PostgreSQL schema
-- takes platform user ids and SKUs longer than a PostgreSQL B-tree entry may be; SQLite has no such
-- limit. The versions of the two schemas stay equal, so that one number names one shape of the ledger.
SELECT 1;
