-- GET /v1/prices/unpriced (the cost view's "calls without a price"): LLM calls with tokens and no cost in a range, by
-- model. Without an index of their own it read every span of the range: 2.2 s at 7 days and 3.8 s at 30 days on the
-- 10M-span benchmark data set (docs/benchmarks.md, "Dashboard views"), which made the cost view the slowest of all.
-- Unpriced calls are the exception (a model missing from the price table), so this partial index holds only them, and
-- spans that have a cost never touch it on the write path. The predicate is the query's (prices.PriceRepository).
create index if not exists spans_unpriced_idx on telemetry.spans (project_id, start_time)
    where model is not null and cost_usd is null and (input_tokens is not null or output_tokens is not null);
