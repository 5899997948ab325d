-- Issue 21: the new SpanRecord fields, the model key, and user and session attributed along a trace.
--
-- Every column added to telemetry.spans is nullable without a default: the only kind of column TimescaleDB lets one
-- add to a hypertable with compressed chunks (V7 compresses spans older than 3 days on the community licence), and a
-- metadata-only change on plain PostgreSQL. V7's compression settings are left as they are.

-- SpanRecord.requestModel, cacheWriteInputTokens, toolArguments, toolResult (stored as sent; null when absent).
alter table telemetry.spans add column request_model text;
alter table telemetry.spans add column cache_write_input_tokens bigint;
alter table telemetry.spans add column tool_arguments text;
alter table telemetry.spans add column tool_result text;

-- The user and session a span counts under: its own, else its trace's first seen (trace_features), '' when none is
-- known yet; moved from '' when the trace's user or session arrives later, like rollup_feature (README, "User and
-- session attribution"). Null on spans stored before V8: they count under their own user_id / session_id, as before.
alter table telemetry.spans add column rollup_user text;
alter table telemetry.spans add column rollup_session text;

-- trace_features now keeps the first user and session seen on a trace too; a trace may have a user and no feature.
alter table telemetry.trace_features alter column feature drop not null;
alter table telemetry.trace_features add column user_id text;
alter table telemetry.trace_features add column session_id text;

-- Cache-write tokens summed beside cached (cache-read) tokens. The rollups are never compressed, so a default is fine.
alter table telemetry.span_rollup_1m add column cache_write_input_tokens bigint not null default 0;
alter table telemetry.span_rollup_1h add column cache_write_input_tokens bigint not null default 0;
alter table telemetry.span_rollup_1d add column cache_write_input_tokens bigint not null default 0;

-- The model key (docs/architecture.md#model-key; dev.loupe.contracts.events.ModelKey, which a test checks this
-- against): the name without its trailing date suffix. New rollup rows are written under the key (request model
-- first, computed in Java). Existing rollup rows are NOT rewritten: their model column holds the name the span
-- carried (often a dated response model), and rewriting would merge rows whose latency sketches PostgreSQL cannot
-- add up (HdrHistogram, merged in Java) and rewrite every rollup row of history during the upgrade. Instead every
-- read groups and filters the model column through this function: it is idempotent, so old rows (dated names) and
-- new rows (keys) meet under one key, and it costs one regexp per rollup row read, only when the query names the
-- model. Old rows of failed calls already carry the request model, so history joins up too. Raw spans keep both
-- names (model, request_model); their reads use model_key(coalesce(request_model, model)).
create function telemetry.model_key(name text) returns text
    language sql immutable parallel safe
    return case
        when name is null or name ~ '^\s*$' then ''
        when regexp_replace(name, '(?:[-@](?:20[0-9]{2}-[01][0-9]-[0-3][0-9]|20[0-9]{2}[01][0-9][0-3][0-9])'
                                  || '(?:-v[0-9]+(?::[0-9A-Za-z]+)*)?)+$', '') = '' then name
        else regexp_replace(name, '(?:[-@](?:20[0-9]{2}-[01][0-9]-[0-3][0-9]|20[0-9]{2}[01][0-9][0-3][0-9])'
                                  || '(?:-v[0-9]+(?::[0-9A-Za-z]+)*)?)+$', '')
    end;

-- The key of a span: its request model when it has one (not blank), else its model (ModelKey.of).
create function telemetry.span_model_key(request_model text, model text) returns text
    language sql immutable parallel safe
    return telemetry.model_key(case when request_model is null or request_model ~ '^\s*$' then model
                                    else request_model end);
