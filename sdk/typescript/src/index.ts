/**
 * Loupe's SDK for Node.js: trace LLM calls, log AI decisions, capture user feedback. The module functions use a
 * default client configured from the environment (`LOUPE_API_KEY`, `LOUPE_PUBLIC_KEY`, `LOUPE_COLLECTOR_URL`,
 * `LOUPE_FEEDBACK_URL`…) on first use; `configure()` sets it explicitly. Browsers import `loupe-sdk/browser`.
 *
 *     import * as loupe from 'loupe-sdk';
 *     await loupe.trace('answer', { feature: 'support-rag', userId }, async () => {
 *       const text = await loupe.llmCall({ model: 'gpt-4o', provider: 'openai' }, async (call) => {
 *         const response = await openai.chat.completions.create({...});
 *         loupe.recordOpenAI(response, call);
 *         return response.choices[0].message.content;
 *       });
 *       decisionId = loupe.logAiDecision({ input: question, output: text });
 *     });
 *     await loupe.captureFeedback(decisionId, 'edited', { correction: '…' });
 */

import { Loupe, type DecisionInput, type SpanOptions, type Stats } from './client.js';
import type { LoupeOptions } from './config.js';
import { LoupeConfigError } from './errors.js';
import type { FeedbackOptions, FeedbackSignal } from './feedback.js';
import { formatTraceparent } from './ids.js';
import { currentParent, Span, type SpanKind } from './span.js';

export { Loupe, type DecisionInput, type SpanOptions, type Stats } from './client.js';
export type { Config, Logger, LoupeOptions } from './config.js';
export { LoupeConfigError, LoupeError, LoupeRejected, LoupeUnavailable } from './errors.js';
export type { FeedbackOptions, FeedbackSignal } from './feedback.js';
export { Span, type SpanKind, type SpanStatus, type Usage } from './span.js';
export { recordAnthropic, recordOpenAI, recordResponse } from './providers.js';
export { aiSdkTelemetry, recordAiSdk, type AiSdkTelemetryOptions } from './ai-sdk.js';
export { LoupeSpanProcessor, loupeOtlpExporterConfig, type LoupeSpanProcessorOptions } from './otel.js';

let defaultClient: Loupe | undefined;

/** Sets the default client (shutting the previous one down) and returns it. Throws LoupeConfigError. */
export function configure(options: LoupeOptions = {}): Loupe {
  const client = new Loupe(options);
  const previous = defaultClient;
  defaultClient = client;
  if (previous) void previous.shutdown();
  return client;
}

/** The default client, created from the environment on first use; a malformed environment is logged and gives
 * a disabled client (the telemetry path never throws). */
export function getClient(): Loupe {
  if (defaultClient) return defaultClient;
  try {
    defaultClient = new Loupe();
  } catch (e) {
    if (!(e instanceof LoupeConfigError)) throw e;
    console.error(`loupe: ${e.message}; telemetry is disabled`);
    defaultClient = new Loupe({ disabled: true, env: {} });
  }
  return defaultClient;
}

export function llmCall<T>(options: SpanOptions, fn: (call: Span) => T): T {
  return getClient().llmCall(options, fn);
}

export function trace<T>(name: string, options: SpanOptions & { kind?: SpanKind }, fn: (span: Span) => T): T {
  return getClient().trace(name, options, fn);
}

export function retrieval<T>(name: string, options: SpanOptions & { query?: unknown }, fn: (span: Span) => T): T {
  return getClient().retrieval(name, options, fn);
}

export function tool<T>(name: string, options: SpanOptions & { arguments?: unknown }, fn: (span: Span) => T): T {
  return getClient().tool(name, options, fn);
}

export function span<T>(kind: SpanKind, name: string, options: SpanOptions, fn: (span: Span) => T): T {
  return getClient().span(kind, name, options, fn);
}

export function startSpan(kind: SpanKind, name: string, options: SpanOptions = {}): Span {
  return getClient().startSpan(kind, name, options);
}

export function runInSpan<T>(span: Span, fn: () => T): T {
  return getClient().runInSpan(span, fn);
}

export function logAiDecision(decision: DecisionInput): string {
  return getClient().logAiDecision(decision);
}

export function captureFeedback(decisionId: string, signal: FeedbackSignal | string, options: FeedbackOptions = {}): Promise<string | undefined> {
  return getClient().captureFeedback(decisionId, signal, options);
}

export function flush(timeoutMs?: number): Promise<boolean> {
  return getClient().flush(timeoutMs);
}

export function shutdown(timeoutMs?: number): Promise<boolean> {
  return getClient().shutdown(timeoutMs);
}

export function stats(): Stats {
  return getClient().stats();
}

/** The span the caller is inside (this async context), or undefined. */
export function currentSpan(): Span | undefined {
  const current = currentParent();
  return current instanceof Span ? current : undefined;
}

/** The current trace's id (32 hex characters), to propagate or to log; undefined outside a trace. */
export function currentTraceId(): string | undefined {
  return currentParent()?.traceId;
}

/** The current span as a W3C `traceparent` header value, for calls to other services; undefined outside one. */
export function currentTraceparent(): string | undefined {
  const current = currentParent();
  return current?.spanId ? formatTraceparent(current.traceId, current.spanId, current.sampled) : undefined;
}

export const version = '0.1.0-dev.0';
