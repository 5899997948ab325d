-- Every decision the eval-runner sees (not only sampled ones), so late feedback can re-evaluate it.
create table evals.decisions (
    project_id   text        not null,
    decision_id  text        not null,
    feature      text,
    occurred_at  timestamptz not null,
    received_at  timestamptz not null default now(),
    record       jsonb       not null,
    primary key (project_id, decision_id)
);
create index decisions_received_idx on evals.decisions (received_at);

-- Feedback as received from loupe.feedback.v1; the feedback issue turns it into re-evaluations.
create table evals.feedback_received (
    project_id   text        not null,
    feedback_id  text        not null,
    decision_id  text        not null,
    signal       text        not null,
    occurred_at  timestamptz not null,
    received_at  timestamptz not null default now(),
    record       jsonb       not null,
    primary key (project_id, feedback_id)
);
create index feedback_received_decision_idx on evals.feedback_received (project_id, decision_id);
