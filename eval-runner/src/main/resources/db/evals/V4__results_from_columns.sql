-- A result is stored once, in its columns: the record jsonb (the published EvalResult) duplicated them. New rows
-- leave record null and carry the two fields it alone had; rows written before keep their record, which reads
-- prefer, so both kinds read back as the EvalResult that was published. Nullable columns without a default:
-- no table rewrite. dimensions is json, not jsonb: kept as written (key order too), never queried inside.
alter table evals.results
    alter column record drop not null,
    add column schema_version smallint,
    add column dimensions json;
