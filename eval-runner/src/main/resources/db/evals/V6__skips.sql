-- Issue 26: an evaluator that did not apply to a sampled decision (json_valid on free text, reference_match without a
-- reference) records why, once per decision, evaluator, version and trigger, like a result. GET
-- /v1/features/{feature}/evaluation counts them with their reasons ("sampled N, judged M, not applicable K"), so an
-- evaluator that never applies says so instead of looking like a broken pipeline. Found by the decision's key; removed
-- by retention with the decisions (skipped_at).
create table evals.skips (
    project_id          text        not null,
    decision_id         text        not null,
    evaluator           text        not null,
    evaluator_version   text        not null,
    trigger             text        not null,
    feature             text,
    reason              text        not null,
    skipped_at          timestamptz not null,
    primary key (project_id, decision_id, evaluator, evaluator_version, trigger)
);
create index skips_time_idx on evals.skips (skipped_at);

-- A feature's decisions of the last hour (the counts above, and a PUT's trial of its new evaluators).
create index decisions_feature_received_idx on evals.decisions (project_id, feature, received_at);
