/**
 * OpenTelemetry JS, without importing it: a SpanProcessor that puts Loupe's feature, user and session on every
 * span started inside a Loupe trace (or named by the AI SDK's telemetry metadata), and the exporter settings that
 * send OTLP to the collector. The collector maps the GenAI and OpenInference conventions (its README).
 */

import { AI_SDK_METADATA } from './ai-sdk.js';
import { currentParent } from './span.js';

/** The part of an OpenTelemetry span this processor touches (`@opentelemetry/sdk-trace-base`'s Span). */
interface OtelSpanLike {
  attributes?: Record<string, unknown>;
  setAttribute(key: string, value: unknown): unknown;
}

export interface LoupeSpanProcessorOptions {
  /** A fixed feature for spans outside a Loupe trace (e.g. one service = one feature). */
  feature?: string;
}

/** Register with your tracer provider: `new NodeTracerProvider({spanProcessors: [new LoupeSpanProcessor(),
 * new BatchSpanProcessor(new OTLPTraceExporter(loupeOtlpExporterConfig()))]})`. */
export class LoupeSpanProcessor {
  constructor(private readonly options: LoupeSpanProcessorOptions = {}) {}

  onStart(span: OtelSpanLike): void {
    try {
      const attributes = span.attributes ?? {};
      const set = (key: string, value: unknown) => {
        if (value !== undefined && value !== null && value !== '' && attributes[key] === undefined) span.setAttribute(key, value);
      };
      const meta = (key: string) => attributes[`ai.telemetry.metadata.${key}`];
      const current = currentParent();
      set('loupe.feature', meta(AI_SDK_METADATA.feature) ?? current?.feature ?? this.options.feature);
      set('user.id', meta(AI_SDK_METADATA.userId) ?? current?.userId);
      set('session.id', meta(AI_SDK_METADATA.sessionId) ?? current?.sessionId);
    } catch {
      // never into the app
    }
  }

  onEnd(): void {}

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** `new OTLPTraceExporter(loupeOtlpExporterConfig())` (`@opentelemetry/exporter-trace-otlp-http` or `-proto`):
 * the collector's `/v1/traces` and the ingest key, from the options or `LOUPE_COLLECTOR_URL` / `LOUPE_API_KEY`. */
export function loupeOtlpExporterConfig(options: { collectorUrl?: string; apiKey?: string } = {}): {
  url: string; headers: Record<string, string>;
} {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const base = (options.collectorUrl ?? env.LOUPE_COLLECTOR_URL ?? 'http://127.0.0.1:8081').replace(/\/+$/, '');
  const key = options.apiKey ?? env.LOUPE_API_KEY ?? env.LOUPE_SECRET_KEY ?? '';
  return { url: `${base}/v1/traces`, headers: { Authorization: `Bearer ${key}` } };
}
