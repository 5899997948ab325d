/** The collector's native JSON (`contracts`' SpanInput and DecisionInput), built by the sender, not the app. */

import type { Span } from './span.js';

let cachedSecond = -1;
let cachedText = '';

/** ISO-8601 UTC to the microsecond, the precision PostgreSQL stores. */
export function isoFromUs(us: number): string {
  const second = Math.floor(us / 1_000_000);
  if (second !== cachedSecond) {
    cachedText = new Date(second * 1000).toISOString().slice(0, 19);
    cachedSecond = second;
  }
  return `${cachedText}.${String(us - second * 1_000_000).padStart(6, '0')}Z`;
}

export function iso(value: Date | string | number | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return isoFromUs(Math.round(value * 1000));
  return value.toISOString();
}

export function spanJson(span: Span): Record<string, unknown> {
  const out: Record<string, unknown> = {
    traceId: span.traceId,
    spanId: span.spanId,
    kind: span.kind,
    startTime: isoFromUs(span.startUs),
  };
  if (span.parentSpanId !== undefined) out.parentSpanId = span.parentSpanId;
  if (span.durationUs !== undefined) {
    out.endTime = isoFromUs(span.startUs + span.durationUs);
    out.latencyMs = span.latencyMs;
  }
  if (span.name !== undefined) out.name = span.name;
  if (span.provider !== undefined) out.provider = span.provider;
  if (span.model !== undefined) out.model = span.model;
  if (span.requestModel !== undefined) out.requestModel = span.requestModel;
  if (span.ttftMs !== undefined) out.timeToFirstTokenMs = span.ttftMs;
  if (span.inputTokens !== undefined) out.inputTokens = span.inputTokens;
  if (span.outputTokens !== undefined) out.outputTokens = span.outputTokens;
  if (span.cachedInputTokens !== undefined) out.cachedInputTokens = span.cachedInputTokens;
  if (span.cacheWriteInputTokens !== undefined) out.cacheWriteInputTokens = span.cacheWriteInputTokens;
  if (span.reasoningTokens !== undefined) out.reasoningTokens = span.reasoningTokens;
  if (span.costUsd !== undefined) out.costUsd = span.costUsd;
  if (span.prompt !== undefined) out.prompt = span.prompt;
  if (span.completion !== undefined) out.completion = span.completion;
  if (span.hasParsedOutput) out.parsedOutput = span.parsedOutput ?? null;
  if (span.parseError !== undefined) out.parseError = span.parseError;
  out.status = span.status ?? 'SUCCESS';
  if (span.errorType !== undefined) out.errorType = span.errorType;
  if (span.errorMessage !== undefined) out.errorMessage = span.errorMessage;
  if (span.feature !== undefined) out.feature = span.feature;
  if (span.sessionId !== undefined) out.sessionId = span.sessionId;
  if (span.userId !== undefined) out.userId = span.userId;
  if (span.decisionId !== undefined) out.decisionId = span.decisionId;
  if (span.toolName !== undefined) out.toolName = span.toolName;
  if (span.toolArguments !== undefined) out.toolArguments = span.toolArguments;
  if (span.toolResult !== undefined) out.toolResult = span.toolResult;
  if (span.metadata) out.metadata = span.metadata;
  if (span.attributes) out.attributes = span.attributes;
  return out;
}

/** `[{docId, score, text}]` (or `doc_id`/`id`, `textHash`/`text_hash`) as the wire's retrieval results. */
export function retrievalResults(results: Iterable<unknown> | undefined): Array<Record<string, unknown>> | undefined {
  if (!results) return undefined;
  const out = [];
  for (const item of results) {
    const doc = (item ?? {}) as Record<string, unknown>;
    const id = doc.docId ?? doc.doc_id ?? doc.id;
    const entry: Record<string, unknown> = { docId: id === undefined || id === null ? null : String(id) };
    if (typeof doc.score === 'number' && Number.isFinite(doc.score)) entry.score = doc.score;
    if (doc.text !== undefined && doc.text !== null) entry.text = String(doc.text);
    const hash = doc.textHash ?? doc.text_hash;
    if (hash !== undefined && hash !== null) entry.textHash = String(hash);
    out.push(entry);
  }
  return out;
}

/** Metadata values as text (the wire's map of strings). */
export function metadata(values: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!values) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    any = true;
  }
  return any ? out : undefined;
}
