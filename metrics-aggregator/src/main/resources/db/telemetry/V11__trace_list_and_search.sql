-- Issue 26: the traces list and full-text search.
--
-- The traces list reads root spans newest first: a partial index holds only roots (about one span in three), so a
-- page of 50 reads 50 index entries and their traces' spans through spans_trace_idx, whatever the range.
create index if not exists spans_roots_idx on telemetry.spans (project_id, start_time desc) where parent_span_id is null;

-- Full-text search over prompts and completions, and over decision outputs: GIN indexes on to_tsvector('simple', …),
-- which splits on spaces and punctuation and lower-cases, with no stemming and no stop words (prompts are in every
-- language). Chosen over pg_trgm by measurement (docs/benchmarks.md, "Search"): a third of the size and a bit over
-- half the write cost; pg_trgm would add substring matches that a search
-- box rarely needs. The text indexed is the stored text, which the collector has already redacted, so redacted data
-- is not searchable. Queries repeat these expressions and predicates exactly (explore.TextQuery), or the planner
-- cannot use the indexes. Only spans with text are indexed (LLM spans); the others add nothing to the index.
create index if not exists spans_search_idx on telemetry.spans
    using gin (to_tsvector('simple'::regconfig, coalesce(prompt, '') || ' ' || coalesce(completion, '')))
    where prompt is not null or completion is not null;
create index if not exists decisions_search_idx on telemetry.decisions
    using gin (to_tsvector('simple'::regconfig, coalesce(record->>'output', '')));
-- Search walks the newest spans with text first (explore.TextSearch): a frequent word fills a page from the newest few
-- hundred, without re-computing the vector of every match in the range. Only spans with text, like spans_search_idx.
create index if not exists spans_text_time_idx on telemetry.spans (project_id, start_time desc)
    where prompt is not null or completion is not null;

-- Sessions and users (GET /v1/sessions, /v1/users): a trace's session and user are its first seen, kept in
-- trace_features; these find a session's or a user's traces in a range, and list them by activity.
create index if not exists trace_features_session_idx on telemetry.trace_features (project_id, session_id, trace_time)
    where session_id is not null;
create index if not exists trace_features_user_idx on telemetry.trace_features (project_id, user_id, trace_time)
    where user_id is not null;
