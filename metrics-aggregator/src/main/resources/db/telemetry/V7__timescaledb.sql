-- TimescaleDB, set up here and only here (issue 20). V1–V6 make plain PostgreSQL tables on every server; when
-- TimescaleDB is usable this migration makes hypertables of them. Usable means preloaded AND (already installed in
-- this database, OR available on the server and creatable by this role). A server that has the files but not
-- timescaledb in shared_preload_libraries refuses "create extension" with a FATAL error, so availability alone never
-- decides. The rule is written twice, here (telemetry.timescaledb_decision) and in Java
-- (dev.loupe.aggregator.timescale.TimescaleDecision, which logs the path at start-up); TimescaleDecisionTest checks
-- both give the same answer and reason for every case.
--
-- Schema of the extension: where it already is (pg_extension; an operator may have created it, and databases
-- migrated before V7 have it in "telemetry" because the former V1 created it under Flyway's search_path), else
-- "public", where TimescaleDB's own documentation expects it. TimescaleDB cannot be moved afterwards (it is not
-- relocatable), so every call names the schema found here: <schema>.create_hypertable(...), never create_hypertable.
-- TimescaleDbQualificationTest fails on an unqualified call in any migration or Java SQL string.
--
-- Everything below is idempotent, so `select telemetry.timescaledb_setup()` may be run again by an operator who
-- makes TimescaleDB usable after this migration ran on plain PostgreSQL (it converts the tables then, copying
-- their rows into chunks: run it with the consumers stopped).

-- Facts about this server and role: the only inputs of the decision (Java reads them through the same function).
create function telemetry.timescaledb_facts()
    returns table (available boolean, preload_libraries text, installed_schema text, installed_version text,
                   available_version text, superuser boolean, role_name text)
    language sql stable as $$
    select exists (select 1 from pg_available_extensions where name = 'timescaledb'),
           -- null when this role may not read it (needs superuser or pg_read_all_settings)
           (select setting from pg_settings where name = 'shared_preload_libraries'),
           (select n.nspname::text from pg_extension e join pg_namespace n on n.oid = e.extnamespace
            where e.extname = 'timescaledb'),
           (select extversion::text from pg_extension where extname = 'timescaledb'),
           (select default_version::text from pg_available_extensions where name = 'timescaledb'),
           coalesce((select rolsuper from pg_roles where rolname = current_user), false),
           current_user::text
$$;

-- The decision over those facts: the schema to use TimescaleDB from (null: plain PostgreSQL) and why, in one line.
create function telemetry.timescaledb_decision(available boolean, preload_libraries text, installed_schema text,
                                               installed_version text, available_version text, superuser boolean,
                                               role_name text)
    returns table (use_schema text, reason text)
    language sql stable as $$
    with p as (
        select preload_libraries is not null
                   and exists (select 1 from unnest(string_to_array(preload_libraries, ',')) as lib(name)
                               where regexp_replace(lower(trim(both ' "' from lib.name)), '^.*/|\.so$', '', 'g')
                                         = 'timescaledb') as preloaded
    )
    select case
               when installed_schema is not null and preload_libraries is not null and not p.preloaded then null
               when installed_schema is not null then installed_schema
               when not available or not p.preloaded or not superuser then null
               else 'public'
           end,
           case
               when installed_schema is not null and preload_libraries is not null and not p.preloaded then
                   format('TimescaleDB %s installed in schema %s but not preloaded (shared_preload_libraries=''%s''): '
                          || 'using plain PostgreSQL tables', installed_version, installed_schema, preload_libraries)
               when installed_schema is not null then
                   format('TimescaleDB %s installed in schema %s: using hypertables', installed_version,
                          installed_schema)
               when not available then
                   'TimescaleDB not available (no timescaledb extension on this server): using plain PostgreSQL tables'
               when preload_libraries is null then
                   'TimescaleDB available but shared_preload_libraries is unreadable (needs superuser or '
                   || 'pg_read_all_settings): using plain PostgreSQL tables'
               when not p.preloaded then
                   format('TimescaleDB available but not preloaded (shared_preload_libraries=''%s''): '
                          || 'using plain PostgreSQL tables', preload_libraries)
               when not superuser then
                   format('TimescaleDB available and preloaded but role %s may not create it (needs superuser, or '
                          || 'create extension timescaledb beforehand): using plain PostgreSQL tables', role_name)
               else
                   format('TimescaleDB %s available and preloaded: creating it in schema public, using hypertables',
                          available_version)
           end
    from p
$$;

-- Makes TimescaleDB what telemetry runs on when the decision says so; answers the decision's reason either way.
create function telemetry.timescaledb_setup() returns text
    language plpgsql as $$
declare
    d record;
    ts text;
    t record;
begin
    select dec.* into d
    from telemetry.timescaledb_facts() f,
         telemetry.timescaledb_decision(f.available, f.preload_libraries, f.installed_schema, f.installed_version,
                                        f.available_version, f.superuser, f.role_name) dec;
    if d.use_schema is null then
        return d.reason;
    end if;
    ts := d.use_schema;
    if not exists (select 1 from pg_extension where extname = 'timescaledb') then
        execute format('create extension timescaledb with schema %I', ts);
    end if;

    -- Chunks: raw 1 day (7 for feedback and alert events, which are sparse), rollups 7/30/365 days for 1m/1h/1d,
    -- as before V7. The BRIN indexes of the plain path go: a hypertable has its own index on the time column.
    for t in
        select *
        from (values ('spans', 'start_time', '1 day', 'spans_start_brin'),
                     ('decisions', 'occurred_at', '1 day', 'decisions_time_brin'),
                     ('eval_results', 'evaluated_at', '1 day', 'eval_results_time_brin'),
                     ('feedback', 'occurred_at', '7 days', 'feedback_time_brin'),
                     ('alert_events', 'changed_at', '7 days', 'alert_events_time_brin'),
                     ('span_rollup_1m', 'bucket', '7 days', null),
                     ('span_rollup_1h', 'bucket', '30 days', null),
                     ('span_rollup_1d', 'bucket', '365 days', null),
                     ('decision_rollup_1m', 'bucket', '7 days', null),
                     ('decision_rollup_1h', 'bucket', '30 days', null),
                     ('decision_rollup_1d', 'bucket', '365 days', null),
                     ('eval_rollup_1m', 'bucket', '7 days', null),
                     ('eval_rollup_1h', 'bucket', '30 days', null),
                     ('eval_rollup_1d', 'bucket', '365 days', null),
                     ('session_rollup_1h', 'bucket', '30 days', null),
                     ('session_rollup_1d', 'bucket', '365 days', null)) as v(name, time_column, chunk, brin)
    loop
        if not exists (select 1 from timescaledb_information.hypertables
                       where hypertable_schema = 'telemetry' and hypertable_name = t.name) then
            if t.brin is not null then
                execute format('drop index if exists telemetry.%I', t.brin);
            end if;
            execute format('select %I.create_hypertable(%L::regclass, %L, chunk_time_interval => %L::interval, '
                           || 'migrate_data => true)', ts, 'telemetry.' || t.name, t.time_column, t.chunk);
        end if;
    end loop;

    -- Compression (Timescale-licence, "community", edition only) of raw spans older than 3 days. Every dashboard and
    -- API read of spans names one project (segment by project_id: few, large segments) and either a time range, read
    -- newest first, or one trace / decision / span: order by start_time desc, then span_id, the rest of the primary
    -- key, so a redelivered span's conflict check and key lookups use the segments' min/max metadata (TimescaleDB
    -- warns about a key column that is neither segment-by nor order-by). trace_id and decision_id lookups use the
    -- bloom-filter sparse indexes TimescaleDB derives from spans_trace_idx and spans_decision_idx. Databases that
    -- had the former settings (segment by project_id, order by start_time desc) get these for chunks compressed from
    -- now on.
    if current_setting('timescaledb.license', true) = 'timescale' then
        alter table telemetry.spans set (timescaledb.compress, timescaledb.compress_segmentby = 'project_id',
                                         timescaledb.compress_orderby = 'start_time desc, span_id');
        execute format('select %I.add_compression_policy(%L::regclass, interval %L, if_not_exists => true)', ts,
                       'telemetry.spans', '3 days');
    end if;
    return d.reason;
end
$$;

-- The path and its reason are logged once at every start-up by the application (TimescaleDb), not here.
select telemetry.timescaledb_setup();
