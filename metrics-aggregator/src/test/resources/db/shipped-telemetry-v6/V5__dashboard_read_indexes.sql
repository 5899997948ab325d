-- Read paths of the dashboard that had no index and scanned a whole table (docs/benchmarks.md, "Dashboard views"):
-- a decision's page finds the spans that name it (GET /v1/decisions/{id}: trace_id = … or decision_id = …), and the
-- decision search lists a project's newest decisions in a time range (GET /v1/decisions, order by occurred_at desc).
-- Most spans name no decision, so that index leaves them out.
create index spans_decision_idx on telemetry.spans (project_id, decision_id) where decision_id is not null;
create index decisions_time_idx on telemetry.decisions (project_id, occurred_at);
