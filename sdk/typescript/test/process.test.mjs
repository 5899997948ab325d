// The process around the SDK: the beforeExit flush of a process that just ends, the CommonJS build, and the
// package version (the root pom.xml's, in semver form).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esm from '../dist/esm/index.js';
import * as esmBrowser from '../dist/esm/browser.js';
import { freePort, startCollector } from './helpers/server.mjs';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const indexUrl = pathToFileURL(join(root, 'dist/esm/index.js')).href;

/** Runs `source` as an ES module in a child `node`, with `env` added to a LOUPE_-free environment. */
function child(source, env = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LOUPE_')));
  return run(process.execPath, ['--input-type=module', '-e', source], { env: { ...base, ...env }, timeout: 20_000 });
}

const QUEUE_AND_END = `
  import * as loupe from ${JSON.stringify(indexUrl)};
  await loupe.trace('parent', { feature: 'exit' }, async () => {
    loupe.llmCall({ name: 'child' }, () => 'x');
  });
  loupe.logAiDecision({ decisionId: 'd-exit', input: 'q' });
  console.log(JSON.stringify(loupe.stats()));
`;

test('a process that queues spans and just ends sends them (beforeExit)', async () => {
  const collector = await startCollector();
  try {
    const { stdout } = await child(QUEUE_AND_END, {
      LOUPE_API_KEY: 'sk-exit', LOUPE_COLLECTOR_URL: collector.url, LOUPE_FLUSH_INTERVAL_MS: '60000',
    });
    assert.equal(JSON.parse(stdout).queued, 3, 'nothing was sent before the process ended');
    assert.deepEqual(collector.items().map((s) => s.name).sort(), ['child', 'parent']);
    assert.deepEqual(collector.items('/v1/decisions').map((d) => d.decisionId), ['d-exit']);
    assert.equal(collector.requests[0].headers.authorization, 'Bearer sk-exit');
  } finally {
    await collector.stop();
  }
});

test('with the collector down, a process that ends waits at most closeTimeoutMs', async () => {
  const started = performance.now();
  await child(QUEUE_AND_END, {
    LOUPE_API_KEY: 'sk', LOUPE_COLLECTOR_URL: `http://127.0.0.1:${await freePort()}`, LOUPE_CLOSE_TIMEOUT_MS: '700',
    LOUPE_BACKOFF_INITIAL_MS: '50', LOUPE_BACKOFF_MAX_MS: '100',
  });
  const took = performance.now() - started;
  assert.ok(took < 700 + 2500, `the child took ${took} ms`);
});

test('with the collector stuck (never answering), a process that ends waits closeTimeoutMs, not timeoutMs', async () => {
  const collector = await startCollector();
  collector.hold();
  try {
    const started = performance.now();
    await child(QUEUE_AND_END, {
      LOUPE_API_KEY: 'sk', LOUPE_COLLECTOR_URL: collector.url, LOUPE_CLOSE_TIMEOUT_MS: '500', LOUPE_TIMEOUT_MS: '8000',
    });
    const took = performance.now() - started;
    assert.equal(collector.requests.length, 1, 'the spans went out, unanswered');
    assert.ok(took < 500 + 2500, `the child took ${took} ms`);
  } finally {
    await collector.stop();
  }
});

test('the CommonJS build loads with require() and exposes the same functions', async () => {
  const { stdout } = await run(process.execPath, ['-e', `
    const loupe = require(${JSON.stringify(join(root, 'dist/cjs/index.js'))});
    const browser = require(${JSON.stringify(join(root, 'dist/cjs/browser.js'))});
    const client = new loupe.Loupe({ disabled: true, env: {}, flushOnExit: false });
    const value = client.trace('t', {}, () => client.llmCall({ model: 'm' }, () => 42));
    console.log(JSON.stringify({
      index: Object.keys(loupe).sort(), browser: Object.keys(browser).sort(), value, version: loupe.version,
      types: Object.fromEntries(Object.entries(loupe).map(([k, v]) => [k, typeof v])),
    }));
  `], { timeout: 20_000 });
  const cjs = JSON.parse(stdout);
  assert.deepEqual(cjs.index, Object.keys(esm).sort());
  assert.deepEqual(cjs.browser, Object.keys(esmBrowser).sort());
  assert.deepEqual(cjs.types, Object.fromEntries(Object.entries(esm).map(([k, v]) => [k, typeof v])));
  assert.equal(cjs.value, 42);
  assert.equal(cjs.version, esm.version);
  assert.ok(cjs.index.includes('trace') && cjs.index.includes('captureFeedback') && cjs.index.includes('Loupe'));
});

/** Maven's version in semver form: 0.1.0-SNAPSHOT → 0.1.0-dev.0. */
function semver(maven) {
  return maven.replace(/-SNAPSHOT$/, '-dev.0');
}

test('the version is the root pom.xml\'s in semver form, in package.json and in index', () => {
  const pom = readFileSync(join(root, '../../pom.xml'), 'utf8').replace(/<parent>[\s\S]*?<\/parent>/, '');
  const project = pom.slice(pom.indexOf('<project'));
  const maven = /<version>\s*([^<\s]+)\s*<\/version>/.exec(project.replace(/<dependencyManagement>[\s\S]*/, ''))[1];
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.version, semver(maven));
  assert.equal(esm.version, semver(maven));
  assert.equal(semver('0.1.0-SNAPSHOT'), '0.1.0-dev.0');
  assert.equal(semver('1.2.3'), '1.2.3');
});
