// The browser-entry guarantee: `loupe-sdk/browser` cannot send spans or decisions. (1) Its exports are exactly the
// feedback API and the errors; (2) nothing reachable from it names a span, decision or OTLP endpoint or imports a
// Node.js module; (3) driven against a recording server that is also the "collector", every request it makes is
// a feedback request carrying the public key.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as browser from '../dist/esm/browser.js';
import { startCollector } from './helpers/server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FEEDBACK_API = ['LoupeFeedback', 'captureFeedback'];
const ERRORS = ['LoupeConfigError', 'LoupeError', 'LoupeRejected', 'LoupeUnavailable'];
const EXPECTED = [...FEEDBACK_API, ...ERRORS].sort();
const FORBIDDEN_TEXT = ['/v1/spans', '/v1/decisions', '/v1/traces', 'node:'];

let temp;
let viaExports;
let viaRequire;

before(async () => {
  // a project that depends on loupe-sdk: node_modules/loupe-sdk links to this package
  temp = mkdtempSync(join(tmpdir(), 'loupe-browser-entry-'));
  mkdirSync(join(temp, 'node_modules'));
  symlinkSync(root, join(temp, 'node_modules', 'loupe-sdk'), 'dir');
  writeFileSync(join(temp, 'probe.mjs'), [
    "export * as entry from 'loupe-sdk/browser';",
    "export const resolved = import.meta.resolve('loupe-sdk/browser');",
  ].join('\n'));
  viaExports = await import(pathToFileURL(join(temp, 'probe.mjs')).href);
  viaRequire = createRequire(join(temp, 'probe.cjs'));
});

after(() => {
  if (temp) rmSync(temp, { recursive: true, force: true });
});

test('(1) the browser entry exports exactly the feedback API and the errors', () => {
  assert.deepEqual(Object.keys(browser).sort(), EXPECTED);
  for (const name of ERRORS) assert.ok(browser[name].prototype instanceof Error, `${name} is an error`);
  assert.ok(browser.LoupeRejected.prototype instanceof browser.LoupeError);
});

test('(1) resolved through the package\'s exports map, import and require alike', () => {
  assert.equal(viaExports.resolved, pathToFileURL(join(root, 'dist/esm/browser.js')).href);
  assert.deepEqual(Object.keys(viaExports.entry).sort(), EXPECTED);
  assert.equal(viaExports.entry.captureFeedback, browser.captureFeedback, 'the same module as dist/esm/browser.js');
  assert.equal(viaRequire.resolve('loupe-sdk/browser'), join(root, 'dist/cjs/browser.js'));
  assert.deepEqual(Object.keys(viaRequire('loupe-sdk/browser')).sort(), EXPECTED);
  const map = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports['./browser'];
  assert.deepEqual(map, {
    import: { types: './dist/esm/browser.d.ts', default: './dist/esm/browser.js' },
    require: { types: './dist/cjs/browser.d.ts', default: './dist/cjs/browser.js' },
  });
});

test('(1) the declared types of the browser entry export nothing else', () => {
  const declared = new Set();
  for (const file of ['dist/esm/browser.d.ts', 'dist/cjs/browser.d.ts']) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/export\s+(?:declare\s+)?(?:class|function|const|let)\s+(\w+)/g)) declared.add(m[1]);
    for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
      for (const part of m[1].split(',')) {
        const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop();
        if (name) declared.add(name);
      }
    }
  }
  assert.deepEqual([...declared].sort(),
    [...EXPECTED, 'FeedbackOptions', 'FeedbackSettings', 'FeedbackSignal'].sort());
});

/** Every file reachable from `entry` through its static and dynamic imports (ESM) or require() calls (CJS). */
function moduleGraph(entry) {
  const seen = new Map();
  const pending = [resolve(entry)];
  const specifier = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"]+)\1/g;
  while (pending.length) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, ''); // comments show usage
    const imports = [...code.matchAll(specifier)].map((m) => m[2]);
    seen.set(file, { text, imports });
    for (const spec of imports) {
      if (spec.startsWith('./') || spec.startsWith('../')) {
        pending.push(resolve(dirname(file), spec.endsWith('.js') ? spec : `${spec}.js`));
      }
    }
  }
  return seen;
}

for (const flavour of ['esm', 'cjs']) {
  test(`(2) the ${flavour} module graph of the browser entry names no span endpoint and imports no Node.js module`, () => {
    const graph = moduleGraph(join(root, `dist/${flavour}/browser.js`));
    const files = [...graph.keys()].map((f) => f.slice(join(root, `dist/${flavour}/`).length)).sort();
    assert.ok(files.includes('feedback.js'), `the graph was followed: ${files}`);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    for (const [file, { text, imports }] of graph) {
      for (const needle of FORBIDDEN_TEXT) assert.ok(!text.includes(needle), `${file} contains ${needle}`);
      for (const spec of imports) {
        assert.ok(!builtins.has(spec) && !builtins.has(spec.split('/')[0]), `${file} imports the Node.js module ${spec}`);
        assert.ok(spec.startsWith('./') || spec.startsWith('../'), `${file} imports the package ${spec}`);
      }
      assert.ok(!/AsyncLocalStorage|Buffer\.|setImmediate/.test(text), `${file} uses a Node.js API`);
    }
    // and none of the modules that build or send spans is in it
    for (const sender of ['client.js', 'transport.js', 'span.js', 'wire.js', 'index.js']) {
      assert.ok(!files.includes(sender), `${sender} is reachable from the browser entry`);
    }
  });
}

test('(3) driven against a recording server, every request is a feedback request with the public key', async () => {
  const collector = await startCollector();
  const fetched = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (url, init) => {
    fetched.push(String(url));
    return realFetch(url, init);
  };
  const savedEnv = { ...process.env };
  // were a default Node.js client reachable from here, it would send to the recording server
  Object.assign(process.env, { LOUPE_API_KEY: 'sk-ingest', LOUPE_SECRET_KEY: 'sk-ingest', LOUPE_COLLECTOR_URL: collector.url,
    LOUPE_PUBLIC_KEY: 'pk-browser', LOUPE_FEEDBACK_URL: collector.url, LOUPE_FLUSH_INTERVAL_MS: '10' });
  try {
    const entry = await import('../dist/esm/browser.js?driven');
    const settings = { publicKey: 'pk-browser', feedbackUrl: collector.url, collectorUrl: collector.url,
      apiKey: 'sk-ingest', attempts: 1, backoffInitialMs: 1, backoffMaxMs: 1 };
    const args = [['d-1', 'CORRECT', { correction: 'better' }], ['d-2', 'thumbs_up', {}]];
    let calls = 0;
    for (const value of Object.values(entry)) {
      if (typeof value !== 'function' || value.prototype instanceof Error) continue;
      if (/^class\b/.test(Function.prototype.toString.call(value))) {
        const instance = new value(settings);
        for (const method of Object.getOwnPropertyNames(value.prototype).filter((m) => m !== 'constructor')) {
          for (const a of args) {
            calls++;
            await Promise.resolve().then(() => instance[method](...a)).catch(() => undefined);
          }
        }
      } else {
        for (const a of args) {
          calls++;
          await Promise.resolve().then(() => value(settings, ...a)).catch(() => undefined);
          await Promise.resolve().then(() => value(...a, settings)).catch(() => undefined);
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything queued would have left by now
    assert.ok(calls >= 4 && collector.requests.length >= 4, `${calls} calls, ${collector.requests.length} requests`);
    for (const request of collector.requests) {
      assert.equal(request.path, '/v1/feedback');
      assert.equal(request.headers.authorization, 'Bearer pk-browser');
      assert.ok(request.headers['idempotency-key']);
    }
    for (const url of fetched) assert.equal(url, `${collector.url}/v1/feedback`);
    assert.deepEqual(collector.requests.map((r) => r.body.decisionId).sort(), ['d-1', 'd-1', 'd-2', 'd-2']);
  } finally {
    globalThis.fetch = realFetch;
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    await collector.stop();
  }
});
