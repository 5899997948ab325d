-- One active dispatcher among alert-manager's replicas: whoever holds the lease named 'dispatcher' sends
-- notifications. The holder renews it on every dispatch pass; once it lapses (expires_at, the database's clock),
-- another replica takes it and the token goes up by one. Every record of a dispatch (notification groups, the log)
-- is written only while the writer's token is the current one (DispatchLease), so a replica that lost the lease
-- without knowing it records nothing more.
create table alerting.leases (
    name        text        primary key,
    holder      text        not null,
    token       bigint      not null,
    expires_at  timestamptz not null,
    acquired_at timestamptz not null
);
