// The SDK against the real services: what it sends comes back from the aggregator as sent, evaluated and counted.
//
// Run against a stack whose URLs and keys are in the environment (see stack.mjs); e2e's TypeScriptSdkIT runs
// them on its shared stack. Without them every test fails saying so: a gate that skipped would prove nothing.
// `npm test` does not run them (they need the stack): node --test test/integration/round-trip.test.mjs.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { awaitValue, sdk, stack } from './stack.mjs';

const RUN = randomBytes(6).toString('hex');
const FEATURE = `ts-sdk-it-${RUN}`;
const USER = `jane-${RUN}`;
const SESSION = `session-${RUN}`;
const QUESTION = 'how long do I have to return a jacket?';
// the retrieved context in the prompt makes the span batch larger than 1 KiB: the SDK gzips it
const CONTEXT = Array.from({ length: 30 }, (_, i) => `Policy ${i}: items bought online may be returned by post or in a store.`).join(' ');
const PROMPT = `${CONTEXT}\n\nQuestion: ${QUESTION}`;
const ANSWER = 'You can return it within 60 days of purchase.';
const CORRECTION = 'You can return it within 30 days of purchase.';
const INPUT_TOKENS = 1000;
const OUTPUT_TOKENS = 200;
// gpt-4o from 2024-10-02 in the built-in price table: $2.50 per million input tokens, $10 per million output
const EXPECTED_COST = 0.0045;
const HEX64 = /^[0-9a-f]{64}$/;

/** A client of its own (never the module default), configured from the environment like an app's. */
async function client(settings = {}) {
  const loupe = await sdk();
  return new loupe.Loupe({ flushOnExit: false, ...settings });
}

let scenario;

/** Sends the scenario once for the tests of this file: a trace (retrieval, LLM call, tool), a decision in it with
 * its retrieved documents, and, once the decision is stored and evaluated, a user's correction. */
function sent() {
  scenario ??= send();
  return scenario;
}

async function send() {
  const s = stack();
  await s.configureEvaluation(FEATURE, [{ name: 'contains_all', config: { values: ['30 days'] } }]);
  const decisionId = `ts-sdk-it-decision-${RUN}`;
  const c = await client();
  const ids = {};
  let feedbackId;
  try {
    await c.trace('answer-question', { feature: FEATURE, userId: USER, sessionId: SESSION }, async (root) => {
      ids.traceId = root.traceId;
      ids.root = root.spanId;
      await c.retrieval('search-policies', { query: QUESTION }, async (retrieval) => {
        ids.retrieval = retrieval.spanId;
        retrieval.documents([{ docId: 'returns-policy', score: 0.92 }, { docId: 'shipping', score: 0.4 }]);
      });
      await c.llmCall({ model: 'gpt-4o', provider: 'openai', prompt: PROMPT }, async (call) => {
        ids.llm = call.spanId;
        call.usage({ inputTokens: INPUT_TOKENS, outputTokens: OUTPUT_TOKENS });
        return ANSWER; // an LLM call's returned text is its completion
      });
      await c.tool('lookup_order', { arguments: { order: 'A-17' } }, async (tool) => {
        ids.tool = tool.spanId;
        return 'delivered 2026-11-20'; // a tool's returned value is its result
      });
      c.logAiDecision({
        decisionId,
        input: QUESTION,
        retrievalResults: [{ docId: 'returns-policy', score: 0.92, text: 'Returns within 30 days.' },
          { docId: 'shipping', score: 0.4, text: 'We ship in 2 days.' }],
        model: 'gpt-4o',
        output: ANSWER,
        promptVersion: 'v7',
      });
    });
    assert.ok(await c.flush(30_000), `the SDK did not flush within 30 s: ${JSON.stringify(c.stats())}`);
    const stats = c.stats();
    assert.ok(stats.sent === 5 && stats.rejected === 0 && stats.failed === 0, JSON.stringify(stats));
    // the evaluation of the decision as it came (SAMPLED), before the user's correction re-evaluates it
    await awaitValue(`decision ${decisionId} evaluated (SAMPLED)`,
      () => decisionView(s, decisionId, (v) => (v.evals ?? []).length >= 1));
    feedbackId = await c.captureFeedback(decisionId, 'edited', { correction: CORRECTION, feedbackText: 'wrong policy', userId: USER });
    assert.ok(await c.flush(10_000));
  } finally {
    await c.shutdown(5000);
  }
  return { stack: s, traceId: ids.traceId, root: ids.root, spans: { retrieval: ids.retrieval, llm: ids.llm, tool: ids.tool },
    decisionId, feedbackId };
}

async function decisionView(s, decisionId, ready) {
  const [status, body] = await s.read(`/v1/decisions/${encodeURIComponent(decisionId)}`);
  return [status === 200 && Boolean(ready(body)), status === 200 ? body : { status, body }];
}

function readTrace(s, traceId, count) {
  return awaitValue(`trace ${traceId} with ${count} spans`, async () => {
    const [status, body] = await s.read(`/v1/traces/${traceId}`);
    const spans = status === 200 && body && Array.isArray(body.spans) ? body.spans : [];
    return [spans.length >= count, status === 200 ? spans : { status, body }];
  });
}

test('the trace comes back with its parent links, tokens, cost, feature and a hashed user', async () => {
  const x = await sent();
  const spans = await readTrace(x.stack, x.traceId, 4);
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  assert.deepEqual(new Set(byId.keys()), new Set([x.root, ...Object.values(x.spans)]), JSON.stringify(spans));

  const root = byId.get(x.root);
  assert.equal(root.parentSpanId ?? null, null);
  assert.equal(root.kind, 'CHAIN');
  assert.equal(root.name, 'answer-question');
  assert.equal(root.decisionId, x.decisionId, 'the decision logged inside the trace names its root span');
  for (const [name, spanId] of Object.entries(x.spans)) {
    assert.equal(byId.get(spanId).parentSpanId, x.root, name);
    assert.equal(byId.get(spanId).traceId, x.traceId, name);
  }

  const kinds = Object.fromEntries(spans.map((span) => [span.kind, span]));
  const llm = kinds.LLM;
  assert.equal(llm.model, 'gpt-4o');
  assert.equal(llm.provider, 'openai');
  assert.equal(llm.inputTokens, INPUT_TOKENS);
  assert.equal(llm.outputTokens, OUTPUT_TOKENS);
  assert.ok(Math.abs(Number(llm.costUsd) - EXPECTED_COST) < 1e-12,
    `cost computed at ingest from the built-in price table: ${llm.costUsd}`);
  assert.equal(llm.prompt, PROMPT);
  assert.equal(llm.completion, ANSWER);
  assert.equal(llm.status, 'SUCCESS');
  assert.equal(kinds.RETRIEVAL.prompt, QUESTION);
  assert.match(kinds.RETRIEVAL.completion, /"returns-policy"/);
  assert.equal(kinds.TOOL.toolName, 'lookup_order');
  assert.equal(kinds.TOOL.toolArguments, '{"order":"A-17"}');
  assert.equal(kinds.TOOL.toolResult, 'delivered 2026-11-20');

  for (const span of spans) {
    assert.equal(span.feature, FEATURE, JSON.stringify(span));
    assert.equal(span.sessionId, SESSION, JSON.stringify(span));
    assert.notEqual(span.userId, USER);
    assert.match(span.userId, HEX64, 'user id stored as its HMAC');
  }
  const expectedUser = x.stack.storedUserId(USER);
  if (expectedUser !== undefined) assert.deepEqual(new Set(spans.map((span) => span.userId)), new Set([expectedUser]));
});

test('the decision comes back with its spans, feedback and the re-evaluation the correction caused', async () => {
  const x = await sent();
  const ready = (v) => (v.feedback ?? []).length === 1 && (v.spans ?? []).length >= 4
    && (v.evals ?? []).some((e) => e.trigger === 'FEEDBACK');
  const view = await awaitValue(`decision ${x.decisionId} with its feedback and a FEEDBACK evaluation`,
    () => decisionView(x.stack, x.decisionId, ready));
  const decision = view.decision;
  assert.equal(decision.decisionId, x.decisionId);
  assert.equal(decision.traceId, x.traceId, 'a decision logged inside a trace joins it');
  assert.equal(decision.feature, FEATURE, 'the feature defaults to the trace\'s');
  assert.equal(decision.input, QUESTION);
  assert.equal(decision.output, ANSWER);
  assert.equal(decision.model, 'gpt-4o');
  assert.equal(decision.promptVersion, 'v7');
  const docs = decision.retrievalResults;
  assert.deepEqual(docs.map((d) => d.docId), ['returns-policy', 'shipping']);
  assert.deepEqual(docs.map((d) => d.score), [0.92, 0.4]);
  for (const d of docs) {
    assert.match(d.textHash, HEX64, 'texts are only kept as their HMAC');
    assert.ok(d.text === undefined || d.text === null, 'the text itself is not stored');
  }

  assert.deepEqual(new Set(view.spans.map((span) => span.spanId)), new Set([x.root, ...Object.values(x.spans)]));

  const feedback = view.feedback[0];
  assert.equal(feedback.feedbackId, x.feedbackId);
  assert.equal(feedback.signal, 'EDITED');
  assert.equal(feedback.correction, CORRECTION);

  const sampled = view.evals.filter((e) => e.trigger === 'SAMPLED' && e.evaluator === 'contains_all');
  const again = view.evals.filter((e) => e.trigger === 'FEEDBACK' && e.evaluator === 'contains_all');
  assert.ok(sampled.length === 1 && sampled[0].passed === false, JSON.stringify(view.evals));
  assert.ok(again.length === 1 && again[0].passed === false, JSON.stringify(view.evals));
});

test('the metrics count the call, its tokens and its cost', async () => {
  const x = await sent();
  await readTrace(x.stack, x.traceId, 4);

  const total = async (metric) => {
    const [status, body] = await x.stack.read(`/v1/metrics/${metric}`, { feature: FEATURE });
    if (status !== 200) return { status, body };
    return body.series.flatMap((series) => series.points)
      .reduce((sum, p) => (p.value === null || p.value === undefined ? sum : sum + Number(p.value)), 0);
  };
  const expect = (metric, value) => awaitValue(`${metric}?feature=${FEATURE} == ${value}`, async () => {
    const seen = await total(metric);
    return [typeof seen === 'number' && Math.abs(seen - value) < 1e-9, seen];
  });

  await expect('request_count', 1); // LLM spans only: the retrieval, the tool and the root are not calls
  await expect('input_tokens', INPUT_TOKENS);
  await expect('output_tokens', OUTPUT_TOKENS);
  await expect('cost_usd', EXPECTED_COST);
});

test('a rejected item is counted and the rest of its batch is stored', async () => {
  const s = stack();
  // one request per kind: nothing is sent before flush()
  const c = await client({ flushIntervalMs: 60_000 });
  const goodDecision = `ts-sdk-it-good-${RUN}`;
  const badDecision = `ts-sdk-it-bad-${RUN}`;
  const feature = `${FEATURE}-rejects`;
  let root;
  let bad;
  let ok;
  let stats;
  try {
    await c.trace('batch-with-a-bad-span', { feature }, async (span) => {
      root = span;
      await c.llmCall({ model: 'gpt-4o', provider: 'openai' }, async (call) => {
        bad = call;
        call.set({ costUsd: -0.5 }); // the collector refuses a negative cost
      });
      await c.tool('ok_tool', {}, async (tool) => {
        ok = tool;
        tool.set({ toolResult: 'fine' });
      });
    });
    c.logAiDecision({ decisionId: goodDecision, feature, traceId: root.traceId, output: 'ok' });
    // the collector refuses a negative latency (the SDK leaves judging values to it)
    c.logAiDecision({ decisionId: badDecision, feature, traceId: root.traceId, output: 'ok', latencyMs: -5 });
    assert.ok(await c.flush(30_000), JSON.stringify(c.stats()));
    stats = c.stats();
  } finally {
    await c.shutdown(5000);
  }

  assert.equal(stats.rejected, 2, JSON.stringify(stats));
  assert.ok(stats.sent === 3 && stats.failed === 0 && stats.requests === 2, JSON.stringify(stats));

  const spans = await readTrace(s, root.traceId, 2);
  assert.deepEqual(new Set(spans.map((span) => span.spanId)), new Set([root.spanId, ok.spanId]), JSON.stringify(spans));
  const view = await awaitValue(`decision ${goodDecision} stored`, () => decisionView(s, goodDecision, Boolean));
  assert.equal(view.decision.traceId, root.traceId);
  const [status] = await s.read(`/v1/decisions/${badDecision}`);
  assert.equal(status, 404, 'the rejected decision was stored');
  assert.ok(!spans.some((span) => span.spanId === bad.spanId));
});
