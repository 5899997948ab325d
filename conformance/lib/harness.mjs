// What every scenario script shares: an OpenTelemetry tracer provider exporting OTLP JSON to Loupe's collector
// (batching, flushed at the end), and a runner that puts each scenario under a parent span of its own and prints
// one JSON line per scenario: {library, scenario, traceId, ...what was sent and what came back}.
//
// Environment: LOUPE_COLLECTOR_URL (e.g. http://127.0.0.1:8080), LOUPE_API_KEY (an ingest key),
// FAKE_PROVIDER_URL (e.g. http://127.0.0.1:9999, fake-provider.mjs), LOUPE_RUN_ID (made part of every user,
// session and feature, so that runs do not mix; defaults to the process id).
import {context, trace, SpanStatusCode} from '@opentelemetry/api';
import {AsyncLocalStorageContextManager} from '@opentelemetry/context-async-hooks';
import {OTLPTraceExporter} from '@opentelemetry/exporter-trace-otlp-http';
import {resourceFromAttributes} from '@opentelemetry/resources';
import {BatchSpanProcessor, TracerProvider} from '@opentelemetry/sdk-trace';

export function required(name) {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${name} must be set (see conformance/README.md)\n`);
    process.exit(2);
  }
  return value;
}

export const runId = process.env.LOUPE_RUN_ID || String(process.pid);

/** The fake provider's base URL, for the clients' baseURL (OpenAI's ends in /v1, Anthropic's does not). */
export function providerUrl() {
  return required('FAKE_PROVIDER_URL').replace(/\/$/, '');
}

/**
 * Registers a tracer provider (global, with an AsyncLocalStorage context manager so parent spans propagate
 * across awaits) that batches spans to the collector's OTLP/HTTP endpoint as OTLP JSON.
 */
export function startTracing(serviceName, extraProcessors = []) {
  const collector = required('LOUPE_COLLECTOR_URL').replace(/\/$/, '');
  const exporter = new OTLPTraceExporter({
    url: `${collector}/v1/traces`,
    headers: {authorization: `Bearer ${required('LOUPE_API_KEY')}`},
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({'service.name': serviceName}),
    // a trace's spans travel in one request (the collector builds decisions per request): big batches
    spanProcessors: [...extraProcessors, new BatchSpanProcessor({exporter, maxExportBatchSize: 512, scheduledDelayMillis: 500})],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return provider;
}

/**
 * Runs each scenario under a parent span named `scenario <name>` carrying `loupe.feature` (and whatever
 * `parentAttributes` adds), inside the context `wrap` returns (a library's user/session context). A scenario
 * returns what it sent and saw (`describe` adds per-scenario fields such as the user and session); an error it
 * did not catch fails the run.
 */
export async function runScenarios({library, provider, feature, scenarios, parentAttributes = () => ({}), wrap = (ctx) => ctx, describe = () => ({})}) {
  const tracer = trace.getTracer(`loupe-conformance-${library}`);
  const results = [];
  for (const [name, run] of Object.entries(scenarios)) {
    const ctx = wrap(context.active(), name);
    const result = await context.with(ctx, () => tracer.startActiveSpan(
      `scenario ${name}`,
      {attributes: {'loupe.feature': feature, ...parentAttributes(name)}},
      async (span) => {
        try {
          const out = await run(span);
          return {library, scenario: name, traceId: span.spanContext().traceId, feature, ...describe(name), ...out};
        } catch (e) {
          span.setStatus({code: SpanStatusCode.ERROR, message: String(e)});
          throw e;
        } finally {
          span.end();
        }
      }));
    results.push(result);
  }
  await provider.forceFlush();
  for (const result of results) process.stdout.write(JSON.stringify(result) + '\n');
  await provider.shutdown();
  return results;
}

/** Runs a call that must fail; returns the HTTP status and message the client saw. */
export async function expectFailure(call) {
  try {
    await call();
  } catch (e) {
    return {errorStatus: e.status ?? null, errorMessage: e.message};
  }
  throw new Error('the call was expected to fail and did not');
}

/** A system prompt long enough for prompt caching (OpenAI: 1,024 tokens and more; one word is one token here). */
export function longSystemPrompt() {
  const words = [];
  for (let i = 0; i < 1200; i++) words.push(`rule${i}`);
  return `You are a careful support agent. Follow these house rules: ${words.join(' ')}`;
}

/** Reads an OpenAI stream to its end: the text, the usage chunk (if any) and the last finish reason. */
export async function drainOpenAiStream(stream) {
  let text = '';
  let usage = null;
  let finishReason = null;
  let model = null;
  for await (const chunk of stream) {
    model = chunk.model ?? model;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      text += choice.delta?.content ?? '';
      finishReason = choice.finish_reason ?? finishReason;
    }
  }
  return {text, usage, finishReason, model};
}
