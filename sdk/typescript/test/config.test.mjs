// Configuration: options over the environment (the `env` option) over the defaults; errors name the setting;
// LOUPE_DISABLED, no key, and the module-level configure()/getClient().

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import * as loupe from '../dist/esm/index.js';
import { Loupe, LoupeConfigError, LoupeError } from '../dist/esm/index.js';
import { startCollector } from './helpers/server.mjs';
import { recordingLogger, spans } from './helpers/client.mjs';

let collector;
const made = [];
const client = (options) => {
  const c = new Loupe({ flushOnExit: false, logger: recordingLogger(), ...options });
  made.push(c);
  return c;
};

beforeEach(async () => { collector = await startCollector(); });
afterEach(async () => {
  await Promise.all(made.splice(0).map((c) => c.shutdown(200)));
  await collector.stop();
});

test('environment variables are parsed (through the env option)', () => {
  const c = client({ env: {
    LOUPE_API_KEY: ' sk-env ', LOUPE_PUBLIC_KEY: 'pk-env', LOUPE_COLLECTOR_URL: 'https://c.example:9443/x/',
    LOUPE_FEEDBACK_URL: 'http://f:1', LOUPE_SAMPLE_RATE: '0.25', LOUPE_QUEUE_SIZE: '7', LOUPE_BATCH_SIZE: '3',
    LOUPE_MAX_BATCH_BYTES: '2048', LOUPE_FLUSH_INTERVAL_MS: '500', LOUPE_TIMEOUT_MS: '2000',
    LOUPE_RETRY_BUDGET_MS: '9000', LOUPE_MAX_ATTEMPTS: '4', LOUPE_CLOSE_TIMEOUT_MS: '1500', LOUPE_COMPRESSION: ' NONE ',
  } });
  const cfg = c.config;
  assert.deepEqual([cfg.apiKey, cfg.publicKey, cfg.collectorUrl, cfg.feedbackUrl],
    ['sk-env', 'pk-env', 'https://c.example:9443/x', 'http://f:1']);
  assert.deepEqual([cfg.sampleRate, cfg.queueSize, cfg.batchSize, cfg.maxBatchBytes], [0.25, 7, 3, 2048]);
  assert.deepEqual([cfg.flushIntervalMs, cfg.timeoutMs, cfg.retryBudgetMs, cfg.maxAttempts, cfg.closeTimeoutMs],
    [500, 2000, 9000, 4, 1500]);
  assert.equal(cfg.compression, 'none');
  assert.equal(cfg.disabled, false);
  assert.ok(c.enabled);
});

test('options win over the environment; LOUPE_SECRET_KEY is a fallback; defaults', () => {
  const c = client({ apiKey: 'sk-param', batchSize: 9, env: { LOUPE_SECRET_KEY: 'sk-secret', LOUPE_BATCH_SIZE: '3' } });
  assert.equal(c.config.apiKey, 'sk-param');
  assert.equal(c.config.batchSize, 9);
  assert.equal(client({ env: { LOUPE_SECRET_KEY: 'sk-secret' }, disabled: true }).config.apiKey, 'sk-secret');
  const d = client({ env: {}, disabled: true }).config;
  assert.deepEqual([d.collectorUrl, d.feedbackUrl, d.sampleRate, d.queueSize, d.batchSize, d.compression],
    ['http://127.0.0.1:8081', 'http://127.0.0.1:8084', 1, 10_000, 500, 'gzip']);
});

for (const [variable, value] of [
  ['LOUPE_QUEUE_SIZE', 'lots'], ['LOUPE_QUEUE_SIZE', '0'], ['LOUPE_QUEUE_SIZE', '1.5'], ['LOUPE_QUEUE_SIZE', '1e3'],
  ['LOUPE_QUEUE_SIZE', '0x10'], ['LOUPE_SAMPLE_RATE', '1.5'], ['LOUPE_SAMPLE_RATE', 'nan'],
  ['LOUPE_SAMPLE_RATE', '-0.1'], ['LOUPE_FLUSH_INTERVAL_MS', '-1'], ['LOUPE_TIMEOUT_MS', 'Infinity'],
  ['LOUPE_COLLECTOR_URL', 'localhost:8081'], ['LOUPE_FEEDBACK_URL', 'ftp://x'], ['LOUPE_COMPRESSION', 'brotli'],
  ['LOUPE_MAX_ATTEMPTS', 'two'],
]) {
  test(`a malformed ${variable}=${value} throws LoupeConfigError naming it`, () => {
    assert.throws(() => new Loupe({ apiKey: 'sk', env: { [variable]: value }, flushOnExit: false }), (e) => {
      assert.ok(e instanceof LoupeConfigError && e instanceof LoupeError);
      assert.equal(e.setting, variable);
      assert.ok(e.message.startsWith(variable), e.message);
      return true;
    });
  });
}

for (const [setting, value] of [['queueSize', 0], ['sampleRate', -0.1], ['collectorUrl', 'ftp://x'],
  ['flushIntervalMs', 0], ['batchSize', 2.5], ['compression', 'br'], ['compression', '']]) {
  test(`a malformed option ${setting}=${JSON.stringify(value)} throws naming it`, () => {
    assert.throws(() => new Loupe({ apiKey: 'sk', env: {}, flushOnExit: false, [setting]: value }),
      (e) => e instanceof LoupeConfigError && e.setting === setting);
  });
}

test('LOUPE_DISABLED sends nothing and every call works', async () => {
  const c = client({ apiKey: 'sk', publicKey: 'pk', collectorUrl: collector.url, feedbackUrl: collector.url,
    flushIntervalMs: 50, env: { LOUPE_DISABLED: '1' } });
  assert.equal(c.enabled, false);
  assert.equal(c.config.disabled, true);
  const t = c.trace('t', {}, (span) => {
    c.llmCall({ model: 'm' }, (call) => { call.usage({ inputTokens: 1 }); loupe.recordOpenAI({ model: 'm', choices: [] }, call); });
    return span;
  });
  assert.match(t.traceId, /^[0-9a-f]{32}$/);
  const decision = c.logAiDecision({ input: 'x' });
  assert.ok(decision);
  assert.equal(await c.captureFeedback(decision, 'CORRECT'), undefined);
  assert.equal(await c.flush(100), true);
  assert.equal(await c.shutdown(100), true);
  assert.equal(collector.requests.length, 0);
  assert.equal(c.stats().enqueued, 0);
});

test('no ingest key: nothing is sent, one warning', async () => {
  const c = client({ env: {}, collectorUrl: collector.url, flushIntervalMs: 50 });
  assert.ok(c.config.logger.warnings.some((w) => w.includes('no ingest key')));
  c.trace('t', {}, () => undefined);
  c.logAiDecision({ input: 'x' });
  assert.equal(await c.flush(300), true);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(collector.requests.length, 0);
  assert.equal(c.enabled, false);
});

test('getClient() reads process.env on first use', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { LOUPE_API_KEY: 'sk-from-env', LOUPE_COLLECTOR_URL: collector.url, LOUPE_FLUSH_INTERVAL_MS: '50' });
  try {
    const fresh = await import('../dist/esm/index.js?getClient-env');
    fresh.trace('env', {}, () => undefined);
    assert.equal(fresh.getClient().config.apiKey, 'sk-from-env');
    assert.ok(await fresh.flush(3000));
    assert.equal(collector.requests[0].headers.authorization, 'Bearer sk-from-env');
    assert.equal(fresh.stats().sent, 1);
    await fresh.shutdown(200);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  }
});

test('getClient() with a malformed environment logs it and gives a disabled client', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, { LOUPE_API_KEY: 'sk', LOUPE_QUEUE_SIZE: 'many' });
  const errors = [];
  const original = console.error;
  console.error = (message) => errors.push(String(message));
  try {
    const fresh = await import('../dist/esm/index.js?getClient-malformed');
    const c = fresh.getClient();
    assert.equal(c.enabled, false);
    assert.equal(c.config.disabled, true);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /LOUPE_QUEUE_SIZE/);
    assert.equal(fresh.llmCall({ model: 'm' }, () => 3), 3, 'the module-level calls keep working');
    assert.ok(fresh.logAiDecision({ input: 'x' }));
    assert.equal(await fresh.flush(), true);
  } finally {
    console.error = original;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  }
});

test('configure() sets the default client and shuts the previous one down', async () => {
  const first = loupe.configure({ apiKey: 'sk-1', env: {}, collectorUrl: collector.url, flushOnExit: false, logger: recordingLogger() });
  assert.equal(loupe.getClient(), first);
  const second = loupe.configure({ apiKey: 'sk-2', env: {}, collectorUrl: collector.url, flushIntervalMs: 50, flushOnExit: false, logger: recordingLogger() });
  assert.equal(loupe.getClient(), second);
  spans(first, 1);
  assert.equal(first.stats().dropped, 1, 'shut down: later spans are dropped');
  assert.throws(() => loupe.configure({ apiKey: 'sk', env: {}, queueSize: -1 }), LoupeConfigError);
  assert.equal(loupe.getClient(), second);
  loupe.trace('module', { feature: 'f' }, () => undefined);
  assert.ok(await loupe.flush(3000));
  assert.equal(collector.items()[0].feature, 'f');
  assert.equal(collector.requests[0].headers.authorization, 'Bearer sk-2');
  assert.equal(loupe.stats().sent, 1);
  assert.equal(await loupe.shutdown(1000), true);
});
