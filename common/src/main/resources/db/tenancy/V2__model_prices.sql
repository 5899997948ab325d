-- A project's own prices (negotiated rates, custom or self-hosted models), USD per million tokens, each in force for
-- spans that start at or after effective_from. Written by metrics-aggregator (PUT /v1/prices/{provider}/{model}),
-- read by trace-collector at ingest. provider and model are stored lower-cased; matching is case-insensitive.
create table tenancy.model_prices (
    project_id              text        not null references tenancy.projects (id),
    provider                text        not null,
    model                   text        not null,
    effective_from          timestamptz not null,
    input_per_million       numeric     not null check (input_per_million >= 0),
    output_per_million      numeric     not null check (output_per_million >= 0),
    cached_read_per_million numeric     check (cached_read_per_million >= 0),
    cache_write_per_million numeric     check (cache_write_per_million >= 0),
    reasoning_per_million   numeric     check (reasoning_per_million >= 0),
    updated_at              timestamptz not null default now(),
    primary key (project_id, provider, model, effective_from)
);
