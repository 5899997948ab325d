// The bridges against the real libraries: the OpenTelemetry JS SDK (BasicTracerProvider, InMemorySpanExporter,
// OTLPTraceExporter) with LoupeSpanProcessor, and the Vercel AI SDK (`ai` 6, its MockLanguageModelV3) with
// aiSdkTelemetry and recordAiSdk. Provider responses for recordOpenAI / recordAnthropic are shaped as the types of
// `openai` 6.49 (ChatCompletion) and `@anthropic-ai/sdk` 0.137 (Message) declare them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, streamText } from 'ai';
import { MockLanguageModelV3, simulateReadableStream } from 'ai/test';

import {
  Loupe, LoupeSpanProcessor, aiSdkTelemetry, loupeOtlpExporterConfig, recordAiSdk, recordAnthropic, recordOpenAI,
} from '../dist/esm/index.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new LoupeSpanProcessor({ feature: 'service-default' }), new SimpleSpanProcessor(exporter)],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(provider);
const tracer = trace.getTracer('bridges-test');

// spans are built and kept in memory, never sent
const loupe = new Loupe({ disabled: true, env: {}, flushOnExit: false });

function finished(name) {
  const spans = exporter.getFinishedSpans().filter((s) => s.name === name);
  assert.equal(spans.length, 1, `one span ${name}; got ${exporter.getFinishedSpans().map((s) => s.name)}`);
  return spans[0];
}

function identity(span) {
  return {
    feature: span.attributes['loupe.feature'],
    user: span.attributes['user.id'],
    session: span.attributes['session.id'],
  };
}

// AI SDK 6's usage as a provider reports it (LanguageModelV3Usage)
const USAGE = {
  inputTokens: { total: 12, noCache: 6, cacheRead: 2, cacheWrite: 4 },
  outputTokens: { total: 7, text: 4, reasoning: 3 },
};

function mockModel({ text = 'Hello there', finish = 'stop' } = {}) {
  return new MockLanguageModelV3({
    provider: 'mock-provider',
    modelId: 'mock-model',
    doGenerate: async () => ({
      content: [{ type: 'text', text }],
      finishReason: { unified: finish, raw: finish },
      usage: USAGE,
      warnings: [],
      response: { id: 'resp-1', modelId: 'mock-model-2026-01-01', timestamp: new Date(0) },
    }),
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: 'stream-start', warnings: [] },
          { type: 'response-metadata', id: 'resp-2', modelId: 'mock-model-2026-01-01', timestamp: new Date(0) },
          { type: 'text-start', id: 't1' },
          { type: 'text-delta', id: 't1', delta: 'Streamed ' },
          { type: 'text-delta', id: 't1', delta: 'answer' },
          { type: 'text-end', id: 't1' },
          { type: 'finish', finishReason: { unified: finish, raw: finish }, usage: USAGE },
        ],
      }),
    }),
  });
}

test('spans started inside loupe.trace get its feature, user and session', async () => {
  exporter.reset();
  await loupe.trace('answer', { feature: 'support-chat', userId: 'user-1', sessionId: 'session-1' }, async () => {
    await tracer.startActiveSpan('inside', async (span) => {
      await sleep(1); // across an await
      span.end();
    });
    tracer.startSpan('own-user', { attributes: { 'user.id': 'explicit' } }).end();
  });
  tracer.startSpan('outside').end();

  assert.deepEqual(identity(finished('inside')), { feature: 'support-chat', user: 'user-1', session: 'session-1' });
  assert.equal(finished('own-user').attributes['user.id'], 'explicit', 'an attribute the span has is kept');
  // outside a Loupe trace: only the processor's fixed feature
  assert.deepEqual(identity(finished('outside')), { feature: 'service-default', user: undefined, session: undefined });
});

test('AI SDK generateText with aiSdkTelemetry: its spans carry feature, user and session', async () => {
  exporter.reset();
  const result = await generateText({
    model: mockModel(),
    prompt: 'Say hi',
    experimental_telemetry: aiSdkTelemetry({ feature: 'search', userId: 'user-2', sessionId: 'session-2' }),
  });
  assert.equal(result.text, 'Hello there');

  const call = finished('ai.generateText');
  const model = finished('ai.generateText.doGenerate');
  for (const span of [call, model]) {
    assert.deepEqual(identity(span), { feature: 'search', user: 'user-2', session: 'session-2' });
  }
  assert.equal(model.parentSpanContext?.spanId ?? model.parentSpanId, call.spanContext().spanId);
  // what the collector maps (trace-collector/README.md): the model call's content, model and usage
  assert.equal(call.attributes['ai.telemetry.functionId'], 'search');
  assert.match(model.attributes['ai.prompt.messages'], /Say hi/);
  assert.equal(model.attributes['ai.response.text'], 'Hello there');
  assert.equal(model.attributes['gen_ai.request.model'], 'mock-model');
  assert.equal(model.attributes['gen_ai.response.model'], 'mock-model-2026-01-01');
  assert.equal(model.attributes['gen_ai.usage.input_tokens'], 12);
  assert.equal(model.attributes['ai.usage.inputTokenDetails.cacheReadTokens'], 2);
});

test('aiSdkTelemetry inside a Loupe trace takes its feature, user and session; recordContent false hides content', async () => {
  exporter.reset();
  await loupe.trace('answer', { feature: 'drafts', userId: 'user-3', sessionId: 'session-3' }, () =>
    generateText({ model: mockModel(), prompt: 'secret question', experimental_telemetry: aiSdkTelemetry({ recordContent: false }) }));

  const model = finished('ai.generateText.doGenerate');
  assert.deepEqual(identity(model), { feature: 'drafts', user: 'user-3', session: 'session-3' });
  assert.equal(model.attributes['ai.telemetry.metadata.loupe.user_id'], 'user-3');
  assert.equal(model.attributes['ai.prompt.messages'], undefined);
  assert.equal(model.attributes['ai.response.text'], undefined);
});

test('recordAiSdk fills an llmCall from a real generateText result', async () => {
  let call;
  const text = await loupe.llmCall({ model: 'mock-model', provider: 'mock-provider' }, async (span) => {
    call = span;
    const result = await generateText({ model: mockModel(), prompt: 'Say hi' });
    assert.equal(recordAiSdk(result, span), span, 'a generateText result is read synchronously');
    return result.text;
  });
  assert.equal(text, 'Hello there');
  assert.equal(call.inputTokens, 12);
  assert.equal(call.outputTokens, 7);
  assert.equal(call.cachedInputTokens, 2);
  assert.equal(call.cacheWriteInputTokens, 4);
  assert.equal(call.reasoningTokens, 3);
  assert.equal(call.completion, 'Hello there');
  assert.equal(call.model, 'mock-model-2026-01-01');
  assert.equal(call.requestModel, 'mock-model');
  assert.equal(call.metadata.finishReasons, 'stop');
  assert.ok(call.status !== 'TRUNCATED' && call.status !== 'ERROR', `status ${call.status}`);
});

test('recordAiSdk on the current span: a length finish is TRUNCATED', async () => {
  let call;
  await loupe.llmCall({ model: 'mock-model' }, async (span) => {
    call = span;
    recordAiSdk(await generateText({ model: mockModel({ text: 'Once upon', finish: 'length' }), prompt: 'Tell a story' }));
  });
  assert.equal(call.status, 'TRUNCATED');
  assert.equal(call.completion, 'Once upon');
});

test('recordAiSdk reads a real streamText result once the stream is read', async () => {
  let call;
  await loupe.llmCall({ model: 'mock-model' }, async (span) => {
    call = span;
    const result = streamText({ model: mockModel(), prompt: 'Stream it' });
    let streamed = '';
    for await (const part of result.textStream) streamed += part;
    assert.equal(streamed, 'Streamed answer');
    const recorded = recordAiSdk(result, span);
    assert.equal(typeof recorded.then, 'function', 'a streamText result gives a promise');
    assert.equal(await recorded, span);
  });
  assert.equal(call.inputTokens, 12);
  assert.equal(call.outputTokens, 7);
  assert.equal(call.cachedInputTokens, 2);
  assert.equal(call.completion, 'Streamed answer');
  assert.equal(call.model, 'mock-model-2026-01-01');
  assert.equal(call.metadata.finishReasons, 'stop');
});

test('recordOpenAI reads a ChatCompletion as openai 6 types it', () => {
  /** @type {import('openai').OpenAI.Chat.ChatCompletion} (shape) */
  const completion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1764000000,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_1',
    choices: [{
      index: 0,
      finish_reason: 'tool_calls',
      logprobs: null,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        annotations: [],
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
    }],
    usage: {
      prompt_tokens: 1300,
      completion_tokens: 80,
      total_tokens: 1380,
      prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 64, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  };
  const call = loupe.startSpan('LLM', 'chat', { model: 'gpt-4o-mini' });
  recordOpenAI(completion, call);
  assert.equal(call.model, 'gpt-4o-mini-2024-07-18');
  assert.equal(call.requestModel, 'gpt-4o-mini');
  assert.deepEqual([call.inputTokens, call.outputTokens, call.cachedInputTokens, call.reasoningTokens], [1300, 80, 1024, 64]);
  assert.equal(call.metadata.finishReasons, 'tool_calls');
  assert.deepEqual(JSON.parse(call.completion), [{
    role: 'assistant', content: null, tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
  }]);
  call.end();
});

test('recordAnthropic reads a Message as @anthropic-ai/sdk 0.137 types it; cache counts join the input', () => {
  /** @type {import('@anthropic-ai/sdk').Anthropic.Message} (shape) */
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text: 'Paris is sunny', citations: null }],
    stop_reason: 'max_tokens',
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: 20,
      output_tokens: 4,
      output_tokens_details: { thinking_tokens: 2 },
      cache_creation_input_tokens: 1500,
      cache_read_input_tokens: 300,
      cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 0 },
      inference_geo: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    },
  };
  const call = loupe.startSpan('LLM', 'messages', {});
  recordAnthropic(message, call);
  assert.equal(call.model, 'claude-sonnet-4-5-20250929');
  assert.deepEqual([call.inputTokens, call.cachedInputTokens, call.cacheWriteInputTokens, call.outputTokens], [1820, 300, 1500, 4]);
  assert.equal(call.reasoningTokens, 2, 'extended thinking: usage.output_tokens_details.thinking_tokens');
  assert.equal(call.status, 'TRUNCATED');
  assert.equal(call.completion, 'Paris is sunny');
  call.end();
});

test('loupeOtlpExporterConfig drives a real OTLPTraceExporter to the collector path with the key', async () => {
  const seen = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url, authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/`;
    const otlp = new OTLPTraceExporter(loupeOtlpExporterConfig({ collectorUrl: url, apiKey: 'lp_sk_test' }));
    const own = new BasicTracerProvider({ spanProcessors: [new LoupeSpanProcessor(), new SimpleSpanProcessor(otlp)] });
    await loupe.trace('t', { feature: 'exported' }, () => own.getTracer('x').startSpan('sent').end());
    await own.forceFlush();
    await own.shutdown();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url, '/v1/traces');
    assert.equal(seen[0].authorization, 'Bearer lp_sk_test');
    assert.match(seen[0].body, /loupe\.feature/);
    assert.match(seen[0].body, /exported/);
  } finally {
    server.close();
  }
});
