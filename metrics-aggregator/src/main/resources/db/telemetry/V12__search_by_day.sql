-- Issue 26: one-word search over 7 days within 300 ms at 10M spans (docs/benchmarks.md, "Search").
--
-- V11's GIN index answers "which spans hold the word" for the whole table, newest or not. A word in a few tenths of a
-- percent of spans is too rare for search's walk over the newest spans and has tens of thousands of matches at 10M
-- spans: fetching them all to keep a week's newest 50 took seconds, and ANDing the GIN bitmap with the BRIN time index
-- makes pages lossy, where every row is re-checked by re-computing its vector. This index adds one lexeme per span, the
-- UTC day it started ('day ' and the days since 1970: a space no parsed word can hold, so no search text matches it),
-- so search asks the index for "the word on day D", newest day first, and fetches that day's matches only
-- (explore.TextSearch). Queries repeat the expression exactly (explore.TextQuery.spanVector).
--
-- It replaces spans_search_idx (same text, same predicate; a tsvector query without a day lexeme matches it as
-- before). `if not exists`: an operator can build it `concurrently` before running V12 on a large table.
create index if not exists spans_search_day_idx on telemetry.spans
    using gin ((to_tsvector('simple'::regconfig, coalesce(prompt, '') || ' ' || coalesce(completion, ''))
        || array_to_tsvector(array['day ' || extract(day from start_time - timestamptz '1970-01-01 00:00:00+00')::bigint::text])))
    where prompt is not null or completion is not null;
drop index if exists telemetry.spans_search_idx;
