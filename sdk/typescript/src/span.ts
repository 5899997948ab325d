/** Spans and their nesting: AsyncLocalStorage holds the current span, so concurrent requests keep theirs. */

import { AsyncLocalStorage } from 'node:async_hooks';
import { formatTraceparent, newSpanId, newTraceId } from './ids.js';
import { retrievalResults } from './wire.js';

export type SpanKind = 'LLM' | 'RETRIEVAL' | 'TOOL' | 'EMBEDDING' | 'AGENT' | 'CHAIN' | 'OTHER';
export type SpanStatus = 'SUCCESS' | 'ERROR' | 'TRUNCATED';
export const KINDS: readonly SpanKind[] = ['LLM', 'RETRIEVAL', 'TOOL', 'EMBEDDING', 'AGENT', 'CHAIN', 'OTHER'];

/** What a span inherits from its parent; also what a remote parent (a traceparent) gives. */
export interface Parent {
  readonly traceId: string;
  readonly spanId: string | undefined;
  readonly sampled: boolean;
  feature?: string;
  userId?: string;
  sessionId?: string;
  decisionId?: string;
}

/** The parts of the client a span needs. */
export interface SpanOwner {
  sample(traceId: string): boolean;
  finish(span: Span): void;
}

export const storage = new AsyncLocalStorage<Parent>();

/** The span the caller is inside (in this async context), or undefined. */
export function currentParent(): Parent | undefined {
  return storage.getStore();
}

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
  cacheWriteInputTokens?: number;
}

function count(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'bigint') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? Math.trunc(n) : undefined;
}

/** Text as given; message lists and other structures as JSON (the collector stores prompts as text). */
export function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const now = () => performance.timeOrigin + performance.now();

/**
 * One unit of work: an LLM call, a retrieval, a tool call or a parent step. Methods return the span, so calls
 * chain; once it ended, changes are ignored. Nothing here throws on odd values: a negative token count is left out.
 */
export class Span implements Parent {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly sampled: boolean;
  kind: SpanKind;
  name: string | undefined;
  provider?: string;
  model?: string;
  requestModel?: string;
  /** Start, in microseconds since the epoch. */
  readonly startUs: number;
  private readonly t0: number;
  latencyMs?: number;
  durationUs?: number;
  ttftMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteInputTokens?: number;
  reasoningTokens?: number;
  costUsd?: number;
  prompt?: string;
  completion?: string;
  parsedOutput?: unknown;
  hasParsedOutput = false;
  parseError?: string;
  status?: SpanStatus;
  errorType?: string;
  errorMessage?: string;
  feature?: string;
  sessionId?: string;
  userId?: string;
  decisionId?: string;
  toolName?: string;
  toolArguments?: string;
  toolResult?: string;
  metadata?: Record<string, string>;
  attributes?: Record<string, unknown>;
  ended = false;
  private readonly owner: SpanOwner | undefined;

  constructor(owner: SpanOwner | undefined, kind: SpanKind, name: string | undefined, parent: Parent | undefined) {
    this.owner = owner;
    this.kind = kind;
    this.name = name;
    if (parent) {
      this.traceId = parent.traceId;
      this.parentSpanId = parent.spanId;
      this.sampled = parent.sampled;
      this.feature = parent.feature;
      this.userId = parent.userId;
      this.sessionId = parent.sessionId;
      this.decisionId = parent.decisionId;
    } else {
      this.traceId = newTraceId();
      this.parentSpanId = undefined;
      this.sampled = owner ? owner.sample(this.traceId) : false;
    }
    this.spanId = newSpanId();
    this.t0 = performance.now();
    this.startUs = Math.round((performance.timeOrigin + this.t0) * 1000);
  }

  /** Token counts; `inputTokens` includes the cached and cache-write tokens (as OpenAI counts them). */
  usage(usage: Usage): this {
    if (this.ended || !usage) return this;
    if (usage.inputTokens !== undefined) this.inputTokens = count(usage.inputTokens);
    if (usage.outputTokens !== undefined) this.outputTokens = count(usage.outputTokens);
    if (usage.cachedInputTokens !== undefined) this.cachedInputTokens = count(usage.cachedInputTokens);
    if (usage.reasoningTokens !== undefined) this.reasoningTokens = count(usage.reasoningTokens);
    if (usage.cacheWriteInputTokens !== undefined) this.cacheWriteInputTokens = count(usage.cacheWriteInputTokens);
    return this;
  }

  /** The prompt: text, or a message list (`[{role: 'user', content: '…'}]`) kept as JSON. */
  input(prompt: unknown): this {
    if (!this.ended) this.prompt = asText(prompt);
    return this;
  }

  /** The completion (text or messages), and optionally what the app parsed out of it (any JSON value). */
  output(completion: unknown, parsedOutput?: unknown): this {
    if (this.ended) return this;
    this.completion = asText(completion);
    if (parsedOutput !== undefined) this.parsed(parsedOutput);
    return this;
  }

  /** The structured output the app parsed, or why parsing failed. */
  parsed(value?: unknown, error?: string): this {
    if (this.ended) return this;
    if (value !== undefined) {
      this.parsedOutput = value;
      this.hasParsedOutput = true;
    }
    if (error !== undefined) this.parseError = String(error);
    return this;
  }

  /** The model stopped at its token limit (finish reason `length` / `max_tokens`). */
  truncated(): this {
    if (!this.ended) this.status = 'TRUNCATED';
    return this;
  }

  success(): this {
    if (!this.ended) this.status = 'SUCCESS';
    return this;
  }

  /** Marks the span failed: an error (its name and message), or a type name and a message. */
  error(error: unknown, message?: string): this {
    if (this.ended) return this;
    this.status = 'ERROR';
    if (error instanceof Error) {
      this.errorType = error.name || error.constructor?.name || 'Error';
      this.errorMessage = message ?? error.message;
    } else {
      this.errorType = String(error);
      this.errorMessage = message;
    }
    return this;
  }

  /** Call when the first streamed token arrives: records the time to first token. */
  firstToken(): this {
    if (!this.ended && this.ttftMs === undefined) this.ttftMs = Math.round(performance.now() - this.t0);
    return this;
  }

  /** Sets fields by name: model, provider, requestModel, name, feature, userId, sessionId, decisionId, costUsd,
   * toolName, toolArguments, toolResult. */
  set(fields: Partial<Pick<Span, 'model' | 'provider' | 'requestModel' | 'name' | 'feature' | 'userId' | 'sessionId'
    | 'decisionId' | 'costUsd' | 'toolName'>> & { toolArguments?: unknown; toolResult?: unknown }): this {
    if (this.ended || !fields) return this;
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      switch (key) {
        case 'toolArguments':
        case 'toolResult':
          this[key] = asText(value);
          break;
        case 'costUsd':
          this.costUsd = typeof value === 'number' && Number.isFinite(value) ? value : undefined;
          break;
        case 'model': case 'provider': case 'requestModel': case 'name': case 'feature': case 'userId':
        case 'sessionId': case 'decisionId': case 'toolName':
          this[key] = String(value);
          break;
        default:
          break;
      }
    }
    return this;
  }

  /** A metadata entry (text), shown and searchable with the span. */
  tag(key: string, value: unknown): this {
    if (this.ended || value === undefined || value === null) return this;
    (this.metadata ??= {})[String(key)] = typeof value === 'string' ? value : asText(value) ?? '';
    return this;
  }

  /** A free attribute (any JSON value), kept with the span as given. */
  attribute(key: string, value: unknown): this {
    if (!this.ended) (this.attributes ??= {})[String(key)] = value;
    return this;
  }

  /** What a retrieval returned (`[{docId, score, text}]`): ids and scores become the completion; texts are left
   * out (a decision's retrieved texts are only hashed). */
  documents(results: Iterable<unknown>): this {
    if (this.ended || !results) return this;
    // the decision's mapping of ids and scores, without the texts
    const docs = (retrievalResults(results) ?? []).map(({ docId, score }) => (score === undefined ? { docId } : { docId, score }));
    this.completion = JSON.stringify(docs);
    return this.attribute('retrievedDocuments', docs.length);
  }

  /** Ends the span now and hands it to the sender (the scope functions do this for you). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const elapsed = performance.now() - this.t0;
    this.durationUs = Math.round(elapsed * 1000);
    this.latencyMs = Math.floor(elapsed);
    this.owner?.finish(this);
  }

  /** This span as a W3C `traceparent`, to pass to another service. */
  get traceparent(): string {
    return formatTraceparent(this.traceId, this.spanId, this.sampled);
  }
}

export { now as nowMs };
