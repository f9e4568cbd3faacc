-- Entitlement ledger schema, version 4 (SQLite): nothing changes. Version 4 of the PostgreSQL schema
-- takes transaction ids longer than a PostgreSQL B-tree entry may be; SQLite has no such limit. The
-- versions of the two schemas stay equal, so that one number names one shape of the ledger.
SELECT 1;
