-- Projects and their API keys. Owned by metrics-aggregator, read by every service that authenticates.
-- Keys are stored only as HMAC-SHA-256(pepper, key); key_id is the lookup handle printed in the key.
create table tenancy.projects (
    id          text        primary key,
    name        text        not null,
    created_at  timestamptz not null default now()
);

create table tenancy.api_keys (
    key_id      text        primary key,
    project_id  text        not null references tenancy.projects (id),
    name        text        not null,
    key_hash    text        not null,
    scopes      text[]      not null,
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz
);

create index api_keys_project_idx on tenancy.api_keys (project_id);
