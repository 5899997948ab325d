/** `Loupe`: one configured client — spans, decisions, feedback, and the sender behind them. */

import { buildConfig, type Config, type LoupeOptions } from './config.js';
import { sendFeedback, type FeedbackOptions, type FeedbackSignal } from './feedback.js';
import { randomUuid } from './http.js';
import { parseTraceparent, validSpanId, validTraceId } from './ids.js';
import { asText, currentParent, KINDS, Span, storage, type Parent, type SpanKind } from './span.js';
import { Transport, type TransportStats } from './transport.js';
import { iso, isoFromUs, metadata as wireMetadata, retrievalResults } from './wire.js';

/** Options every scope takes; they are applied to the span when it starts. */
export interface SpanOptions {
  feature?: string;
  model?: string;
  provider?: string;
  requestModel?: string;
  userId?: string;
  sessionId?: string;
  decisionId?: string;
  /** The prompt: text or a message list. */
  prompt?: unknown;
  promptTemplate?: string;
  promptVersion?: string;
  /** Metadata entries (text). */
  metadata?: Record<string, unknown>;
  /** Join a trace started elsewhere: a W3C `traceparent`, or a trace id with an optional parent span id. */
  traceparent?: string;
  traceId?: string;
  parentSpanId?: string;
  /** The span's name (llmCall: default `"<provider> <model>"`). */
  name?: string;
}

export interface DecisionInput {
  /** A new UUID when absent; returned so the app can attach it to its UI for feedback. */
  decisionId?: string;
  feature?: string;
  input?: unknown;
  /** `[{docId, score, text}]` (or `textHash`); the text is only hashed (HMAC) by the collector, never stored. */
  retrievalResults?: Iterable<unknown>;
  promptTemplate?: string;
  promptVersion?: string;
  model?: string;
  output?: unknown;
  parsedOutput?: unknown;
  parseError?: string;
  status?: 'SUCCESS' | 'ERROR' | 'TRUNCATED' | 'success' | 'error' | 'truncated';
  errorType?: string;
  costUsd?: number;
  latencyMs?: number;
  occurredAt?: Date | string;
  metadata?: Record<string, unknown>;
  /** Default: the current trace's. */
  traceId?: string;
}

export interface Stats extends Omit<TransportStats, 'taken'> {
  queued: number;
  enqueued: number;
  sampledOut: number;
}

const TWO_32 = 0x100000000;

export class Loupe {
  readonly config: Config;
  private readonly transport: Transport | undefined;
  private readonly sending: boolean;
  private readonly threshold: number;
  private sampledOut = 0;
  private readonly warned = new Set<string>();

  /**
   * Options left out come from the environment (`LOUPE_*`), else their defaults. `disabled: true` (or
   * `LOUPE_DISABLED=1`) sends nothing and keeps every call working. Throws LoupeConfigError naming a malformed
   * option or environment variable.
   */
  constructor(options: LoupeOptions = {}, fetchImpl?: typeof fetch) {
    this.config = buildConfig(options);
    this.sending = !this.config.disabled && Boolean(this.config.apiKey);
    this.transport = this.sending ? new Transport(this.config, fetchImpl) : undefined;
    this.threshold = this.config.sampleRate * TWO_32;
    if (!this.config.disabled && !this.config.apiKey) {
      this.config.logger.warn('no ingest key (apiKey, LOUPE_API_KEY): spans and decisions are not sent');
    }
    this.feedbackFetch = fetchImpl;
  }

  private readonly feedbackFetch: typeof fetch | undefined;

  /** True when spans and decisions are sent (not disabled, an ingest key set). */
  get enabled(): boolean {
    return this.sending;
  }

  // -- spans ------------------------------------------------------------------------------------------------

  /** An LLM call: `await loupe.llmCall({feature, model, provider}, async (call) => { …; call.usage({…}); })`.
   * Returns what `fn` returns; an error is recorded on the span and rethrown. */
  llmCall<T>(options: SpanOptions, fn: (call: Span) => T): T {
    const name = options.name ?? (options.model ? (options.provider ? `${options.provider} ${options.model}` : options.model) : undefined);
    return this.run('LLM', name, options, fn);
  }

  /** A parent span (CHAIN): spans started inside `fn` are its children; feature, user and session pass down. */
  trace<T>(name: string, options: SpanOptions & { kind?: SpanKind }, fn: (span: Span) => T): T {
    return this.run(kindOf(options.kind ?? 'CHAIN'), name, options, fn);
  }

  /** A retrieval step; record what came back with `span.documents([...])`. */
  retrieval<T>(name: string, options: SpanOptions & { query?: unknown }, fn: (span: Span) => T): T {
    return this.run('RETRIEVAL', name, options.query !== undefined ? { ...options, prompt: options.query } : options, fn);
  }

  /** A tool call: its name and arguments; `span.set({toolResult})`, or the value `fn` returns, is its result. */
  tool<T>(name: string, options: SpanOptions & { arguments?: unknown }, fn: (span: Span) => T): T {
    return this.run('TOOL', name, options, fn, (span) => {
      span.toolName = name;
      if (options.arguments !== undefined) span.toolArguments = asText(options.arguments);
    });
  }

  /** A span of any kind. */
  span<T>(kind: SpanKind, name: string, options: SpanOptions, fn: (span: Span) => T): T {
    return this.run(kindOf(kind), name, options, fn);
  }

  /** A span you end yourself (`span.end()`), for work that does not fit one function, like a stream. It is not
   * the current span: pass it as `parent` to spans started under it, or use `runInSpan`. */
  startSpan(kind: SpanKind, name: string, options: SpanOptions = {}): Span {
    return this.start(kindOf(kind), name, options);
  }

  /** Runs `fn` with `span` as the current span (a span from `startSpan`). */
  runInSpan<T>(span: Span, fn: () => T): T {
    return storage.run(span, fn);
  }

  private run<T>(kind: SpanKind, name: string | undefined, options: SpanOptions, fn: (span: Span) => T,
    init?: (span: Span) => void): T {
    const span = this.start(kind, name, options);
    if (init) init(span);
    let result: T;
    try {
      result = storage.run(span, fn, span);
    } catch (e) {
      span.error(e);
      span.end();
      throw e;
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      return (result as unknown as Promise<unknown>).then(
        (value) => {
          record(span, value);
          span.end();
          return value;
        },
        (e: unknown) => {
          span.error(e);
          span.end();
          throw e;
        },
      ) as unknown as T;
    }
    record(span, result);
    span.end();
    return result;
  }

  private start(kind: SpanKind, name: string | undefined, options: SpanOptions): Span {
    let parent: Parent | undefined = currentParent();
    if (options.traceparent !== undefined || options.traceId !== undefined) {
      parent = this.remoteParent(options) ?? parent;
    }
    const span = new Span(this, kind, name, parent);
    if (options.feature !== undefined) span.feature = options.feature;
    if (options.model !== undefined) span.model = options.model;
    if (options.provider !== undefined) span.provider = options.provider;
    if (options.requestModel !== undefined) span.requestModel = options.requestModel;
    if (options.userId !== undefined) span.userId = String(options.userId);
    if (options.sessionId !== undefined) span.sessionId = String(options.sessionId);
    if (options.decisionId !== undefined) span.decisionId = String(options.decisionId);
    if (options.prompt !== undefined) span.input(options.prompt);
    if (options.promptTemplate !== undefined) span.tag('promptTemplate', options.promptTemplate);
    if (options.promptVersion !== undefined) span.tag('promptVersion', options.promptVersion);
    if (options.metadata) for (const [k, v] of Object.entries(options.metadata)) span.tag(k, v);
    return span;
  }

  private remoteParent(options: SpanOptions): Parent | undefined {
    if (options.traceparent !== undefined) {
      const parsed = parseTraceparent(options.traceparent);
      if (!parsed) {
        this.warnOnce('traceparent', `ignoring a malformed traceparent ${JSON.stringify(String(options.traceparent).slice(0, 80))}`);
        return undefined;
      }
      return { traceId: parsed[0], spanId: parsed[1], sampled: this.sample(parsed[0]) };
    }
    const traceId = String(options.traceId).toLowerCase();
    if (!validTraceId(traceId)) {
      this.warnOnce('traceId', `ignoring traceId ${JSON.stringify(traceId.slice(0, 80))} (32 hex characters)`);
      return undefined;
    }
    let spanId = options.parentSpanId === undefined ? undefined : String(options.parentSpanId).toLowerCase();
    if (spanId !== undefined && !validSpanId(spanId)) {
      this.warnOnce('parentSpanId', 'ignoring a malformed parentSpanId (16 hex characters)');
      spanId = undefined;
    }
    return { traceId, spanId, sampled: this.sample(traceId) };
  }

  /** @internal */
  sample(traceId: string): boolean {
    if (this.threshold >= TWO_32) return true;
    // the trace id's last 8 hex digits decide, so every span of a trace is kept or dropped together
    return parseInt(traceId.slice(24), 16) < this.threshold;
  }

  /** @internal */
  finish(span: Span): void {
    if (!this.sending) return;
    if (!span.sampled) {
      this.sampledOut++;
      return;
    }
    this.transport!.offer('spans', span);
  }

  // -- decisions ----------------------------------------------------------------------------------------------

  /** Records what the AI decided and from what; returns the decision id (a new UUID when none is given).
   * Inside a trace, the decision joins it and the current span carries its id. Never throws. */
  logAiDecision(decision: DecisionInput): string {
    const decisionId = decision?.decisionId ? String(decision.decisionId) : randomUuid();
    try {
      const current = currentParent();
      let traceId = decision.traceId;
      if (traceId !== undefined) {
        traceId = String(traceId).toLowerCase();
        if (!validTraceId(traceId)) {
          this.warnOnce('decision-traceId', `logAiDecision: ignoring traceId ${JSON.stringify(traceId.slice(0, 80))} (32 hex characters); the decision is sent without it`);
          traceId = undefined;
        }
      } else {
        traceId = current?.traceId;
      }
      const feature = decision.feature ?? current?.feature;
      if (current instanceof Span && current.decisionId === undefined && !current.ended) current.decisionId = decisionId;
      if (!this.sending) return decisionId;
      const item: Record<string, unknown> = { decisionId };
      const put = (key: string, value: unknown) => {
        if (value !== undefined && value !== null) item[key] = value;
      };
      put('traceId', traceId);
      put('feature', feature);
      put('input', asText(decision.input));
      put('retrievalResults', retrievalResults(decision.retrievalResults));
      put('promptTemplate', decision.promptTemplate);
      put('promptVersion', decision.promptVersion);
      put('model', decision.model);
      put('output', asText(decision.output));
      if (decision.parsedOutput !== undefined) item.parsedOutput = decision.parsedOutput;
      put('parseError', decision.parseError);
      put('status', decision.status?.toUpperCase());
      put('errorType', decision.errorType);
      put('costUsd', typeof decision.costUsd === 'number' && Number.isFinite(decision.costUsd) ? decision.costUsd : undefined);
      put('latencyMs', typeof decision.latencyMs === 'number' && Number.isFinite(decision.latencyMs) ? Math.trunc(decision.latencyMs) : undefined);
      put('occurredAt', iso(decision.occurredAt) ?? isoFromUs(Math.round((performance.timeOrigin + performance.now()) * 1000)));
      put('metadata', wireMetadata(decision.metadata));
      this.transport!.offer('decisions', item);
    } catch (e) {
      this.warnOnce('decision', `could not record a decision: ${String(e)}`);
    }
    return decisionId;
  }

  // -- feedback -----------------------------------------------------------------------------------------------

  /** A user's feedback on a decision, with the public key; resolves to the feedback id (undefined when
   * disabled). A correction makes eval-runner re-evaluate the decision against it. Rejects with LoupeRejected
   * (`e.field`), LoupeUnavailable or LoupeConfigError. Retries reuse one idempotency key. */
  async captureFeedback(decisionId: string, signal: FeedbackSignal | string, options: FeedbackOptions = {}): Promise<string | undefined> {
    if (this.config.disabled) return undefined;
    return sendFeedback({
      publicKey: this.config.publicKey ?? '',
      feedbackUrl: this.config.feedbackUrl,
      timeoutMs: this.config.timeoutMs,
      attempts: this.config.feedbackAttempts,
      backoffInitialMs: this.config.backoffInitialMs,
      backoffMaxMs: this.config.backoffMaxMs,
      fetch: this.feedbackFetch,
    }, decisionId, signal, options);
  }

  // -- lifecycle ----------------------------------------------------------------------------------------------

  /** Resolves true once everything queued before the call was sent, rejected or given up; false on timeout. */
  flush(timeoutMs: number = this.config.closeTimeoutMs): Promise<boolean> {
    return this.transport ? this.transport.flush(timeoutMs) : Promise.resolve(true);
  }

  /** Sends what is queued (within `timeoutMs`) and stops; later spans are dropped. True when nothing was left. */
  shutdown(timeoutMs: number = this.config.closeTimeoutMs): Promise<boolean> {
    return this.transport ? this.transport.shutdown(timeoutMs) : Promise.resolve(true);
  }

  /** Counters. Once idle, `enqueued === sent + rejected + failed`; `dropped` counts what a full queue (or a
   * shut-down client) refused, `sampledOut` the spans `sampleRate` left out. */
  stats(): Stats {
    const t = this.transport;
    const queued = t ? t.queued() : 0;
    const s = t ? t.stats : { taken: 0, sent: 0, rejected: 0, failed: 0, retries: 0, requests: 0, dropped: 0 };
    return {
      queued,
      enqueued: s.taken + queued,
      sent: s.sent,
      rejected: s.rejected,
      failed: s.failed,
      dropped: s.dropped,
      retries: s.retries,
      requests: s.requests,
      sampledOut: this.sampledOut,
    };
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) {
      this.config.logger.debug?.(message);
      return;
    }
    this.warned.add(key);
    this.config.logger.warn(message);
  }
}

function kindOf(kind: string): SpanKind {
  const upper = String(kind).toUpperCase() as SpanKind;
  return KINDS.includes(upper) ? upper : 'OTHER';
}

/** A scope's return value, recorded when the span has nothing yet: a tool's result, an LLM's text. */
function record(span: Span, value: unknown): void {
  if (value === undefined || span.ended) return;
  try {
    if (span.kind === 'TOOL' && span.toolResult === undefined) {
      span.toolResult = asText(value);
    } else if (span.kind === 'LLM' && span.completion === undefined && typeof value === 'string') {
      span.completion = value;
    }
  } catch {
    // never into the app
  }
}
