/**
 * The Vercel AI SDK (`ai`), without importing it: the `experimental_telemetry` settings that make its
 * OpenTelemetry spans arrive with Loupe's feature, user and session (with `LoupeSpanProcessor` registered), and a
 * reader for the usage of `generateText` / `streamText` results.
 */

import { currentParent, Span } from './span.js';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface AiSdkTelemetryOptions {
  /** Loupe's feature; default: the current Loupe trace's. */
  feature?: string;
  userId?: string;
  sessionId?: string;
  /** The AI SDK's function id (shown in span names); default: the feature. */
  functionId?: string;
  /** More metadata (strings, numbers, booleans), kept as span metadata by the collector. */
  metadata?: Record<string, string | number | boolean>;
  /** Record prompts and outputs (the AI SDK's recordInputs/recordOutputs); default true. */
  recordContent?: boolean;
}

/** The metadata keys `LoupeSpanProcessor` reads from `ai.telemetry.metadata.*`. */
export const AI_SDK_METADATA = { feature: 'loupe.feature', userId: 'loupe.user_id', sessionId: 'loupe.session_id' } as const;

/** `generateText({..., experimental_telemetry: aiSdkTelemetry({feature: 'support-chat', userId})})`. */
export function aiSdkTelemetry(options: AiSdkTelemetryOptions = {}): {
  isEnabled: true; functionId?: string; metadata: Record<string, string | number | boolean>;
  recordInputs: boolean; recordOutputs: boolean;
} {
  const current = currentParent();
  const feature = options.feature ?? current?.feature;
  const userId = options.userId ?? current?.userId;
  const sessionId = options.sessionId ?? current?.sessionId;
  const metadata: Record<string, string | number | boolean> = { ...(options.metadata ?? {}) };
  if (feature !== undefined) metadata[AI_SDK_METADATA.feature] = feature;
  if (userId !== undefined) metadata[AI_SDK_METADATA.userId] = userId;
  if (sessionId !== undefined) metadata[AI_SDK_METADATA.sessionId] = sessionId;
  const record = options.recordContent ?? true;
  return { isEnabled: true, functionId: options.functionId ?? feature, metadata, recordInputs: record, recordOutputs: record };
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
}

function apply(span: Span, usage: Any | undefined, finishReason: unknown, text: unknown, modelId: unknown): void {
  if (usage) {
    // AI SDK 6: inputTokenDetails / outputTokenDetails (the flat reasoningTokens / cachedInputTokens are
    // deprecated, and a cache write is only there); 5: the flat names; 4: promptTokens / completionTokens.
    // Its inputTokens include cache reads and writes, as Loupe's do.
    const input = usage.inputTokenDetails as Any | undefined;
    const output = usage.outputTokenDetails as Any | undefined;
    span.usage({
      inputTokens: int(usage.inputTokens ?? usage.promptTokens),
      outputTokens: int(usage.outputTokens ?? usage.completionTokens),
      reasoningTokens: int(output?.reasoningTokens ?? usage.reasoningTokens),
      cachedInputTokens: int(input?.cacheReadTokens ?? usage.cachedInputTokens),
      cacheWriteInputTokens: int(input?.cacheWriteTokens),
    });
  }
  if (typeof finishReason === 'string') {
    span.tag('finishReasons', finishReason);
    if (finishReason === 'length') span.truncated();
    else if (finishReason === 'error') span.error('AiSdkError', 'the model finished with an error');
  }
  if (typeof text === 'string' && span.completion === undefined) span.output(text);
  if (typeof modelId === 'string' && modelId) {
    if (span.model && span.model !== modelId && span.requestModel === undefined) span.requestModel = span.model;
    span.model = modelId;
  }
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';

/**
 * Fills a span (default: the current one) from a `generateText` result (synchronously) or a `streamText` result
 * (its usage, finish reason and text are promises: await the returned promise). Never throws or rejects.
 */
export function recordAiSdk(result: unknown, call?: Span): Span | undefined | Promise<Span | undefined> {
  const current = currentParent();
  const span = call ?? (current instanceof Span ? current : undefined);
  const r = result as Any;
  if (!span || span.ended || !r || typeof r !== 'object') return span;
  try {
    const usage = r.totalUsage ?? r.usage;
    const parts = [usage, r.finishReason, r.text, r.response];
    if (parts.some(isThenable)) {
      return Promise.all(parts.map((p) => Promise.resolve(p).catch(() => undefined)))
        .then(([u, reason, text, response]) => {
          apply(span, u as Any, reason, text, (response as Any | undefined)?.modelId);
          return span;
        })
        .catch(() => span);
    }
    apply(span, usage, r.finishReason, r.text, r.response?.modelId);
  } catch {
    // never into the app
  }
  return span;
}
