-- Profile of the span batch's attribution statement (README, "User and session attribution"): the statement before
-- user and session were attributed (feature only, "old") against SpanBatchWriter.ATTRIBUTE_TRACES ("new", copied
-- here; keep them in step), 300 batches of 1,000 spans in 100 traces whose root names feature, user and session, each
-- batch once with new traces and once again with the same traces. Run on a scratch database migrated by V1–V8:
--   createdb -h 127.0.0.1 -U postgres agg_profile
--   for f in metrics-aggregator/src/main/resources/db/telemetry/V*.sql; do
--     psql -h 127.0.0.1 -U postgres -d agg_profile -q -c 'create schema if not exists telemetry; set search_path = telemetry' -f "$f"; done
--   psql -h 127.0.0.1 -U postgres -d agg_profile -f metrics-aggregator/src/test/resources/bench/trace-attribution-profile.sql
set search_path = telemetry;
create table if not exists tf_old (project_id text not null, trace_id text not null, feature text not null, trace_time timestamptz not null, primary key (project_id, trace_id));
create or replace function pbatch(i int, known boolean, out p text[], out t text[], out f text[], out u text[], out s text[], out st timestamptz[]) language sql as $$
  select array_agg('proj'::text), array_agg(md5(((case when known then i-1 else i end)*100 + g/10)::text)),
         array_agg(case when g % 10 = 0 then 'feat-' || (g/10 % 5) end),
         array_agg(case when g % 10 = 0 then 'user-' || (g/10) end),
         array_agg(case when g % 10 = 0 then 'sess-' || (g/10) end),
         array_agg(timestamptz '2026-12-01' + make_interval(secs => i*10 + g/100.0))
  from generate_series(0, 999) g $$;
do $$
declare b record; t0 timestamptz; old_ms float8 := 0; new_ms float8 := 0; old_k float8 := 0; new_k float8 := 0; n int;
begin
  for i in 1..300 loop
    for pass in 0..1 loop
      select * into b from pbatch(i, pass = 1);
      t0 := clock_timestamp();
      insert into tf_old (project_id, trace_id, feature, trace_time)
        select distinct on (project_id, trace_id) project_id, trace_id, feature, start_time
        from unnest(b.p, b.t, b.f, b.st) as x(project_id, trace_id, feature, start_time)
        where feature is not null order by project_id, trace_id, start_time on conflict do nothing;
      if pass = 0 then old_ms := old_ms + extract(epoch from clock_timestamp() - t0) * 1000;
      else old_k := old_k + extract(epoch from clock_timestamp() - t0) * 1000; end if;
      t0 := clock_timestamp();
      with u as (
          select project_id, trace_id,
                 (array_agg(feature order by start_time) filter (where feature is not null))[1] as feature,
                 (array_agg(user_id order by start_time) filter (where user_id is not null))[1] as user_id,
                 (array_agg(session_id order by start_time) filter (where session_id is not null))[1] as session_id,
                 min(start_time) as trace_time
          from unnest(b.p, b.t, b.f, b.u, b.s, b.st) as s(project_id, trace_id, feature, user_id, session_id, start_time)
          where feature is not null or user_id is not null or session_id is not null
          group by project_id, trace_id),
      known as (
          select tf.project_id, tf.trace_id, tf.feature, tf.user_id, tf.session_id
          from telemetry.trace_features tf join u on tf.project_id = u.project_id and tf.trace_id = u.trace_id),
      changed as (
          insert into telemetry.trace_features as t (project_id, trace_id, feature, user_id, session_id, trace_time)
          select project_id, trace_id, feature, user_id, session_id, trace_time from u
          on conflict (project_id, trace_id) do update set
              feature = coalesce(t.feature, excluded.feature),
              user_id = coalesce(t.user_id, excluded.user_id),
              session_id = coalesce(t.session_id, excluded.session_id)
          where (t.feature is null and excluded.feature is not null)
             or (t.user_id is null and excluded.user_id is not null)
             or (t.session_id is null and excluded.session_id is not null)
          returning t.project_id, t.trace_id, t.feature, t.user_id, t.session_id)
      select count(*) into n
      from changed c left join known k on k.project_id = c.project_id and k.trace_id = c.trace_id;
      if pass = 0 then new_ms := new_ms + extract(epoch from clock_timestamp() - t0) * 1000;
      else new_k := new_k + extract(epoch from clock_timestamp() - t0) * 1000; end if;
    end loop;
  end loop;
  raise notice 'per 1000-span batch (100 new traces): old % ms, new % ms; same traces again: old % ms, new % ms',
    round((old_ms/300)::numeric, 3), round((new_ms/300)::numeric, 3), round((old_k/300)::numeric, 3), round((new_k/300)::numeric, 3);
end $$;
