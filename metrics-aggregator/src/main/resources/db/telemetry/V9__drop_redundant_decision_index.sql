-- Issue 24: every stored decision paid a btree insertion into decisions_lookup_idx (project_id, decision_id), an
-- index the primary key (project_id, decision_id, occurred_at) already serves: a lookup by project and decision id
-- is a prefix scan of it, on plain tables and in every TimescaleDB chunk alike. In the soak (~1,000 decisions a
-- second beside 2,000 spans) it was one of four btree indexes written per decision.
drop index if exists telemetry.decisions_lookup_idx;
