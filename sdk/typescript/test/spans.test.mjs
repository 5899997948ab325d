// Spans: nesting through AsyncLocalStorage, scope return values, errors, tools, joining traces, sampling.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import * as loupe from '../dist/esm/index.js';
import { startCollector } from './helpers/server.mjs';
import { clientFactory, sleep } from './helpers/client.mjs';

let collector;
let clients;
let client;

beforeEach(async () => {
  collector = await startCollector();
  clients = clientFactory();
  client = clients.make(collector);
});

afterEach(async () => {
  await clients.closeAll();
  await collector.stop();
});

async function sent() {
  assert.ok(await client.flush(3000));
  return Object.fromEntries(collector.items().map((s) => [s.name, s]));
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

test('llmCall inside a trace is its child and inherits feature, user and session', async () => {
  await client.trace('answer', { feature: 'support-rag', userId: 'u-1', sessionId: 's-1' }, async (parent) => {
    assert.equal(loupe.currentSpan(), parent);
    await client.llmCall({ model: 'gpt-4o', provider: 'openai' }, async (call) => {
      await sleep(1);
      assert.equal(call.traceId, parent.traceId);
      assert.equal(loupe.currentSpan(), call);
    });
    assert.equal(loupe.currentSpan(), parent);
  });
  assert.equal(loupe.currentSpan(), undefined);
  const spans = await sent();
  const root = spans.answer;
  const llm = spans['openai gpt-4o'];
  assert.equal(root.kind, 'CHAIN');
  assert.equal(root.parentSpanId, undefined);
  assert.deepEqual([llm.kind, llm.model, llm.provider], ['LLM', 'gpt-4o', 'openai']);
  assert.equal(llm.traceId, root.traceId);
  assert.equal(llm.parentSpanId, root.spanId);
  assert.deepEqual([llm.feature, llm.userId, llm.sessionId], ['support-rag', 'u-1', 's-1']);
  assert.match(root.traceId, TRACE_ID);
  assert.match(root.spanId, SPAN_ID);
  assert.match(root.startTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(root.status, 'SUCCESS');
  assert.ok(root.latencyMs >= 0);
  assert.ok(Date.parse(root.endTime) >= Date.parse(root.startTime));
});

test('concurrent traces under Promise.all keep their parents apart', async () => {
  await Promise.all([0, 1, 2].map((n) => client.trace(`root-${n}`, { feature: `f${n}` }, async () => {
    await sleep(10 * (3 - n));
    await client.llmCall({ name: `child-${n}` }, async () => {
      await sleep(5);
      await client.tool(`tool-${n}`, {}, () => n);
    });
  })));
  const spans = await sent();
  for (let n = 0; n < 3; n++) {
    const root = spans[`root-${n}`];
    const child = spans[`child-${n}`];
    const tool = spans[`tool-${n}`];
    assert.equal(child.parentSpanId, root.spanId);
    assert.equal(child.traceId, root.traceId);
    assert.equal(tool.parentSpanId, child.spanId);
    assert.equal(tool.feature, `f${n}`);
  }
  assert.equal(new Set([0, 1, 2].map((n) => spans[`root-${n}`].traceId)).size, 3);
});

test('setTimeout and await boundaries keep the context', async () => {
  await client.trace('outer', {}, async (outer) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const inTimer = await new Promise((resolve) => setTimeout(() => resolve(loupe.currentSpan()), 5));
    assert.equal(inTimer, outer);
    await new Promise((resolve) => {
      setTimeout(() => { client.llmCall({ name: 'in-timer' }, () => 'x'); resolve(); }, 1);
    });
    await new Promise((resolve) => setImmediate(resolve));
    await client.llmCall({ name: 'after-await' }, () => 'y');
  });
  const spans = await sent();
  assert.equal(spans['in-timer'].parentSpanId, spans.outer.spanId);
  assert.equal(spans['after-await'].parentSpanId, spans.outer.spanId);
});

test('sync and async scopes return what fn returns; an LLM scope records a returned string', async () => {
  const value = client.llmCall({ name: 'sync' }, () => 'the answer');
  assert.equal(value, 'the answer');
  const object = { a: 1 };
  assert.equal(client.trace('sync-object', {}, () => object), object);
  const promise = client.llmCall({ name: 'async' }, async () => 'later');
  assert.ok(promise instanceof Promise);
  assert.equal(await promise, 'later');
  assert.equal(await client.retrieval('r', { query: 'q' }, async (s) => { s.documents([{ docId: 'd1', score: 0.5, text: 't' }]); return 7; }), 7);
  const spans = await sent();
  assert.equal(spans.sync.completion, 'the answer');
  assert.equal(spans.async.completion, 'later');
  assert.equal(spans.r.kind, 'RETRIEVAL');
  assert.equal(spans.r.prompt, 'q');
  assert.equal(spans.r.completion, '[{"docId":"d1","score":0.5}]');
});

test('errors are recorded (name and message) and rethrown, sync and async', async () => {
  assert.throws(() => client.llmCall({ name: 'fails' }, () => { throw new TypeError('missing'); }), TypeError);
  await assert.rejects(client.trace('async-fails', {}, async () => { await sleep(1); throw new RangeError('async bad'); }), /async bad/);
  await assert.rejects(client.llmCall({ name: 'rejects' }, () => Promise.reject(new Error('plain'))), /plain/);
  class QuotaError extends Error { name = 'QuotaError'; }
  assert.throws(() => client.tool('t', {}, () => { throw new QuotaError('over'); }), QuotaError);
  assert.equal(loupe.currentSpan(), undefined);
  const spans = await sent();
  assert.deepEqual([spans.fails.status, spans.fails.errorType, spans.fails.errorMessage], ['ERROR', 'TypeError', 'missing']);
  assert.deepEqual([spans['async-fails'].status, spans['async-fails'].errorType, spans['async-fails'].errorMessage],
    ['ERROR', 'RangeError', 'async bad']);
  assert.deepEqual([spans.rejects.errorType, spans.rejects.errorMessage], ['Error', 'plain']);
  assert.deepEqual([spans.t.errorType, spans.t.errorMessage], ['QuotaError', 'over']);
});

test('a tool scope records its name, arguments and return value', async () => {
  assert.deepEqual(await client.tool('search', { arguments: { q: 'x' } }, async () => ({ hits: 2 })), { hits: 2 });
  client.tool('explicit', {}, (span) => { span.set({ toolResult: 'chosen' }); return 'ignored'; });
  const spans = await sent();
  assert.deepEqual([spans.search.kind, spans.search.toolName, spans.search.toolArguments, spans.search.toolResult],
    ['TOOL', 'search', '{"q":"x"}', '{"hits":2}']);
  assert.equal(spans.explicit.toolResult, 'chosen');
});

test('a traceparent joins a remote trace; currentTraceId and currentTraceparent follow it', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parent = '00f067aa0ba902b7';
  client.trace('server', { traceparent: `00-${traceId}-${parent}-01` }, (span) => {
    assert.equal(loupe.currentTraceId(), traceId);
    assert.equal(loupe.currentTraceparent(), `00-${traceId}-${span.spanId}-01`);
    assert.equal(span.traceparent, loupe.currentTraceparent());
  });
  assert.equal(loupe.currentTraceId(), undefined);
  assert.equal(loupe.currentTraceparent(), undefined);
  const only = (await sent()).server;
  assert.equal(only.traceId, traceId);
  assert.equal(only.parentSpanId, parent);
});

test('traceId joins, upper case normalised, with or without a parent span id', async () => {
  const traceId = 'ABCDEF0123456789ABCDEF0123456789';
  client.llmCall({ name: 'joined', traceId, parentSpanId: '00F067AA0BA902B7' }, () => undefined);
  client.llmCall({ name: 'no-parent', traceId: traceId.toLowerCase() }, () => undefined);
  const spans = await sent();
  assert.equal(spans.joined.traceId, traceId.toLowerCase());
  assert.equal(spans.joined.parentSpanId, '00f067aa0ba902b7');
  assert.equal(spans['no-parent'].traceId, traceId.toLowerCase());
  assert.equal(spans['no-parent'].parentSpanId, undefined);
});

for (const header of ['garbage', '00-0000000000000000000000000000000-00f067aa0ba902b7-01',
  `ff-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, `00-${'0'.repeat(32)}-${'b'.repeat(16)}-01`,
  `00-${'a'.repeat(32)}-${'0'.repeat(16)}-01`, `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01-extra`, 42]) {
  test(`a malformed traceparent is ignored and warned: ${JSON.stringify(header)}`, async () => {
    let inner;
    const outer = client.trace('outer', {}, (span) => {
      inner = client.llmCall({ name: 'inner', traceparent: header }, (s) => s);
      return span;
    });
    assert.equal(inner.traceId, outer.traceId);
    assert.equal(inner.parentSpanId, outer.spanId);
    assert.ok(client.config.logger.warnings.some((w) => w.includes('malformed traceparent')));
    assert.equal(Object.keys(await sent()).length, 2);
  });
}

test('sampling is decided from the trace id, not the caller\'s flag', async () => {
  client.trace('t', { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00` }, () => undefined);
  assert.equal(Object.keys(await sent()).length, 1);
});

test('sampleRate 0 sends no span and counts them; decisions are not sampled', async () => {
  const sampled = clients.make(collector, { sampleRate: 0 });
  sampled.trace('t', {}, () => sampled.llmCall({ name: 'c' }, () => undefined));
  sampled.llmCall({ name: 'lone' }, () => undefined);
  sampled.logAiDecision({ input: 'decisions are not sampled' });
  assert.ok(await sampled.flush(3000));
  assert.deepEqual(collector.items(), []);
  assert.equal(collector.items('/v1/decisions').length, 1);
  const stats = sampled.stats();
  assert.equal(stats.sampledOut, 3);
  assert.equal(stats.enqueued, 1);
});

test('a trace is all in or all out', async () => {
  const half = clients.make(collector, { sampleRate: 0.5 });
  for (let n = 0; n < 60; n++) {
    half.trace(`t${n}`, {}, () => {
      half.llmCall({ name: `a${n}` }, () => undefined);
      half.tool(`b${n}`, {}, () => undefined);
    });
  }
  assert.ok(await half.flush(3000));
  const perTrace = new Map();
  for (const s of collector.items()) perTrace.set(s.traceId, (perTrace.get(s.traceId) ?? 0) + 1);
  assert.ok([...perTrace.values()].every((n) => n === 3));
  const kept = perTrace.size;
  assert.ok(kept > 5 && kept < 55, `${kept} kept`);
  assert.equal(half.stats().sampledOut, 3 * (60 - kept));
});

test('span setters take odd values without throwing; an ended span ignores changes', async () => {
  let kept;
  client.llmCall({ model: 'm', metadata: { k: 1, s: 'v' }, prompt: [{ role: 'user', content: 'hi' }] }, (s) => {
    s.usage({ inputTokens: 10, outputTokens: -1, cachedInputTokens: 'x', reasoningTokens: 3 });
    s.set({ costUsd: 0.25, nonsense: 1 }).tag('env', 'test').attribute('n', 2);
    s.output('done', { ok: true });
    s.firstToken();
    kept = s;
  });
  kept.set({ model: 'after-end' }).usage({ inputTokens: 99 }).tag('late', 'x').error('Late', 'too late').output('changed');
  const [span] = Object.values(await sent());
  assert.equal(span.model, 'm');
  assert.equal(span.status, 'SUCCESS');
  assert.equal(span.inputTokens, 10);
  assert.equal(span.outputTokens, undefined);
  assert.equal(span.cachedInputTokens, undefined);
  assert.equal(span.reasoningTokens, 3);
  assert.equal(span.costUsd, 0.25);
  assert.deepEqual(span.metadata, { k: '1', s: 'v', env: 'test' });
  assert.deepEqual(span.attributes, { n: 2 });
  assert.equal(span.prompt, '[{"role":"user","content":"hi"}]');
  assert.equal(span.completion, 'done');
  assert.deepEqual(span.parsedOutput, { ok: true });
  assert.ok(span.timeToFirstTokenMs >= 0);
});

test('startSpan and runInSpan: a span ended by hand, with children', async () => {
  const stream = client.startSpan('LLM', 'stream', { model: 'm' });
  assert.equal(loupe.currentSpan(), undefined, 'startSpan does not make the span current');
  await client.runInSpan(stream, async () => {
    await sleep(1);
    client.tool('inside', {}, () => 1);
  });
  stream.end();
  const spans = await sent();
  assert.equal(spans.inside.parentSpanId, spans.stream.spanId);
  assert.equal(spans.stream.parentSpanId, undefined);
});
