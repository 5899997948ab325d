// Decisions (through the sender) and feedback (awaited, with the public key and an idempotency key).

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import * as loupe from '../dist/esm/index.js';
import { LoupeConfigError, LoupeRejected, LoupeUnavailable } from '../dist/esm/index.js';
import { answer, freePort, startCollector } from './helpers/server.mjs';
import { clientFactory } from './helpers/client.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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

test('logAiDecision generates an id, joins the trace and feature, and marks the current span', async () => {
  let parent;
  let call;
  let decisionId;
  await client.trace('answer', { feature: 'support-rag' }, async (p) => {
    parent = p;
    await client.llmCall({ name: 'call' }, async (c) => {
      call = c;
      await null;
      decisionId = client.logAiDecision({ input: 'question?', output: 'answer.', model: 'gpt-4o' });
    });
  });
  assert.match(decisionId, UUID);
  assert.equal(call.decisionId, decisionId);
  assert.equal(parent.decisionId, undefined);
  assert.ok(await client.flush(3000));
  const [decision] = collector.items('/v1/decisions');
  assert.equal(decision.decisionId, decisionId);
  assert.equal(decision.traceId, parent.traceId);
  assert.equal(decision.feature, 'support-rag');
  assert.deepEqual([decision.input, decision.output, decision.model], ['question?', 'answer.', 'gpt-4o']);
  assert.match(decision.occurredAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const spans = Object.fromEntries(collector.items().map((s) => [s.name, s]));
  assert.equal(spans.call.decisionId, decisionId);
});

test('a malformed traceId is dropped and the decision kept, warned once', async () => {
  const given = '4BF92F3577B34DA6A3CE929D0E0E4736';
  assert.equal(client.logAiDecision({ decisionId: 'd-upper', traceId: given, output: 'a' }), 'd-upper');
  assert.equal(client.logAiDecision({ decisionId: 'd-bad', traceId: 'not-a-trace-id', output: 'b' }), 'd-bad');
  client.logAiDecision({ decisionId: 'd-bad-2', traceId: '0'.repeat(32), output: 'c' });
  assert.ok(await client.flush(3000));
  const decisions = Object.fromEntries(collector.items('/v1/decisions').map((d) => [d.decisionId, d]));
  assert.equal(decisions['d-upper'].traceId, given.toLowerCase());
  assert.equal('traceId' in decisions['d-bad'], false);
  assert.equal('traceId' in decisions['d-bad-2'], false);
  assert.equal(decisions['d-bad-2'].output, 'c');
  assert.equal(client.config.logger.warnings.filter((w) => w.includes('ignoring traceId')).length, 1);
});

test('logAiDecision keeps a given id and maps the fields', async () => {
  const docs = [
    { doc_id: 'd1', score: 0.9, text: 'the text' },
    { docId: 2, text_hash: 'abc' },
    { id: 'd3', score: '0.5', text: null },
    { doc_id: 0, score: 0, text: '' },
  ];
  const returned = client.logAiDecision({
    decisionId: 'dec-1', feature: 'billing', input: { q: 'refund?' }, retrievalResults: docs,
    promptTemplate: 'tpl', promptVersion: 'v2', parsedOutput: { refund: false }, latencyMs: 12.7,
    metadata: { tenant: 't1', n: 3, flag: true, nested: { a: 1 }, none: null, missing: undefined },
    status: 'success', costUsd: 0.002, occurredAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 600)),
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  });
  assert.equal(returned, 'dec-1');
  assert.ok(await client.flush(3000));
  const [d] = collector.items('/v1/decisions');
  assert.equal(d.decisionId, 'dec-1');
  assert.equal(d.feature, 'billing');
  assert.equal(d.input, '{"q":"refund?"}');
  assert.deepEqual(d.retrievalResults, [
    { docId: 'd1', score: 0.9, text: 'the text' },
    { docId: '2', textHash: 'abc' },
    { docId: 'd3' },
    { docId: '0', score: 0, text: '' },
  ]);
  assert.deepEqual([d.promptTemplate, d.promptVersion], ['tpl', 'v2']);
  assert.deepEqual(d.parsedOutput, { refund: false });
  assert.equal(d.latencyMs, 12);
  assert.deepEqual(d.metadata, { tenant: 't1', n: '3', flag: 'true', nested: '{"a":1}' });
  assert.equal(d.status, 'SUCCESS');
  assert.equal(d.costUsd, 0.002);
  assert.equal(d.occurredAt, '2026-01-02T03:04:05.600Z');
  assert.equal(d.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
});

test('logAiDecision never throws', () => {
  const bad = { [Symbol.iterator]() { throw new Error('boom'); } };
  assert.equal(client.logAiDecision({ decisionId: 'd-bad', retrievalResults: bad }), 'd-bad');
  assert.match(client.logAiDecision(undefined), UUID);
  assert.ok(client.logAiDecision({ input: 'fine' }));
});

test('captureFeedback: 202 resolves to the id; the public key and Idempotency-Key are sent', async () => {
  const c = clients.make(collector, { publicKey: 'pk-public' });
  assert.equal(await c.captureFeedback('dec-1', 'EDITED', {
    correction: 'better', feedbackText: 'meh', userId: 'u1', idempotencyKey: 'key-1',
  }), 'fb-1');
  const [request] = collector.of('/v1/feedback');
  assert.equal(request.headers.authorization, 'Bearer pk-public');
  assert.equal(request.headers['idempotency-key'], 'key-1');
  assert.deepEqual(request.body, { decisionId: 'dec-1', signal: 'EDITED', correction: 'better', feedbackText: 'meh', userId: 'u1' });
  await c.captureFeedback('dec-1', 'thumbs_up');
  const second = collector.of('/v1/feedback')[1];
  assert.match(second.headers['idempotency-key'], UUID, 'generated when not given');
  assert.equal(second.body.signal, 'thumbs_up');
});

test('captureFeedback: 400 rejects with LoupeRejected naming the field, not retried', async () => {
  const c = clients.make(collector, { publicKey: 'pk' });
  collector.answer(answer(400, { title: 'Invalid feedback', status: 400, detail: 'unknown signal', field: 'signal' }));
  await assert.rejects(c.captureFeedback('dec-1', 'MAYBE'), (e) => {
    assert.ok(e instanceof LoupeRejected);
    assert.deepEqual([e.field, e.status, e.detail, e.title], ['signal', 400, 'unknown signal', 'Invalid feedback']);
    return true;
  });
  assert.equal(collector.requests.length, 1);
});

test('captureFeedback: 503 then 500 then 202 retries with the same key', async () => {
  const c = clients.make(collector, { publicKey: 'pk' });
  collector.answer(answer(503, { title: 'busy' }, { 'Retry-After': '0' }), 500);
  assert.equal(await c.captureFeedback('dec-1', 'CORRECT'), 'fb-1');
  const keys = collector.of('/v1/feedback').map((r) => r.headers['idempotency-key']);
  assert.equal(keys.length, 3);
  assert.equal(new Set(keys).size, 1);
});

test('captureFeedback: a 2xx whose body is not JSON is a success, not retried', async () => {
  const c = clients.make(collector, { publicKey: 'pk' });
  collector.answer({ ...answer(202, undefined, { 'Content-Type': 'text/html' }), raw: '<html>Accepted</html>' });
  assert.equal(await c.captureFeedback('dec-1', 'CORRECT'), '');
  assert.equal(collector.requests.length, 1);
});

test('captureFeedback: still 503 after the attempts → LoupeUnavailable with the status', async () => {
  const c = clients.make(collector, { publicKey: 'pk' });
  collector.answer(503, 503, 503);
  await assert.rejects(c.captureFeedback('dec-1', 'CORRECT'), (e) => e instanceof LoupeUnavailable && e.status === 503);
  assert.equal(collector.requests.length, 3);
});

test('captureFeedback with nothing listening → LoupeUnavailable', async () => {
  const c = clients.make(collector, { publicKey: 'pk', feedbackUrl: `http://127.0.0.1:${await freePort()}` });
  await assert.rejects(c.captureFeedback('dec-1', 'CORRECT'), (e) => e instanceof LoupeUnavailable && e.status === undefined);
});

test('captureFeedback without a public key → LoupeConfigError, nothing sent', async () => {
  await assert.rejects(client.captureFeedback('dec-1', 'CORRECT'), (e) => e instanceof LoupeConfigError && e.setting === 'publicKey');
  assert.equal(collector.requests.length, 0);
});

test('module-level captureFeedback uses the configured client', async () => {
  loupe.configure({ apiKey: 'sk', publicKey: 'pk', env: {}, feedbackUrl: collector.url, collectorUrl: collector.url, flushOnExit: false });
  try {
    assert.equal(await loupe.captureFeedback('d1', 'CORRECT'), 'fb-1');
    assert.equal(collector.of('/v1/feedback')[0].headers.authorization, 'Bearer pk');
  } finally {
    await loupe.shutdown(200);
  }
});
