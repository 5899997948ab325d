// Provider readers by duck typing: OpenAI (Chat Completions, Responses), Anthropic, the AI SDK's results.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Loupe, recordAiSdk, recordAnthropic, recordOpenAI, recordResponse, Span } from '../dist/esm/index.js';
import { startCollector } from './helpers/server.mjs';
import { clientFactory } from './helpers/client.mjs';

const span = (model) => {
  const s = new Span(undefined, 'LLM', 'test', undefined);
  if (model) s.model = model;
  return s;
};

const CHAT = {
  id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant', content: 'partial answer' } }],
  usage: { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160, prompt_tokens_details: { cached_tokens: 100 },
    completion_tokens_details: { reasoning_tokens: 12 } },
};

test('recordOpenAI: a chat completion', () => {
  const s = recordOpenAI(CHAT, span('gpt-4o'));
  assert.deepEqual([s.inputTokens, s.outputTokens, s.cachedInputTokens, s.reasoningTokens], [120, 40, 100, 12]);
  assert.deepEqual([s.model, s.requestModel], ['gpt-4o-2024-08-06', 'gpt-4o']);
  assert.equal(s.status, 'TRUNCATED');
  assert.equal(s.completion, 'partial answer');
  assert.equal(s.metadata.finishReasons, 'length');
});

test('recordOpenAI: tool calls', () => {
  const s = recordOpenAI({ model: 'gpt-4o', choices: [{ finish_reason: 'tool_calls', message: { content: null,
    tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }] } }] }, span());
  const [message] = JSON.parse(s.completion);
  assert.equal(message.content, null);
  assert.deepEqual(message.tool_calls, [{ id: 'c1', name: 'search', arguments: '{"q":"x"}' }]);
  assert.equal(s.status, undefined);
});

test('recordOpenAI: the Responses API, incomplete and failed', () => {
  const s = recordOpenAI({ object: 'response', model: 'o4-mini', status: 'incomplete',
    incomplete_details: { reason: 'max_output_tokens' }, output: [], output_text: 'cut',
    usage: { input_tokens: 50, output_tokens: 20, input_tokens_details: { cached_tokens: 8 },
      output_tokens_details: { reasoning_tokens: 15 } } }, span());
  assert.deepEqual([s.inputTokens, s.outputTokens, s.cachedInputTokens, s.reasoningTokens], [50, 20, 8, 15]);
  assert.equal(s.status, 'TRUNCATED');
  assert.equal(s.completion, 'cut');
  const failed = recordOpenAI({ output: [], status: 'failed', error: { code: 'server_error', message: 'oops' } }, span());
  assert.deepEqual([failed.status, failed.errorType, failed.errorMessage], ['ERROR', 'server_error', 'oops']);
});

test('recordAnthropic: cache reads and writes are added to the input; max_tokens → TRUNCATED', () => {
  const s = recordAnthropic({ id: 'msg_1', type: 'message', model: 'claude-sonnet-4-5', stop_reason: 'max_tokens',
    content: [{ type: 'text', text: 'Hello' }, { type: 'tool_use', id: 'tu_1', name: 'search', input: { q: 'x' } }],
    usage: { input_tokens: 10, output_tokens: 30, cache_read_input_tokens: 200, cache_creation_input_tokens: 50 } }, span());
  assert.equal(s.inputTokens, 260, '10 + 200 read + 50 written');
  assert.deepEqual([s.outputTokens, s.cachedInputTokens, s.cacheWriteInputTokens], [30, 200, 50]);
  assert.equal(s.status, 'TRUNCATED');
  assert.equal(s.model, 'claude-sonnet-4-5');
  const [message] = JSON.parse(s.completion);
  assert.equal(message.content, 'Hello');
  assert.equal(message.tool_calls[0].name, 'search');
  assert.deepEqual(JSON.parse(message.tool_calls[0].arguments), { q: 'x' });
});

test('recordAnthropic: text only, end_turn, no cache', () => {
  const s = recordAnthropic({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }],
    usage: { input_tokens: 3, output_tokens: 4 } }, span());
  assert.equal(s.status, undefined);
  assert.equal(s.completion, 'a\nb');
  assert.equal(s.inputTokens, 3);
  assert.equal(s.cachedInputTokens, undefined);
});

test('recordResponse dispatches by shape', () => {
  assert.equal(recordResponse(CHAT, span()).inputTokens, 120);
  assert.equal(recordResponse({ output: [], output_text: 'r', usage: { input_tokens: 5 } }, span()).inputTokens, 5);
  const anthropic = recordResponse({ type: 'message', usage: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 4 } }, span());
  assert.deepEqual([anthropic.inputTokens, anthropic.outputTokens], [5, 2]);
  const other = recordResponse({ something: 'else' }, span());
  assert.equal(other.inputTokens, undefined);
  assert.equal(other.completion, undefined);
});

test('recordAiSdk: a generateText-shaped result (AI SDK 5 and 4 usage names)', () => {
  const s = recordAiSdk({ text: 'hi', finishReason: 'length', response: { modelId: 'gpt-4o-mini' },
    usage: { inputTokens: 11, outputTokens: 7, reasoningTokens: 2, cachedInputTokens: 3 } }, span('gpt-4o'));
  assert.ok(s instanceof Span, 'synchronous for a generateText result');
  assert.deepEqual([s.inputTokens, s.outputTokens, s.reasoningTokens, s.cachedInputTokens], [11, 7, 2, 3]);
  assert.deepEqual([s.completion, s.status, s.model, s.requestModel], ['hi', 'TRUNCATED', 'gpt-4o-mini', 'gpt-4o']);
  const v4 = recordAiSdk({ text: 'x', finishReason: 'stop', usage: { promptTokens: 5, completionTokens: 6 } }, span());
  assert.deepEqual([v4.inputTokens, v4.outputTokens, v4.status], [5, 6, undefined]);
  const totals = recordAiSdk({ usage: { inputTokens: 1 }, totalUsage: { inputTokens: 9 } }, span());
  assert.equal(totals.inputTokens, 9, 'a multi-step result counts every step');
});

test('recordAiSdk: a streamText-shaped result with promise fields; a rejected one is skipped', async () => {
  const target = span();
  const result = recordAiSdk({
    text: Promise.resolve('streamed'), finishReason: Promise.resolve('error'),
    usage: Promise.resolve({ inputTokens: 4, outputTokens: 8 }), response: Promise.reject(new Error('gone')),
  }, target);
  assert.ok(result instanceof Promise);
  assert.equal(await result, target);
  assert.deepEqual([target.inputTokens, target.outputTokens, target.completion], [4, 8, 'streamed']);
  assert.deepEqual([target.status, target.errorType], ['ERROR', 'AiSdkError']);
});

test('readers use the current span, never throw, and leave an ended span alone', async () => {
  const collector = await startCollector();
  const clients = clientFactory();
  try {
    const client = clients.make(collector);
    assert.equal(recordOpenAI(CHAT), undefined, 'no current span: nothing to fill');
    const exploding = { model: 'm', choices: undefined, get usage() { throw new Error('nope'); } };
    const call = client.llmCall({ model: 'gpt-4o' }, (c) => {
      assert.equal(recordOpenAI(CHAT), c);
      recordOpenAI(exploding); // its model is read before its usage throws
      recordAnthropic(42);
      recordOpenAI(null);
      recordAiSdk(undefined);
      return c;
    });
    assert.equal(recordOpenAI({ model: 'late', usage: { prompt_tokens: 1 } }, call), undefined);
    assert.ok(await client.flush(3000));
    const [sent] = collector.items();
    assert.deepEqual([sent.inputTokens, sent.status, sent.requestModel, sent.model], [120, 'TRUNCATED', 'gpt-4o', 'm']);
    assert.ok(client instanceof Loupe);
  } finally {
    await clients.closeAll();
    await collector.stop();
  }
});
