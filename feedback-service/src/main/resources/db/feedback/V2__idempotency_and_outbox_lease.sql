-- Idempotency: a retry with the same key finds the feedback stored first. fingerprint is an HMAC of the
-- request's content, telling a retry (same content) from a reused key (other content → 422).
alter table feedback.feedback
    add column idempotency_key text,
    add column fingerprint     text,
    -- the outbox relay's claim: other replicas skip a row until its lease runs out
    add column lease_until     timestamptz,
    -- insertion order: breaks ties between rows received at the same instant (a batch)
    add column seq             bigint generated always as identity;

create unique index feedback_idempotency_idx on feedback.feedback (project_id, idempotency_key)
    where idempotency_key is not null;

-- the relay's claim reads unpublished rows oldest first
drop index feedback.feedback_unpublished_idx;
create index feedback_outbox_idx on feedback.feedback (received_at, seq) where published_at is null;
