-- Issue 26: the search as the aggregator runs it (explore.TextSearch), on the table search-index.sql built with the
-- tsvector index: step 1 walks the newest 2,000 spans with text in the range (a partial btree on time, as V11's
-- spans_text_time_idx) and filters them; step 2, only when step 1 neither filled the page nor covered the range,
-- reads the GIN index alone (fenced with offset 0) and filters by time. Compared with the plain query, which
-- PostgreSQL plans as GIN AND BRIN: a lossy bitmap that re-computes the vector of every row on the matching pages.
--
-- Run after search-index.sql, on the same database:
--   psql -h 127.0.0.1 -U postgres -d searchbench -f search-queries.sql
\set ON_ERROR_STOP on
create index if not exists spans_tsv_text_time on spans_tsv (project_id, start_time desc)
    where prompt is not null or completion is not null;
analyze spans_tsv;
\ir search-common.sql
select 'plain (GIN and BRIN)' as query, kind, w, t.*
from words, pg_temp.timed(format($q$select count(*) from (select span_id from spans_tsv
    where project_id = 'p1' and start_time >= now() - interval '7 days' and start_time < now()
    and (prompt is not null or completion is not null)
    and to_tsvector('simple'::regconfig, coalesce(prompt, '') || ' ' || coalesce(completion, ''))
        @@ websearch_to_tsquery('simple', %L) order by start_time desc limit 50) x$q$, w), 5) t
union all
select 'step 1: walk 2,000', kind, w, t.*
from words, pg_temp.timed(format($q$select count(*) from (select span_id from (select * from spans_tsv
    where project_id = 'p1' and start_time >= now() - interval '7 days' and start_time < now()
    and (prompt is not null or completion is not null) order by start_time desc limit 2000) c
    where to_tsvector('simple'::regconfig, coalesce(prompt, '') || ' ' || coalesce(completion, ''))
        @@ websearch_to_tsquery('simple', %L) order by start_time desc limit 50) x$q$, w), 5) t
union all
select 'step 2: GIN alone', kind, w, t.*
from words, pg_temp.timed(format($q$select count(*) from (select span_id from (select * from spans_tsv
    where project_id = 'p1' and (prompt is not null or completion is not null)
    and to_tsvector('simple'::regconfig, coalesce(prompt, '') || ' ' || coalesce(completion, ''))
        @@ websearch_to_tsquery('simple', %L) offset 0) c
    where start_time >= now() - interval '7 days' and start_time < now() order by start_time desc limit 50) x$q$, w), 5) t
order by 1, 2;
