-- Orleans runtime schema, version 1 (PostgreSQL): cluster membership, grain state and reminders for
-- the ADO.NET providers (invariant "Npgsql"), written for this project from the providers' contract
-- (see orleans-adonet.md in the project docs). Applied by OrleansSchema under the migration advisory
-- lock, in one transaction, by every silo and gateway that starts in cluster mode.
--
-- The providers know only one name: they read their statements with
--   SELECT QueryKey, QueryText FROM OrleansQuery
-- (unquoted, so PostgreSQL folds it to orleansquery). Every other table and column below is named by
-- our own statements only. Result columns are quoted where the provider reads them by name.
-- Statements that change more than one row, or must decide and write atomically, are plpgsql
-- functions: one statement, one implicit transaction, and every decision taken under a row lock.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64)   PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);

-- Grain state ------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS orleans_grain_state (
    grain_id_hash    integer      NOT NULL,
    grain_id_n0      bigint       NOT NULL,
    grain_id_n1      bigint       NOT NULL,
    grain_type_hash  integer      NOT NULL,
    state_name       varchar(512) NOT NULL, -- the provider's GrainTypeString: the state name, not the grain type
    grain_key_string varchar(512) NULL,     -- a string key, or the extension of a compound key
    service_id       varchar(150) NOT NULL,
    payload          bytea        NULL,     -- NULL after a clear
    modified_on      timestamptz  NOT NULL,
    version          integer      NOT NULL  -- the ETag
);

-- One row per grain identity. Without it two activations racing to write a new grain's first state
-- would both insert (and both be told they succeeded); with it the loser inserts nothing, gets no
-- version back and the provider raises InconsistentStateException.
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleans_grain_state_identity
    ON orleans_grain_state (service_id, state_name, grain_id_n0, grain_id_n1, grain_key_string) NULLS NOT DISTINCT;

CREATE INDEX IF NOT EXISTS ix_orleans_grain_state_hash ON orleans_grain_state (grain_id_hash, grain_type_hash);

-- Membership -------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS orleans_membership_version (
    deployment_id varchar(150) PRIMARY KEY,
    changed_at    timestamptz  NOT NULL DEFAULT now(),
    version       integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS orleans_membership (
    deployment_id   varchar(150)  NOT NULL REFERENCES orleans_membership_version (deployment_id),
    address         varchar(45)   NOT NULL,
    port            integer       NOT NULL,
    generation      integer       NOT NULL,
    silo_name       varchar(150)  NOT NULL,
    host_name       varchar(150)  NOT NULL,
    status          integer       NOT NULL, -- 3 active, 6 dead (1 created, 2 joining, 4 shutting down, 5 stopping)
    proxy_port      integer       NULL,     -- the silo's port for clients; 0 or NULL: none
    suspect_times   varchar(8000) NULL,
    start_time      timestamptz   NOT NULL,
    i_am_alive_time timestamptz   NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Membership writes that change the table take the version row's lock first, and only when it still
-- has the version the caller read: concurrent writers of one deployment take turns, and each sees the
-- previous one's change. True when locked.
CREATE OR REPLACE FUNCTION orleans_membership_lock(p_deployment_id varchar, p_version integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM orleans_membership_version
     WHERE deployment_id = p_deployment_id AND version = p_version FOR UPDATE;
    RETURN FOUND;
END;
$$;

-- The new table version, after a change made under orleans_membership_lock. Returns 1 (success).
CREATE OR REPLACE FUNCTION orleans_membership_bump(p_deployment_id varchar) RETURNS integer
LANGUAGE sql AS $$
    UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
     WHERE deployment_id = p_deployment_id
    RETURNING 1;
$$;

-- Insert a silo's row and bump the table version, both or neither (0: nothing changed).
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer, p_silo_name varchar,
    p_host_name varchar, p_status integer, p_proxy_port integer, p_start_time timestamptz,
    p_i_am_alive_time timestamptz, p_version integer) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT orleans_membership_lock(p_deployment_id, p_version) THEN
        RETURN 0; -- someone changed the table since the caller read it
    END IF;
    INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                    proxy_port, start_time, i_am_alive_time)
    VALUES (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
            p_proxy_port, p_start_time, p_i_am_alive_time)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN 0; -- the silo is already there
    END IF;
    RETURN orleans_membership_bump(p_deployment_id);
END;
$$;

-- Update a silo's row and bump the table version, both or neither, as above.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer, p_status integer,
    p_suspect_times varchar, p_i_am_alive_time timestamptz, p_version integer) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT orleans_membership_lock(p_deployment_id, p_version) THEN
        RETURN 0;
    END IF;
    UPDATE orleans_membership
       SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time
     WHERE deployment_id = p_deployment_id AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    RETURN orleans_membership_bump(p_deployment_id);
END;
$$;

-- The membership table as the provider reads it: the version row, joined with one silo's row (or with
-- every silo's when p_address is NULL). The version row comes back even when no silo matches.
CREATE OR REPLACE FUNCTION orleans_membership_read(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer)
RETURNS TABLE ("DeploymentId" varchar, "Address" varchar, "Port" integer, "Generation" integer, "SiloName" varchar,
               "HostName" varchar, "Status" integer, "ProxyPort" integer, "SuspectTimes" varchar,
               "StartTime" timestamptz, "IAmAliveTime" timestamptz, "Version" integer)
LANGUAGE sql STABLE AS $$
    SELECT v.deployment_id, m.address, m.port, m.generation, m.silo_name, m.host_name, m.status, m.proxy_port,
           m.suspect_times, m.start_time, m.i_am_alive_time, v.version
      FROM orleans_membership_version v
      LEFT JOIN orleans_membership m
        ON m.deployment_id = v.deployment_id
       AND (p_address IS NULL OR (m.address = p_address AND m.port = p_port AND m.generation = p_generation))
     WHERE v.deployment_id = p_deployment_id;
$$;

-- Reminders --------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS orleans_reminders (
    service_id    varchar(150) NOT NULL,
    grain_id      varchar(150) NOT NULL,
    reminder_name varchar(150) NOT NULL,
    start_time    timestamptz  NOT NULL,
    period        bigint       NOT NULL, -- milliseconds
    grain_hash    integer      NOT NULL,
    version       integer      NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS ix_orleans_reminders_hash ON orleans_reminders (service_id, grain_hash);

-- A reminder row as the provider reads it.
CREATE OR REPLACE VIEW orleans_reminder_rows AS
SELECT service_id, grain_hash, reminder_name,
       grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime", period AS "Period", version AS "Version"
  FROM orleans_reminders;

-- The statements ---------------------------------------------------------------------------------
-- Every parameter is cast to its column's type, so that a NULL needs no inference.

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Grain state. The identity: every column, the hashes only to use the index.
('ReadFromStorageKey', '
SELECT payload AS "PayloadBinary", version AS "Version"
  FROM orleans_grain_state
 WHERE grain_id_hash = @GrainIdHash::integer AND grain_type_hash = @GrainTypeHash::integer
   AND service_id = @ServiceId::varchar AND state_name = @GrainTypeString::varchar
   AND grain_id_n0 = @GrainIdN0::bigint AND grain_id_n1 = @GrainIdN1::bigint
   AND grain_key_string IS NOT DISTINCT FROM @GrainIdExtensionString::varchar;'),

-- With a version: update where it still matches. Without: insert the first state, or nothing when a
-- row exists (the unique index). No row back means a conflict.
('WriteToStorageKey', '
WITH updated AS (
    UPDATE orleans_grain_state
       SET payload = @PayloadBinary::bytea, modified_on = now(), version = version + 1
     WHERE @GrainStateVersion::integer IS NOT NULL
       AND grain_id_hash = @GrainIdHash::integer AND grain_type_hash = @GrainTypeHash::integer
       AND service_id = @ServiceId::varchar AND state_name = @GrainTypeString::varchar
       AND grain_id_n0 = @GrainIdN0::bigint AND grain_id_n1 = @GrainIdN1::bigint
       AND grain_key_string IS NOT DISTINCT FROM @GrainIdExtensionString::varchar
       AND version = @GrainStateVersion::integer
    RETURNING version
), inserted AS (
    INSERT INTO orleans_grain_state (grain_id_hash, grain_id_n0, grain_id_n1, grain_type_hash, state_name,
                                     grain_key_string, service_id, payload, modified_on, version)
    SELECT @GrainIdHash::integer, @GrainIdN0::bigint, @GrainIdN1::bigint, @GrainTypeHash::integer, @GrainTypeString::varchar,
           @GrainIdExtensionString::varchar, @ServiceId::varchar, @PayloadBinary::bytea, now(), 1
     WHERE @GrainStateVersion::integer IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT version AS "NewGrainStateVersion" FROM updated
UNION ALL
SELECT version FROM inserted;'),

('ClearStorageKey', '
UPDATE orleans_grain_state
   SET payload = NULL, modified_on = now(), version = version + 1
 WHERE grain_id_hash = @GrainIdHash::integer AND grain_type_hash = @GrainTypeHash::integer
   AND service_id = @ServiceId::varchar AND state_name = @GrainTypeString::varchar
   AND grain_id_n0 = @GrainIdN0::bigint AND grain_id_n1 = @GrainIdN1::bigint
   AND grain_key_string IS NOT DISTINCT FROM @GrainIdExtensionString::varchar
   AND version = @GrainStateVersion::integer
RETURNING version;'),

('DeleteStorageKey', '
DELETE FROM orleans_grain_state
 WHERE grain_id_hash = @GrainIdHash::integer AND grain_type_hash = @GrainTypeHash::integer
   AND service_id = @ServiceId::varchar AND state_name = @GrainTypeString::varchar
   AND grain_id_n0 = @GrainIdN0::bigint AND grain_id_n1 = @GrainIdN1::bigint
   AND grain_key_string IS NOT DISTINCT FROM @GrainIdExtensionString::varchar
   AND version = @GrainStateVersion::integer
RETURNING version + 1;'),

-- Membership.
('InsertMembershipVersionKey', '
WITH inserted AS (
    INSERT INTO orleans_membership_version (deployment_id) VALUES (@DeploymentId::varchar)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer FROM inserted;'),

('InsertMembershipKey', '
SELECT orleans_membership_insert(@DeploymentId::varchar, @Address::varchar, @Port::integer, @Generation::integer,
    @SiloName::varchar, @HostName::varchar, @Status::integer, @ProxyPort::integer, @StartTime::timestamptz,
    @IAmAliveTime::timestamptz, @Version::integer);'),

('UpdateMembershipKey', '
SELECT orleans_membership_update(@DeploymentId::varchar, @Address::varchar, @Port::integer, @Generation::integer,
    @Status::integer, @SuspectTimes::varchar, @IAmAliveTime::timestamptz, @Version::integer);'),

('UpdateIAmAlivetimeKey', '
UPDATE orleans_membership SET i_am_alive_time = @IAmAliveTime::timestamptz
 WHERE deployment_id = @DeploymentId::varchar AND address = @Address::varchar
   AND port = @Port::integer AND generation = @Generation::integer;'),

-- Both reads return the version row even when no silo matches: the provider takes the version from it.
('MembershipReadRowKey', '
SELECT * FROM orleans_membership_read(@DeploymentId::varchar, @Address::varchar, @Port::integer, @Generation::integer);'),

('MembershipReadAllKey', '
SELECT * FROM orleans_membership_read(@DeploymentId::varchar, NULL, NULL, NULL);'),

('DeleteMembershipTableEntriesKey', '
DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId::varchar;
DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId::varchar;'),

-- What external clients (the gateways) connect to: active silos with a client port.
('GatewaysQueryKey', '
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
  FROM orleans_membership
 WHERE deployment_id = @DeploymentId::varchar AND status = @Status::integer AND proxy_port > 0;'),

('CleanupDefunctSiloEntriesKey', '
DELETE FROM orleans_membership
 WHERE deployment_id = @DeploymentId::varchar AND i_am_alive_time < @IAmAliveTime::timestamptz AND status <> 3;'),

-- Reminders.
('UpsertReminderRowKey', '
INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
VALUES (@ServiceId::varchar, @GrainId::varchar, @ReminderName::varchar, @StartTime::timestamptz, @Period::bigint, @GrainHash::integer, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
   SET start_time = excluded.start_time, period = excluded.period, grain_hash = excluded.grain_hash,
       version = orleans_reminders.version + 1
RETURNING version AS "Version";'),

('ReadReminderRowsKey', '
SELECT "GrainId", "ReminderName", "StartTime", "Period", "Version" FROM orleans_reminder_rows
 WHERE service_id = @ServiceId::varchar AND "GrainId" = @GrainId::varchar;'),

('ReadReminderRowKey', '
SELECT "GrainId", "ReminderName", "StartTime", "Period", "Version" FROM orleans_reminder_rows
 WHERE service_id = @ServiceId::varchar AND "GrainId" = @GrainId::varchar AND reminder_name = @ReminderName::varchar;'),

('ReadRangeRows1Key', '
SELECT "GrainId", "ReminderName", "StartTime", "Period", "Version" FROM orleans_reminder_rows
 WHERE service_id = @ServiceId::varchar AND grain_hash > @BeginHash::integer AND grain_hash <= @EndHash::integer;'),

('ReadRangeRows2Key', '
SELECT "GrainId", "ReminderName", "StartTime", "Period", "Version" FROM orleans_reminder_rows
 WHERE service_id = @ServiceId::varchar AND (grain_hash > @BeginHash::integer OR grain_hash <= @EndHash::integer);'),

('DeleteReminderRowKey', '
WITH deleted AS (
    DELETE FROM orleans_reminders
     WHERE service_id = @ServiceId::varchar AND grain_id = @GrainId::varchar
       AND reminder_name = @ReminderName::varchar AND version = @Version::integer
    RETURNING 1
)
SELECT count(*)::integer FROM deleted;'),

('DeleteReminderRowsKey', '
DELETE FROM orleans_reminders WHERE service_id = @ServiceId::varchar;')

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
