// The sender: batches by size and time, gzip, the bearer key, retries, rejected items, the bounded queue,
// the collector down and back, flush and shutdown, and the stats invariant.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { answer, Collector, freePort, startCollector } from './helpers/server.mjs';
import { clientFactory, sleep, spans } from './helpers/client.mjs';

let collector;
let clients;

beforeEach(async () => {
  collector = await startCollector();
  clients = clientFactory();
});

afterEach(async () => {
  collector.release();
  await clients.closeAll();
  await collector.stop();
});

test('a full batch goes at once without waiting the interval', async () => {
  const client = clients.make(collector, { batchSize: 3, flushIntervalMs: 30_000 });
  const started = performance.now();
  spans(client, 3);
  assert.equal((await collector.waitItems(3, '/v1/spans', 3000)).length, 3);
  assert.ok(performance.now() - started < 2000);
  assert.equal(collector.of('/v1/spans').length, 1);
});

test('fewer items go after the flush interval', async () => {
  const client = clients.make(collector, { batchSize: 100, flushIntervalMs: 300 });
  const started = performance.now();
  spans(client, 2);
  await sleep(100);
  assert.equal(collector.requests.length, 0, 'not yet: the batch is not full and the interval has not passed');
  assert.equal((await collector.waitItems(2, '/v1/spans', 3000)).length, 2);
  const waited = collector.requests[0].at - started;
  assert.ok(waited >= 250 && waited < 2000, `sent after ${waited} ms`);
  assert.equal(collector.requests.length, 1);
});

test('bodies of 1 KiB and more are gzipped; every request carries the bearer key', async () => {
  const client = clients.make(collector, { apiKey: 'sk-secret', batchSize: 50 });
  client.span('OTHER', 'big', {}, (span) => { span.input('x'.repeat(5000)); });
  assert.ok(await client.flush(3000));
  spans(client, 1, 'small');
  assert.ok(await client.flush(3000));
  const [big, small] = collector.requests;
  assert.equal(big.items[0].name, 'big');
  assert.equal(big.headers['content-encoding'], 'gzip');
  assert.ok(big.raw.length < 5000, 'compressed on the wire');
  assert.equal(big.items[0].prompt, 'x'.repeat(5000));
  assert.equal(small.items[0].name, 'small-0');
  assert.equal(small.headers['content-encoding'], undefined, 'a small body is sent plain');
  for (const request of collector.requests) {
    assert.equal(request.headers.authorization, 'Bearer sk-secret');
    assert.equal(request.headers['content-type'], 'application/json');
  }
});

test('compression none sends large bodies plain', async () => {
  const client = clients.make(collector, { compression: 'none' });
  client.span('OTHER', 'big', {}, (span) => { span.input('y'.repeat(5000)); });
  assert.ok(await client.flush(3000));
  assert.equal(collector.requests[0].headers['content-encoding'], undefined);
  assert.equal(collector.items()[0].prompt, 'y'.repeat(5000));
});

test('503 with Retry-After in seconds waits that long', async () => {
  const client = clients.make(collector);
  collector.answer(answer(503, { title: 'busy' }, { 'Retry-After': '1' }));
  spans(client, 1);
  assert.ok(await client.flush(5000));
  const [first, second] = collector.requests;
  const waited = second.at - first.at;
  assert.ok(waited >= 900 && waited < 2500, `retried after ${waited} ms`);
  const stats = client.stats();
  assert.equal(stats.sent, 1);
  assert.equal(stats.retries, 1);
  assert.equal(stats.failed, 0);
});

test('429 with an HTTP-date Retry-After waits until then', async () => {
  const client = clients.make(collector);
  const when = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toUTCString(); // 1 to 2 s away, whole seconds
  collector.answer(answer(429, { title: 'slow down' }, { 'Retry-After': when }));
  spans(client, 1);
  assert.ok(await client.flush(5000));
  const [first, second] = collector.requests;
  const waited = second.at - first.at;
  assert.ok(waited >= 700 && waited < 2500, `retried after ${waited} ms`);
  assert.equal(client.stats().sent, 1);
});

test('500 and 502 back off and retry the same items', async () => {
  const client = clients.make(collector);
  collector.answer(500, 502);
  spans(client, 2);
  assert.ok(await client.flush(5000));
  assert.deepEqual(collector.requests.map((r) => r.items.length), [2, 2, 2]);
  assert.deepEqual(collector.requests[2].items, collector.requests[0].items);
  const stats = client.stats();
  assert.deepEqual([stats.sent, stats.retries, stats.requests, stats.failed], [2, 2, 3, 0]);
});

for (const status of [400, 401, 413]) {
  test(`a final ${status} gives up at once and warns`, async () => {
    const client = clients.make(collector);
    collector.answer(status);
    spans(client, 3);
    assert.ok(await client.flush(5000));
    await sleep(100);
    assert.equal(collector.requests.length, 1);
    const stats = client.stats();
    assert.deepEqual([stats.failed, stats.sent, stats.retries], [3, 0, 0]);
    assert.ok(client.config.logger.warnings.some((w) => w.includes(`HTTP ${status}`)), client.config.logger.warnings.join('\n'));
  });
}

test('maxAttempts exhausted counts the batch failed', async () => {
  const client = clients.make(collector, { maxAttempts: 3 });
  collector.answer(503, 503, 503, 503, 503);
  spans(client, 2);
  assert.ok(await client.flush(5000));
  assert.equal(collector.requests.length, 3);
  const stats = client.stats();
  assert.deepEqual([stats.failed, stats.sent, stats.retries], [2, 0, 2]);
  assert.ok(client.config.logger.warnings.some((w) => w.includes('gave up 2 spans after 3 attempts')));
});

test('the retry budget exhausted counts the batch failed without waiting beyond it', async () => {
  const client = clients.make(collector, { retryBudgetMs: 500 });
  collector.answer(...Array(5).fill(answer(503, undefined, { 'Retry-After': '1' })));
  spans(client, 1);
  const started = performance.now();
  assert.ok(await client.flush(5000));
  assert.ok(performance.now() - started < 1000, 'a wait beyond the budget is not waited');
  assert.equal(collector.requests.length, 1);
  assert.equal(client.stats().failed, 1);
});

test('rejected items are counted and warned once per field shape', async () => {
  const client = clients.make(collector);
  const rejecting = (index) => (r) => answer(200, {
    accepted: r.items.length - 1, rejected: [{ index, field: `spans[${index}].traceId`, reason: 'bad' }],
  });
  collector.answer(rejecting(0));
  spans(client, 2);
  assert.ok(await client.flush(3000));
  collector.answer(rejecting(7));
  spans(client, 8);
  assert.ok(await client.flush(3000));
  const warnings = client.config.logger.warnings.filter((w) => w.includes('rejected'));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /spans\[0\]\.traceId/);
  assert.ok(client.config.logger.debugs.some((d) => d.includes('spans[7].traceId')), 'later ones at debug');
  const stats = client.stats();
  assert.deepEqual([stats.rejected, stats.sent, stats.failed], [2, 8, 0]);
});

test('a full queue drops and counts without blocking or throwing', async () => {
  collector.hold();
  const client = clients.make(collector, { queueSize: 5, batchSize: 2 });
  const started = performance.now();
  for (let i = 0; i < 50; i++) {
    client.span('OTHER', `s${i}`, {}, () => undefined);
    if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve)); // let the sender take batches
  }
  assert.ok(performance.now() - started < 1000, 'the app never waits for the sender');
  const stats = client.stats();
  assert.ok(stats.dropped >= 50 - 5 - 2 * 2, JSON.stringify(stats));
  assert.equal(stats.dropped + stats.enqueued, 50);
  assert.equal(client.config.logger.warnings.filter((w) => w.includes('queue is full')).length, 1);
  collector.release();
  assert.ok(await client.flush(5000));
  assert.equal(collector.items().length, stats.enqueued);
  assert.equal(client.stats().sent, stats.enqueued);
});

test('the collector down, then back: queued spans arrive, the rest are dropped', async () => {
  const port = await freePort();
  const client = clients.make(undefined, {
    collectorUrl: `http://127.0.0.1:${port}`, queueSize: 10, batchSize: 4, backoffMaxMs: 50, retryBudgetMs: 30_000,
  });
  for (let i = 0; i < 25; i++) { // nothing listens: no call throws or waits
    client.span('OTHER', `s${i}`, {}, () => undefined);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await sleep(300);
  assert.ok(client.stats().retries >= 1);
  assert.equal(await client.flush(100), false);
  const late = await new Collector().start(port);
  try {
    assert.ok(await client.flush(5000));
    const stats = client.stats();
    const received = late.items();
    assert.equal(received.length, stats.sent);
    assert.equal(stats.sent, stats.enqueued);
    assert.ok(received.length >= 10 && received.length <= 18, `${received.length} received`);
    assert.equal(stats.dropped, 25 - received.length);
    assert.equal(stats.failed, 0);
  } finally {
    await client.shutdown(500);
    await late.stop();
  }
});

test('flush resolves true after delivery and false on timeout', async () => {
  const client = clients.make(collector);
  assert.equal(await client.flush(100), true, 'nothing queued');
  spans(client, 3);
  assert.equal(await client.flush(3000), true);
  assert.equal(collector.items().length, 3);
  collector.hold();
  spans(client, 1);
  const started = performance.now();
  assert.equal(await client.flush(300), false);
  const waited = performance.now() - started;
  assert.ok(waited >= 250 && waited < 1500, `waited ${waited} ms`);
  collector.release();
  assert.equal(await client.flush(3000), true);
  assert.equal(collector.items().length, 4);
});

test('shutdown sends what is queued, then drops later spans', async () => {
  const client = clients.make(collector, { flushIntervalMs: 30_000, batchSize: 100 });
  spans(client, 4);
  assert.equal(await client.shutdown(3000), true);
  assert.equal(collector.items().length, 4);
  spans(client, 2);
  client.logAiDecision({ input: 'late' });
  await sleep(100);
  const stats = client.stats();
  assert.equal(stats.dropped, 3);
  assert.equal(stats.sent, 4);
  assert.equal(collector.requests.length, 1);
});

test('shutdown with the collector stuck gives the rest up; the invariant holds once idle', async () => {
  collector.hold();
  const client = clients.make(collector, { batchSize: 2, flushIntervalMs: 10, timeoutMs: 500 });
  spans(client, 6);
  assert.equal(await client.shutdown(300), false);
  const stats = client.stats();
  assert.equal(stats.queued, 0);
  await sleep(700); // the request in flight times out
  collector.release();
  const idle = client.stats();
  assert.ok(idle.failed >= 4, JSON.stringify(idle));
  assert.equal(idle.enqueued, 6);
  assert.equal(idle.enqueued, idle.sent + idle.rejected + idle.failed);
});

test('stats invariant once idle: enqueued === sent + rejected + failed', async () => {
  const client = clients.make(collector);
  collector.answer(
    (r) => answer(200, { accepted: r.items.length - 1, rejected: [{ index: 0, field: 'spans[0].name', reason: 'x' }] }),
    400,
  );
  for (let round = 0; round < 3; round++) {
    spans(client, 3);
    assert.ok(await client.flush(3000));
  }
  const stats = client.stats();
  assert.equal(stats.enqueued, 9);
  assert.equal(stats.queued, 0);
  assert.equal(stats.enqueued, stats.sent + stats.rejected + stats.failed);
  assert.deepEqual([stats.rejected, stats.failed, stats.sent], [1, 3, 5]);
});

test('decisions and spans go to their endpoints', async () => {
  const client = clients.make(collector);
  client.trace('t', {}, () => { client.logAiDecision({ decisionId: 'd-1', input: 'q' }); });
  assert.ok(await client.flush(3000));
  assert.deepEqual(collector.items('/v1/decisions').map((d) => d.decisionId), ['d-1']);
  assert.equal(collector.items('/v1/spans').length, 1);
});

test('a span that cannot be encoded is counted failed and the rest go', async () => {
  const client = clients.make(collector);
  client.span('OTHER', 'bad', {}, (span) => { span.attribute('x', 10n); });
  spans(client, 2);
  assert.ok(await client.flush(3000));
  assert.equal(collector.items().length, 2);
  const stats = client.stats();
  assert.deepEqual([stats.failed, stats.sent], [1, 2]);
  assert.equal(stats.enqueued, stats.sent + stats.rejected + stats.failed);
});

test('a batch larger than maxBatchBytes is split', async () => {
  const client = clients.make(collector, { maxBatchBytes: 3000, batchSize: 100, flushIntervalMs: 200 });
  for (let i = 0; i < 6; i++) client.span('OTHER', `s${i}`, {}, (span) => { span.input('z'.repeat(1000)); });
  assert.ok(await client.flush(3000));
  const requests = collector.of('/v1/spans');
  assert.ok(requests.length >= 3, `${requests.length} requests`);
  for (const r of requests) assert.ok(Buffer.byteLength(JSON.stringify(r.body)) <= 3000);
  assert.deepEqual(collector.items().map((s) => s.name).sort(), ['s0', 's1', 's2', 's3', 's4', 's5']);
  assert.equal(client.stats().sent, 6);
});

test('a collector URL with a path prefixes the endpoints', async () => {
  const client = clients.make(collector, { collectorUrl: `${collector.url}/loupe/` });
  spans(client, 1);
  client.logAiDecision({ decisionId: 'd', input: 'x' });
  assert.ok(await client.flush(3000));
  assert.deepEqual(collector.requests.map((r) => r.path).sort(), ['/loupe/v1/decisions', '/loupe/v1/spans']);
});

test('concurrent async work loses nothing', async () => {
  const client = clients.make(collector, { batchSize: 7 });
  await Promise.all([0, 1, 2, 3].map(async (n) => {
    for (let i = 0; i < 50; i++) {
      await client.span('OTHER', `t${n}-${i}`, {}, async () => { await null; });
    }
  }));
  assert.ok(await client.flush(5000));
  const names = collector.items().map((s) => s.name);
  assert.equal(names.length, 200);
  assert.equal(new Set(names).size, 200);
});
