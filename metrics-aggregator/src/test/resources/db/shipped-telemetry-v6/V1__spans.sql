-- Raw spans, every SpanRecord field. Idempotent on (project_id, span_id, start_time): the time column
-- is part of the key so the table can become a TimescaleDB hypertable unchanged.
create table telemetry.spans (
    project_id              text        not null,
    trace_id                text        not null,
    span_id                 text        not null,
    parent_span_id          text,
    kind                    text        not null,
    name                    text,
    provider                text,
    model                   text,
    start_time              timestamptz not null,
    end_time                timestamptz,
    latency_ms              bigint,
    time_to_first_token_ms  bigint,
    input_tokens            bigint,
    output_tokens           bigint,
    cached_input_tokens     bigint,
    reasoning_tokens        bigint,
    cost_usd                numeric(20, 10),
    prompt                  text,
    completion              text,
    truncated               boolean     not null default false,
    redactions              jsonb,
    parsed_output           jsonb,
    parse_error             text,
    status                  text        not null,
    error_type              text,
    error_message           text,
    feature                 text,
    session_id              text,
    user_id                 text,
    decision_id             text,
    tool_name               text,
    metadata                jsonb,
    attributes              jsonb,
    received_at             timestamptz,
    schema_version          integer     not null,
    primary key (project_id, span_id, start_time)
);

create index spans_trace_idx on telemetry.spans (project_id, trace_id);

-- TimescaleDB when installed (the hypertable brings its own time index); plain PostgreSQL: BRIN on time.
do $$
begin
    if exists (select 1 from pg_available_extensions where name = 'timescaledb') then
        create extension if not exists timescaledb;
        perform create_hypertable('telemetry.spans', 'start_time', chunk_time_interval => interval '1 day',
                                  migrate_data => true);
    else
        create index spans_start_brin on telemetry.spans using brin (start_time);
    end if;
end
$$;
