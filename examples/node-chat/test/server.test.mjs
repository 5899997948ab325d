// The example's server against an in-process stand-in for the collector: the trace and decision it sends, the
// problem answers for bad input, and what it serves the page (the public key, the browser modules, nothing else).
// npm test (after npm run pack-sdk && npm ci).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const SECRET = 'sk-test-secret-never-in-the-page';
const PUBLIC = 'pk-test-public';
const received = { spans: [], decisions: [], keys: new Set() };
let collector;
let server;
let base;

before(async () => {
  collector = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const endpoint = req.url.slice('/v1/'.length);
      const items = JSON.parse(body.toString())[endpoint];
      received[endpoint].push(...items);
      received.keys.add(req.headers.authorization);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ accepted: items.length, rejected: [] }));
    });
  }).listen(0, '127.0.0.1');
  await once(collector, 'listening');
  const url = `http://127.0.0.1:${collector.address().port}`;
  const env = { ...process.env, LOUPE_SECRET_KEY: SECRET, LOUPE_PUBLIC_KEY: PUBLIC, LOUPE_COLLECTOR_URL: url,
    LOUPE_FEEDBACK_URL: 'http://127.0.0.1:9', PORT: '0', HOST: '127.0.0.1' };
  delete env.LOUPE_API_KEY;
  server = spawn(process.execPath, ['server.mjs'], { cwd: join(dirname(fileURLToPath(import.meta.url)), '..'), env });
  let out = '';
  server.stdout.setEncoding('utf8');
  base = await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`server.mjs exited ${code}: ${out}`)));
  });
});

after(async () => {
  server?.kill('SIGTERM');
  if (server) await once(server, 'exit');
  collector?.close();
});

const chat = (body) => fetch(`${base}/api/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body) });

test('a question is one trace with a tool and an LLM span, and a decision whose id the page gets', async () => {
  const response = await chat({ question: 'Where is my order 1042?', userId: 'u-7', sessionId: 's-7' });
  assert.equal(response.status, 200);
  const { answer, decisionId } = await response.json();
  assert.match(answer, /1042 is in transit/);
  for (let i = 0; i < 50 && !received.decisions.some((d) => d.decisionId === decisionId); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const decision = received.decisions.find((d) => d.decisionId === decisionId);
  assert.ok(decision, 'the decision reached the collector');
  assert.equal(decision.feature, 'support-chat');
  assert.equal(decision.model, 'gpt-4o-mini-2024-07-18');
  assert.deepEqual(decision.retrievalResults.map((r) => r.docId), ['faq-orders']);
  for (let i = 0; i < 50 && received.spans.filter((s) => s.traceId === decision.traceId).length < 4; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const spans = received.spans.filter((s) => s.traceId === decision.traceId);
  const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
  assert.deepEqual(Object.keys(byName).sort(), ['chat turn', 'lookup_order', 'openai gpt-4o-mini', 'search_faq']);
  const root = byName['chat turn'];
  assert.equal(root.decisionId, decisionId);
  for (const s of spans) {
    assert.equal(s.userId, 'u-7');
    assert.equal(s.sessionId, 's-7');
    if (s !== root) assert.equal(s.parentSpanId, root.spanId);
  }
  const llm = byName['openai gpt-4o-mini'];
  assert.equal(llm.requestModel, 'gpt-4o-mini');
  assert.ok(llm.inputTokens > 0 && llm.outputTokens > 0);
  assert.equal(byName.lookup_order.toolArguments, '{"orderId":"1042"}');
  assert.deepEqual([...received.keys], [`Bearer ${SECRET}`]);
});

test('bad input is a problem naming the field', async () => {
  for (const [body, field] of [['nope', 'body'], ['[1]', 'body'], [{}, 'question'], [{ question: 5 }, 'question'],
    [{ question: 'hi', userId: 42 }, 'userId'], [{ question: 'hi', sessionId: 'x'.repeat(201) }, 'sessionId']]) {
    const response = await chat(body);
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.equal((await response.json()).field, field);
  }
});

test('the page gets the public key and the browser modules, never the secret key or other files', async () => {
  const config = await (await fetch(`${base}/config.json`)).json();
  assert.deepEqual(config, { feedbackUrl: 'http://127.0.0.1:9', publicKey: PUBLIC });
  const served = [];
  for (const path of ['/', '/app.mjs', '/config.json', '/vendor/loupe-sdk/browser.js', '/vendor/loupe-sdk/feedback.js',
    '/vendor/loupe-sdk/errors.js', '/vendor/loupe-sdk/http.js']) {
    const response = await fetch(base + path);
    assert.equal(response.status, 200, path);
    served.push(await response.text());
  }
  assert.ok(!served.join('\n').includes(SECRET));
  for (const path of ['/vendor/loupe-sdk/transport.js', '/vendor/loupe-sdk/index.js', '/vendor/loupe-sdk/../package.json',
    '/server.mjs', '/vendor/loupe-sdk/client.js']) {
    assert.equal((await fetch(base + path)).status, 404, path);
  }
});
