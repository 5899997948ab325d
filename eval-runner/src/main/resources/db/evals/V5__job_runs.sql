-- Periodic jobs that one replica runs per period, however many replicas schedule them (retention): when each last
-- started and which replica started it. PeriodClaim (module common) claims a period with one upsert here.
create table evals.job_runs (
    job         text        primary key,
    started_at  timestamptz not null,
    started_by  text        not null
);
