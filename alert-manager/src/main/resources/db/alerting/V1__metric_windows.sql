-- Closed metric windows as received; the latest revision of a window wins. Rules are judged on these.
create table alerting.metric_windows (
    project_id      text             not null,
    metric          text             not null,
    dimensions_key  text             not null,
    dimensions      jsonb            not null,
    window_start    timestamptz      not null,
    window_end      timestamptz      not null,
    value           double precision not null,
    sample_size     bigint           not null,
    quantiles       jsonb,
    revision        integer          not null,
    received_at     timestamptz      not null default now(),
    primary key (project_id, metric, dimensions_key, window_start)
);
create index metric_windows_end_idx on alerting.metric_windows (project_id, metric, window_end);
