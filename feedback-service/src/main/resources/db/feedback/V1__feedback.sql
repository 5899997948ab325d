-- Feedback as users gave it. published_at is set once Kafka acknowledged the FeedbackRecord.
create table feedback.feedback (
    id              text        primary key,
    project_id      text        not null,
    decision_id     text        not null,
    signal          text        not null,
    correction      text,
    feedback_text   text,
    user_id         text,
    occurred_at     timestamptz not null,
    received_at     timestamptz not null,
    published_at    timestamptz
);

create index feedback_decision_idx on feedback.feedback (project_id, decision_id);
create index feedback_unpublished_idx on feedback.feedback (received_at) where published_at is null;
