-- Issue 26: which index serves full-text search over prompts and completions, measured rather than assumed.
-- Compares a GIN index on to_tsvector('simple', …) with a GIN pg_trgm index on the same text, on spans shaped like
-- telemetry.spans: what each costs the write path (the aggregator inserts every span once), its size, and how fast a
-- one-word search over 7 days answers (newest 50 first, as GET /v1/search asks). A third table has V12's index (the
-- tsvector plus a lexeme for the span's UTC day), for what the day costs the build and the write path.
--
-- Run (a scratch database; nothing of the project's is touched; docs/benchmarks.md, "Search"):
--   createdb -h 127.0.0.1 -U postgres searchbench
--   psql -h 127.0.0.1 -U postgres -d searchbench -v rows=1000000 -f search-index.sql
--   dropdb -h 127.0.0.1 -U postgres searchbench
\set ON_ERROR_STOP on
\timing on
create extension if not exists pg_trgm;
drop table if exists spans_plain, spans_tsv, spans_trgm, spans_day, sentences, picks, vocab;
select setseed(0.26);

-- 20,000 words, drawn log-uniformly (a few very frequent, most rare, as in text); 100,000 sentences of 12 words
create table vocab as
select i, substr(md5(i::text), 1, 4 + i % 6) as w from generate_series(1, 20000) i;
create table picks as
select s, k, greatest(1, least(20000, floor(exp(random() * ln(20000)))::int)) as i
from generate_series(1, 100000) s, generate_series(1, 12) k;
create table sentences as
select p.s, string_agg(v.w, ' ' order by p.k) as t from picks p join vocab v using (i) group by p.s;
alter table sentences add primary key (s);

create table spans_plain (
    project_id text not null, trace_id text not null, span_id text not null, start_time timestamptz not null,
    prompt text, completion text, primary key (project_id, span_id, start_time));
create index on spans_plain using brin (start_time);

-- :rows spans over 30 days, prompt ~ 60 words, completion ~ 36 words
insert into spans_plain
select 'p1', md5((i / 3)::text), md5(i::text), now() - (i * interval '30 days' / :rows),
       (select string_agg(t, '. ') from sentences where s in (1 + (i * 7) % 100000, 1 + (i * 11) % 100000,
            1 + (i * 13) % 100000, 1 + (i * 17) % 100000, 1 + (i * 19) % 100000)),
       (select string_agg(t, '. ') from sentences where s in (1 + (i * 23) % 100000, 1 + (i * 29) % 100000,
            1 + (i * 31) % 100000))
from generate_series(1, :rows) i;
select pg_size_pretty(pg_total_relation_size('spans_plain')) as table_size,
       avg(length(prompt) + length(completion))::int as avg_chars from spans_plain;

create table spans_tsv (like spans_plain including all);
create table spans_trgm (like spans_plain including all);
create table spans_day (like spans_plain including all);
insert into spans_tsv select * from spans_plain;
insert into spans_trgm select * from spans_plain;
insert into spans_day select * from spans_plain;

-- building each index over :rows rows
create index spans_tsv_search on spans_tsv
    using gin (to_tsvector('simple'::regconfig, coalesce(prompt, '') || ' ' || coalesce(completion, '')));
create index spans_trgm_search on spans_trgm
    using gin ((coalesce(prompt, '') || ' ' || coalesce(completion, '')) gin_trgm_ops);
create index spans_day_search on spans_day
    using gin ((to_tsvector('simple'::regconfig, coalesce(prompt, '') || ' ' || coalesce(completion, ''))
        || array_to_tsvector(array['day ' || extract(day from start_time - timestamptz '1970-01-01 00:00:00+00')::bigint::text])));
select 'tsvector' as index, pg_size_pretty(pg_relation_size('spans_tsv_search')) as size
union all select 'pg_trgm', pg_size_pretty(pg_relation_size('spans_trgm_search'))
union all select 'tsvector and day (V12)', pg_size_pretty(pg_relation_size('spans_day_search'));
analyze spans_plain; analyze spans_tsv; analyze spans_trgm; analyze spans_day;

-- the write path: 20,000 more spans in batches of 500 (like a consumer's), into each table
create temporary table more as select * from spans_plain order by start_time desc limit 20000;
update more set span_id = 'x' || span_id, start_time = start_time + interval '1 second';
\echo write: no search index
do $$ begin for b in 0..39 loop
    insert into spans_plain select * from (select * from more order by span_id offset b * 500 limit 500) m; end loop; end $$;
\echo write: tsvector GIN
do $$ begin for b in 0..39 loop
    insert into spans_tsv select * from (select * from more order by span_id offset b * 500 limit 500) m; end loop; end $$;
\echo write: pg_trgm GIN
do $$ begin for b in 0..39 loop
    insert into spans_trgm select * from (select * from more order by span_id offset b * 500 limit 500) m; end loop; end $$;
\echo write: tsvector and day GIN (V12)
do $$ begin for b in 0..39 loop
    insert into spans_day select * from (select * from more order by span_id offset b * 500 limit 500) m; end loop; end $$;

-- one-word searches over the last 7 days, newest 50 first: a very frequent word, a middling one, a rare one, and a
-- word that is in no span; each run 7 times, timed inside the server (planning included, as a prepared-less call)
\ir search-common.sql
select 'tsvector' as index, kind, w, t.*
from words, pg_temp.timed(format($q$select count(*) from (select span_id from spans_tsv
    where start_time >= now() - interval '7 days'
    and to_tsvector('simple'::regconfig, coalesce(prompt, '') || ' ' || coalesce(completion, ''))
        @@ websearch_to_tsquery('simple', %L) order by start_time desc limit 50) x$q$, w), 7) t
union all
select 'pg_trgm', kind, w, t.*
from words, pg_temp.timed(format($q$select count(*) from (select span_id from spans_trgm
    where start_time >= now() - interval '7 days'
    and (coalesce(prompt, '') || ' ' || coalesce(completion, '')) ilike %L
    order by start_time desc limit 50) x$q$, '%' || w || '%'), 7) t;
-- how often each word occurs in the 7 days (the selectivity each plan faced)
select kind, w, (select count(*) from spans_tsv where start_time >= now() - interval '7 days'
    and to_tsvector('simple'::regconfig, coalesce(prompt, '') || ' ' || coalesce(completion, ''))
        @@ websearch_to_tsquery('simple', w)) as spans_with_word from words;
