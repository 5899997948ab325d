-- Every alert state change from loupe.alerts.v1. changed_at is derived from the event itself
-- (the latest of startsAt, acknowledgedAt, endsAt), so a redelivered event is a no-op.
create table telemetry.alert_events (
    project_id      text        not null,
    fingerprint     text        not null,
    state           text        not null,
    changed_at      timestamptz not null,
    rule_id         text,
    severity        text,
    record          jsonb       not null,
    received_at     timestamptz not null default now(),
    primary key (project_id, fingerprint, state, changed_at)
);
create index alert_events_recent_idx on telemetry.alert_events (project_id, changed_at desc);

do $$
begin
    if exists (select 1 from pg_extension where extname = 'timescaledb') then
        perform create_hypertable('telemetry.alert_events', 'changed_at', chunk_time_interval => interval '7 days', migrate_data => true);
    else
        create index alert_events_time_brin on telemetry.alert_events using brin (changed_at);
    end if;
end
$$;
