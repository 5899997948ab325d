-- Per-session sums at 1 hour and 1 day, so "top sessions by tokens" and any metric grouped or filtered by session
-- read a few rows per session instead of every raw span of the range (docs/benchmarks.md, "Dashboard views": the
-- cost view's session table scanned 10 million spans for a 30-day range). Like the other rollups they are written
-- in the span batch's own transaction, from the rows the insert returned, so a redelivered span adds nothing.
-- Session is not attributed to a trace's feature, so, unlike span_rollup_*, nothing ever moves between rows.
--
-- session_id '' = spans without a session. shard = the spans' Kafka partition (as in span_rollup_*): a session's
-- traces land on several partitions, and rows per shard keep concurrent consumers off each other's row locks.
create table telemetry.session_rollup_1h (
    project_id      text            not null,
    bucket          timestamptz     not null,
    session_id      text            not null,
    shard           smallint        not null default 0,
    span_count      bigint          not null default 0,
    llm_count       bigint          not null default 0,
    input_tokens    bigint          not null default 0,
    output_tokens   bigint          not null default 0,
    cost_usd        numeric(24, 10) not null default 0,
    primary key (project_id, bucket, session_id, shard)
);
create table telemetry.session_rollup_1d (like telemetry.session_rollup_1h including all);

-- Hypertables before the backfill, so the backfilled rows go straight into chunks (no migrate_data copy).
do $$
begin
    if exists (select 1 from pg_extension where extname = 'timescaledb') then
        perform create_hypertable('telemetry.session_rollup_1h', 'bucket', chunk_time_interval => interval '30 days');
        perform create_hypertable('telemetry.session_rollup_1d', 'bucket', chunk_time_interval => interval '365 days');
    end if;
end
$$;

-- Spans stored before this version: counted once here, before any consumer of this version starts; the time this
-- takes grows with telemetry.spans (and decompresses compressed chunks). During a rolling upgrade, spans that an
-- older replica stores after this ran are not in these tables (README, "Upgrading").
insert into telemetry.session_rollup_1h (project_id, bucket, session_id, shard, span_count, llm_count, input_tokens,
                                         output_tokens, cost_usd)
select project_id, date_trunc('hour', start_time, 'UTC'), coalesce(session_id, ''), coalesce(rollup_shard, 0), count(*),
       count(*) filter (where kind = 'LLM'), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
       coalesce(sum(cost_usd), 0)
from telemetry.spans
group by 1, 2, 3, 4;
insert into telemetry.session_rollup_1d (project_id, bucket, session_id, shard, span_count, llm_count, input_tokens,
                                         output_tokens, cost_usd)
select project_id, date_trunc('day', bucket, 'UTC'), session_id, shard, sum(span_count), sum(llm_count),
       sum(input_tokens), sum(output_tokens), sum(cost_usd)
from telemetry.session_rollup_1h
group by 1, 2, 3, 4;

