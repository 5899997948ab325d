// A tiny chat backend instrumented with loupe-sdk (node:http only). Each POST /api/chat is one trace: a TOOL span
// searching the FAQ (and one looking up an order when the question names one), the LLM call to a stub model, and
// a decision whose id goes back to the page. The page (public/) sends a user's correction with the PUBLIC key
// through loupe-sdk/browser, which this server serves from the installed package. The secret key stays here.
//
//   set -a; . .loupe/stack.env; set +a      # LOUPE_SECRET_KEY, LOUPE_PUBLIC_KEY, LOUPE_COLLECTOR_URL, LOUPE_FEEDBACK_URL
//   node server.mjs                          # PORT (3000), HOST (127.0.0.1)

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as loupe from 'loupe-sdk';
import { lookupOrder, orderIdOf, searchFaq, stubChatCompletion } from './faq.mjs';

const FEATURE = process.env.CHAT_FEATURE || 'support-chat';
const MODEL = 'gpt-4o-mini';
const here = dirname(fileURLToPath(import.meta.url));

// keys and URLs from LOUPE_* (LOUPE_SECRET_KEY or LOUPE_API_KEY for spans and decisions)
loupe.configure({ flushIntervalMs: 200 });
const publicKey = process.env.LOUPE_PUBLIC_KEY ?? '';
// where the browser reaches feedback-service (the same as the server's unless a proxy sits between)
const browserFeedbackUrl = process.env.CHAT_BROWSER_FEEDBACK_URL || process.env.LOUPE_FEEDBACK_URL || 'http://127.0.0.1:8084';
if (!publicKey) console.warn('node-chat: LOUPE_PUBLIC_KEY is not set: the "wrong answer" button will fail');

// ---- the browser entry, from the installed package: browser.js and the modules it imports, nothing else ----

const sdkDir = join(dirname(createRequire(import.meta.url).resolve('loupe-sdk/package.json')), 'dist', 'esm');

/** browser.js and every relative module it imports, transitively: name → source. */
function browserModules() {
  const modules = new Map();
  const pending = ['browser.js'];
  while (pending.length) {
    const name = pending.pop();
    if (modules.has(name)) continue;
    const source = readFileSync(join(sdkDir, name), 'utf8');
    modules.set(name, source);
    for (const [, spec] of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]\.\/([\w.-]+\.js)['"]/g)) {
      pending.push(spec);
    }
  }
  return modules;
}
const SDK_MODULES = browserModules();

const STATIC = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/app.mjs': ['app.mjs', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
};

// ---- the chat ----------------------------------------------------------------------------------------------

async function answer({ question, userId, sessionId, traceparent }) {
  let decisionId;
  let text;
  // one trace per request; the user and session pass down to every span inside
  await loupe.trace('chat turn', { feature: FEATURE, userId, sessionId, traceparent, prompt: question }, async (turn) => {
    const hits = await loupe.tool('search_faq', { arguments: { query: question } }, async (span) => {
      const found = searchFaq(question).slice(0, 2);
      span.set({ toolResult: found.map((h) => ({ id: h.entry.id, score: h.score })) });
      return found;
    });
    let context = hits[0]?.entry.answer;
    const orderId = orderIdOf(question);
    if (hits[0]?.entry.id === 'faq-orders') {
      const order = orderId
        ? await loupe.tool('lookup_order', { arguments: { orderId } }, () => lookupOrder(orderId))
        : undefined;
      context = order ? context.replace('{orderId}', order.orderId).replace('{status}', order.status)
        : 'Please tell me your order number (four digits).';
    }
    const messages = [
      { role: 'system', content: `You answer customers of an online shop in one sentence.${context ? ` Context: ${context}` : ''}` },
      { role: 'user', content: question },
    ];
    const completion = await loupe.llmCall(
      { model: MODEL, provider: 'openai', prompt: messages, promptTemplate: 'chat-answer', promptVersion: '1' },
      async (call) => {
        const response = await stubChatCompletion({ model: MODEL, messages }); // openai.chat.completions.create
        loupe.recordOpenAI(response, call); // model, tokens, finish reason, completion
        return response;
      },
    );
    text = completion.choices[0].message.content;
    turn.output(text);
    decisionId = loupe.logAiDecision({
      input: question,
      retrievalResults: hits.map((h) => ({ docId: h.entry.id, score: h.score, text: h.entry.answer })),
      promptTemplate: 'chat-answer',
      promptVersion: '1',
      model: completion.model,
      output: text,
    });
  });
  return { answer: text, decisionId };
}

// ---- HTTP ----------------------------------------------------------------------------------------------------

function send(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

function problem(res, status, field, detail) {
  send(res, status, { title: status === 413 ? 'Payload Too Large' : 'Bad Request', status, detail, field },
    'application/problem+json');
}

async function readJson(req, limit = 16 * 1024) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('the body is larger than 16 KiB'), { status: 413 });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('the body is not JSON'), { status: 400 });
  }
}

/** A short text field of the body: undefined when absent, an error message when malformed. */
function text(body, name, { required = false, max = 200 } = {}) {
  const value = body?.[name];
  if (value === undefined || value === null || value === '') {
    return required ? { error: `${name} is required` } : { value: undefined };
  }
  if (typeof value !== 'string') return { error: `${name} must be a string` };
  if (value.length > max) return { error: `${name} is longer than ${max} characters` };
  return { value: value.trim() };
}

async function chat(req, res) {
  let body;
  try {
    body = await readJson(req);
  } catch (e) {
    problem(res, e.status ?? 400, 'body', e.message);
    return;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    problem(res, 400, 'body', 'the body must be a JSON object');
    return;
  }
  const fields = { question: text(body, 'question', { required: true, max: 2000 }), userId: text(body, 'userId'),
    sessionId: text(body, 'sessionId') };
  for (const [name, f] of Object.entries(fields)) {
    if (f.error) {
      problem(res, 400, name, f.error);
      return;
    }
  }
  const result = await answer({
    question: fields.question.value,
    userId: fields.userId.value,
    sessionId: fields.sessionId.value,
    traceparent: req.headers.traceparent,
  });
  send(res, 200, { answer: result.answer, decisionId: result.decisionId });
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  (async () => {
    if (req.method === 'POST' && path === '/api/chat') return chat(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return problem(res, 405, 'method', `${req.method} is not served here`);
    if (path === '/config.json') {
      // what the page needs for feedback: the PUBLIC key (scope feedback) and the URL, never the secret key
      return send(res, 200, { feedbackUrl: browserFeedbackUrl, publicKey });
    }
    if (STATIC[path]) {
      const [file, type] = STATIC[path];
      return send(res, 200, readFileSync(join(here, 'public', file), 'utf8'), type);
    }
    const sdk = /^\/vendor\/loupe-sdk\/([\w.-]+\.js)$/.exec(path);
    if (sdk && SDK_MODULES.has(sdk[1])) return send(res, 200, SDK_MODULES.get(sdk[1]), 'text/javascript; charset=utf-8');
    return send(res, 404, { title: 'Not Found', status: 404, detail: `nothing at ${path}` }, 'application/problem+json');
  })().catch((e) => {
    console.error('node-chat:', e);
    if (!res.headersSent) send(res, 500, { title: 'Internal Server Error', status: 500 }, 'application/problem+json');
  });
});

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST || '127.0.0.1';
server.listen(port, host, () => {
  const address = server.address();
  console.log(`node-chat listening on http://${host}:${address.port}/ (feature ${FEATURE}; browser modules: ${[...SDK_MODULES.keys()].join(', ')})`);
});

async function stop(signal) {
  server.close();
  const flushed = await loupe.shutdown(5000); // what is queued goes out before the process ends
  console.log(`node-chat: ${signal}, stopped (${flushed ? 'everything sent' : 'some items unsent'}; ${JSON.stringify(loupe.stats())})`);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
