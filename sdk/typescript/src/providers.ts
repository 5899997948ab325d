/**
 * Readers for provider responses, by duck typing: nothing here imports `openai`, `@anthropic-ai/sdk` or `ai`.
 * Each fills a span (default: the current one) with what the response says — model, token usage (cached,
 * cache-write, reasoning), finish reason (`length` / `max_tokens` → truncated), completion text and tool calls.
 * A missing field is left as it was; an ended span is not changed; nothing throws.
 */

import { currentParent, Span } from './span.js';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function target(call: Span | undefined): Span | undefined {
  if (call) return call.ended ? undefined : call;
  const current = currentParent();
  return current instanceof Span && !current.ended ? current : undefined;
}

function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
}

function model(span: Span, value: unknown): void {
  if (typeof value !== 'string' || !value) return;
  if (span.model && span.model !== value && span.requestModel === undefined) span.requestModel = span.model;
  span.model = value;
}

function finishReasons(span: Span, reasons: unknown[]): void {
  const list = [...new Set(reasons.filter((r): r is string => typeof r === 'string' && r.length > 0))];
  if (list.length === 0) return;
  span.tag('finishReasons', list.join(','));
  if (list.some((r) => r === 'length' || r === 'max_tokens' || r === 'max_output_tokens') && span.status !== 'ERROR') {
    span.truncated();
  }
}

/** An OpenAI Chat Completions or Responses API result (also Azure OpenAI and OpenAI-compatible servers). */
export function recordOpenAI(response: unknown, call?: Span): Span | undefined {
  const span = target(call);
  const r = response as Any;
  if (!span || !r || typeof r !== 'object') return span;
  try {
    model(span, r.model);
    const usage = r.usage as Any | undefined;
    if (usage) {
      const details = usage.prompt_tokens_details ?? usage.input_tokens_details;
      const out = usage.completion_tokens_details ?? usage.output_tokens_details;
      span.usage({
        inputTokens: int(usage.prompt_tokens ?? usage.input_tokens),
        outputTokens: int(usage.completion_tokens ?? usage.output_tokens),
        cachedInputTokens: int(details?.cached_tokens ?? usage.cache_read_input_tokens),
        reasoningTokens: int(out?.reasoning_tokens),
        cacheWriteInputTokens: int(usage.cache_creation_input_tokens),
      });
    }
    if (Array.isArray(r.choices)) {
      const texts: string[] = [];
      const toolCalls: Any[] = [];
      finishReasons(span, r.choices.map((c: Any) => c?.finish_reason));
      for (const choice of r.choices) {
        const message = choice?.message;
        if (typeof message?.content === 'string') texts.push(message.content);
        for (const t of message?.tool_calls ?? []) {
          toolCalls.push({ id: t?.id, name: t?.function?.name, arguments: t?.function?.arguments });
        }
      }
      if (span.completion === undefined) {
        if (toolCalls.length) span.output([{ role: 'assistant', content: texts.join('\n') || null, tool_calls: toolCalls }]);
        else if (texts.length) span.output(texts.join('\n'));
      }
    } else {
      if (r.status === 'incomplete') finishReasons(span, [r.incomplete_details?.reason ?? 'max_output_tokens']);
      else if (r.status === 'failed') span.error(String(r.error?.code ?? 'ResponseFailed'), r.error?.message);
      if (typeof r.output_text === 'string' && r.output_text && span.completion === undefined) span.output(r.output_text);
    }
  } catch {
    // never into the app
  }
  return span;
}

/** An Anthropic Messages API result. Its `input_tokens` leaves the cache out; Loupe counts input like OpenAI
 * (cache reads and writes included), so they are added. */
export function recordAnthropic(response: unknown, call?: Span): Span | undefined {
  const span = target(call);
  const r = response as Any;
  if (!span || !r || typeof r !== 'object') return span;
  try {
    model(span, r.model);
    const usage = r.usage as Any | undefined;
    if (usage) {
      const raw = int(usage.input_tokens);
      const read = int(usage.cache_read_input_tokens);
      const write = int(usage.cache_creation_input_tokens);
      span.usage({
        inputTokens: raw === undefined ? undefined : raw + (read ?? 0) + (write ?? 0),
        outputTokens: int(usage.output_tokens),
        cachedInputTokens: read,
        cacheWriteInputTokens: write,
        reasoningTokens: int(usage.output_tokens_details?.thinking_tokens), // part of output_tokens
      });
    }
    if (typeof r.stop_reason === 'string') finishReasons(span, [r.stop_reason]);
    if (Array.isArray(r.content) && span.completion === undefined) {
      const texts: string[] = [];
      const tools: Any[] = [];
      for (const block of r.content) {
        if (block?.type === 'text') texts.push(String(block.text ?? ''));
        else if (block?.type === 'tool_use') tools.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
      }
      if (tools.length) span.output([{ role: 'assistant', content: texts.join('\n') || null, tool_calls: tools }]);
      else if (texts.length) span.output(texts.join('\n'));
    }
  } catch {
    // never into the app
  }
  return span;
}

/** Whichever of the two the response looks like: `choices`/`output` → OpenAI, `stop_reason` or
 * `type: 'message'` → Anthropic; otherwise the span is left as it was. */
export function recordResponse(response: unknown, call?: Span): Span | undefined {
  const r = response as Any;
  if (r && typeof r === 'object') {
    if (r.choices !== undefined || r.output !== undefined) return recordOpenAI(r, call);
    if (r.stop_reason !== undefined || r.type === 'message') return recordAnthropic(r, call);
  }
  return target(call);
}
