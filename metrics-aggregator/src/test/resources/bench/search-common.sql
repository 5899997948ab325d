-- What search-index.sql and search-queries.sql share: a query timer, run inside the server (planning included), and
-- the four words searched (a very frequent one, a middling one, a rare one, one in no span). Included with \ir.
create or replace function pg_temp.timed(q text, n int) returns table (runs int, p50_ms numeric, max_ms numeric, found bigint)
language plpgsql as $$
declare t0 timestamptz; times numeric[] := '{}'; c bigint;
begin
    for k in 1..n loop
        t0 := clock_timestamp();
        execute q into c;
        times := times || round((extract(epoch from clock_timestamp() - t0) * 1000)::numeric, 1);
    end loop;
    select array_agg(x order by x) into times from unnest(times) x;
    return query select n, times[(n + 1) / 2], times[n], c;
end $$;
create temporary table words as
select 'frequent' as kind, w from vocab where i = 3
union all select 'middling', w from vocab where i = 300
union all select 'rare', w from vocab where i = 15000
union all select 'absent', 'zzzqqq';
