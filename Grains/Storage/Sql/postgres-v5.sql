-- Entitlement ledger schema, version 5 (PostgreSQL): platform user ids and SKUs of any length RallyHere
-- allows. Both may have 2,048 characters; in a script of several bytes per character that do not
-- compress, more than one B-tree entry may hold (2,704 bytes), so linking such a platform user or
-- writing such a SKU failed with program_limit_exceeded on every try. As for transaction ids
-- (version 4), each table is now unique on the MD5 of the id, and every lookup compares both the MD5,
-- to find the row through this key, and the id itself. A write that meets another id with the same
-- MD5 changes nothing and is refused by the store, never merged into the other row.
ALTER TABLE platform_users DROP CONSTRAINT IF EXISTS platform_users_pkey;
CREATE UNIQUE INDEX IF NOT EXISTS ux_platform_users_id ON platform_users (platform, md5(platform_user_id));
ALTER TABLE catalog_skus DROP CONSTRAINT IF EXISTS catalog_skus_pkey;
CREATE UNIQUE INDEX IF NOT EXISTS ux_catalog_skus_sku ON catalog_skus (platform, md5(sku));
