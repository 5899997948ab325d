// Prints what the SDK puts on the wire, for contracts' SdkWireContractTest (its second source, after Python's
// sdk/python/tests/contract/wire_samples.py, whose output format this one shares).
//
// Run after building the SDK, from anywhere: `cd sdk/typescript && npm run build && node test/contract/wire-samples.mjs`.
// Everything goes through the public API only (dist/esm/index.js, the file the package's "import" export names):
// a `Loupe` pointed at an HTTP server inside this script, which records the request bodies (gzip decoded, as
// the collector would) and headers. Printed on stdout, one JSON document:
//
//     {"span": {...}, "decision": {...}, "feedback": {...},
//      "feedbackHeaders": {"Idempotency-Key": "..."}, "feedbackSignals": ["CORRECT", ...], "expected": {...}}
//
// `span` is a fully populated TOOL span (every field a Span can hold), `decision` a decision with every field of
// `logAiDecision`, `feedback` a `captureFeedback` body with every option; `feedbackSignals` what each member of
// the exported `FeedbackSignal` type (read from its declaration, dist/esm/feedback.d.ts) is sent as. The values
// the Java test checks are in EXPECTED (printed too, under `expected`, in the wire's names).

import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'esm');
if (!existsSync(join(dist, 'index.js'))) {
  process.stderr.write(`wire-samples: ${join(dist, 'index.js')} is missing: build the SDK first `
    + '(cd sdk/typescript && npm ci && npm run build; bin/loupe test does it)\n');
  process.exit(2);
}
const loupe = await import(pathToFileURL(join(dist, 'index.js')).href);

const OCCURRED_AT = new Date(Date.UTC(2026, 10, 27, 10, 0, 1, 250));

// What the wire must carry for the calls in main(), written out by hand in the contract's names; the same as the
// Python script's. The ids, times and latencies the SDK makes up are left out (the Java test checks their shape).
const EXPECTED = {
  span: {
    kind: 'TOOL',
    name: 'search_docs',
    provider: 'openai',
    model: 'gpt-4o-2024-08-06',
    requestModel: 'gpt-4o',
    inputTokens: 1200,
    outputTokens: 300,
    cachedInputTokens: 800,
    cacheWriteInputTokens: 200,
    reasoningTokens: 40,
    costUsd: 0.0042,
    prompt: 'where is my order?',
    completion: '{"label":"order"}',
    parsedOutput: { label: 'order' },
    parseError: 'expected a list',
    status: 'ERROR',
    errorType: 'RateLimitError',
    errorMessage: 'slow down',
    feature: 'support',
    sessionId: 's-1',
    userId: 'u-1',
    decisionId: 'd-42',
    toolName: 'search_docs',
    toolArguments: '{"query":"order 42"}',
    toolResult: 'shipped',
    metadata: { promptTemplate: 'support-answer', tier: 'pro' },
    attributes: { retries: 2 },
  },
  decision: {
    decisionId: 'd-42',
    feature: 'support',
    input: 'where is my order?',
    retrievalResults: [
      { docId: 'doc-1', score: 0.9, text: 'Orders ship in 2 days' },
      { docId: 'doc-2', score: 0.5, textHash: 'ab12' },
    ],
    promptTemplate: 'support-answer',
    promptVersion: 'v3',
    model: 'gpt-4o-2024-08-06',
    output: 'in 2 days',
    parsedOutput: { days: 2 },
    parseError: 'expected a list',
    status: 'ERROR',
    errorType: 'RateLimitError',
    costUsd: 0.01,
    latencyMs: 1500,
    occurredAt: '2026-11-27T10:00:01.250Z',
    metadata: { tier: 'pro', retries: '2' },
  },
  feedback: {
    decisionId: 'd-42',
    signal: 'EDITED',
    correction: '5 business days',
    feedbackText: 'wrong',
    userId: 'u-1',
    occurredAt: '2026-11-27T10:00:01.250Z',
    idempotencyKey: 'k-1',
  },
};

/** The members of the exported FeedbackSignal type, one spelling per signal (the type lists each in two cases). */
function feedbackSignals() {
  const declaration = readFileSync(join(dist, 'feedback.d.ts'), 'utf8');
  const match = /export type FeedbackSignal\s*=([^;]+);/.exec(declaration);
  if (!match) throw new Error(`no FeedbackSignal type in ${join(dist, 'feedback.d.ts')}`);
  const seen = new Map();
  for (const [, member] of match[1].matchAll(/'([^']+)'/g)) {
    if (!seen.has(member.toUpperCase())) seen.set(member.toUpperCase(), member);
  }
  return [...seen.values()];
}

const requests = [];

// Answers like the services (collector: accepted/rejected; feedback-service: 202 with an id) and records.
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    let raw = Buffer.concat(chunks);
    if ((request.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') raw = gunzipSync(raw);
    const body = JSON.parse(raw.toString('utf8'));
    requests.push({ path: request.url, headers: request.headers, body });
    let status;
    let answer;
    if (request.url === '/v1/feedback') {
      status = 202;
      answer = { feedbackId: `f-${requests.length}`, decisionId: body.decisionId };
    } else {
      status = 200;
      answer = { accepted: Object.values(body)[0].length, rejected: [] };
    }
    const data = Buffer.from(JSON.stringify(answer));
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length });
    response.end(data);
  });
});

function items(path, key) {
  return requests.filter((r) => r.path === path).flatMap((r) => r.body[key]);
}

async function main() {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const signals = feedbackSignals();
  const client = new loupe.Loupe({
    apiKey: 'sk-contract', publicKey: 'pk-contract', collectorUrl: url, feedbackUrl: url, env: {},
    flushIntervalMs: 50, flushOnExit: false,
  });
  try {
    await client.trace('answer', { feature: 'support', userId: 'u-1', sessionId: 's-1' }, async () => {
      await client.tool('search_docs', {
        arguments: { query: 'order 42' }, decisionId: 'd-42', prompt: 'where is my order?',
        promptTemplate: 'support-answer', metadata: { tier: 'pro' },
      }, async (span) => {
        span.set({ model: 'gpt-4o', provider: 'openai', costUsd: 0.0042, toolResult: 'shipped' });
        span.set({ requestModel: 'gpt-4o', model: 'gpt-4o-2024-08-06' });
        span.attribute('retries', 2);
        span.firstToken();
        span.usage({ inputTokens: 1200, outputTokens: 300, cachedInputTokens: 800, reasoningTokens: 40,
          cacheWriteInputTokens: 200 });
        span.output('{"label":"order"}', { label: 'order' });
        span.parsed(undefined, 'expected a list');
        span.error('RateLimitError', 'slow down');
      });
      // inside the trace: the decision joins it
      client.logAiDecision({
        decisionId: 'd-42',
        feature: 'support',
        input: 'where is my order?',
        retrievalResults: [{ docId: 'doc-1', score: 0.9, text: 'Orders ship in 2 days' },
          { id: 'doc-2', score: 0.5, text_hash: 'ab12' }],
        promptTemplate: 'support-answer',
        promptVersion: 'v3',
        model: 'gpt-4o-2024-08-06',
        output: 'in 2 days',
        parsedOutput: { days: 2 },
        latencyMs: 1500,
        metadata: { tier: 'pro', retries: 2 },
        parseError: 'expected a list',
        status: 'error',
        errorType: 'RateLimitError',
        costUsd: 0.01,
        occurredAt: OCCURRED_AT,
      });
    });
    if (!(await client.flush(10_000))) {
      process.stderr.write(`wire-samples: the SDK did not flush within 10 s: ${JSON.stringify(client.stats())}\n`);
      return 1;
    }
    await client.captureFeedback('d-42', 'edited', {
      correction: '5 business days', feedbackText: 'wrong', idempotencyKey: 'k-1', userId: 'u-1',
      occurredAt: OCCURRED_AT,
    });
    for (const signal of signals) await client.captureFeedback('d-42', signal);
  } finally {
    await client.shutdown(5000);
    server.close();
  }

  const spans = items('/v1/spans', 'spans');
  const tools = spans.filter((s) => s.kind === 'TOOL');
  const decisions = items('/v1/decisions', 'decisions');
  const feedback = requests.filter((r) => r.path === '/v1/feedback');
  if (tools.length !== 1 || spans.length !== 2 || decisions.length !== 1 || feedback.length !== 1 + signals.length) {
    process.stderr.write(`wire-samples: unexpected requests: ${JSON.stringify(requests)}\n`);
    return 1;
  }
  const document = {
    span: tools[0],
    decision: decisions[0],
    feedback: feedback[0].body,
    // node:http lower-cases header names
    feedbackHeaders: { 'Idempotency-Key': feedback[0].headers['idempotency-key'] ?? null },
    feedbackSignals: feedback.slice(1).map((r) => r.body.signal),
    expected: EXPECTED,
  };
  process.stdout.write(`${JSON.stringify(document)}\n`);
  return 0;
}

process.exitCode = await main();
