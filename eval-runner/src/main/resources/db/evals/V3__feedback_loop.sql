-- Feedback is acted on once its decision is kept: acted_at stays null while the decision is unknown
-- (the feedback is parked) and is set when the re-evaluation and the regression case are done.
alter table evals.feedback_received add column acted_at timestamptz;
create index feedback_received_parked_idx on evals.feedback_received (received_at) where acted_at is null;

-- Every correction becomes a case of the regression dataset named after the decision's feature,
-- one case per input hash: the latest correction of the same input sets the expected output.
create table evals.regression_cases (
    project_id       text        not null,
    dataset          text        not null,
    input_hash       text        not null,
    case_id          text        not null,
    decision_id      text        not null,
    feedback_id      text        not null,
    input            text,
    original_output  text,
    expected_output  text        not null,
    context          jsonb       not null,
    corrected_at     timestamptz not null,
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    primary key (project_id, dataset, input_hash)
);
create unique index regression_cases_id_idx on evals.regression_cases (project_id, case_id);

-- A run of a dataset's cases against candidate outputs (a new model or prompt version), kept so runs
-- can be compared over time; results holds the per-case verdicts.
create table evals.dataset_runs (
    project_id       text             not null,
    run_id           text             not null,
    dataset          text             not null,
    label            text,
    model            text,
    prompt_version   text,
    created_at       timestamptz      not null,
    created_by       text,
    cases            integer          not null,
    scored           integer          not null,
    passed           integer          not null,
    pass_rate        double precision,
    results          jsonb            not null,
    primary key (project_id, run_id)
);
create index dataset_runs_dataset_idx on evals.dataset_runs (project_id, dataset, created_at desc);
