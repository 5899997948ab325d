// A stand-in for trace-collector's native API (and feedback-service's POST /v1/feedback), to run bench.mjs or an
// app without the stack. It answers POST /v1/spans and /v1/decisions (gzip or plain) with
// {"accepted": n, "rejected": []} and counts what it took; feedback gets 202 with CORS for any origin. It checks
// no key and no field. GET /stats returns the counts; GET /items the last 1,000 items and feedbacks, for a look.
//
//   node sdk/typescript/bench/fake-collector.mjs --port 18081

import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const port = Number(option('port', '18081'));
const host = option('host', '127.0.0.1');

const counts = { spans: 0, decisions: 0, feedback: 0, requests: 0 };
const recent = [];
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key',
};

function keep(kind, item) {
  recent.push({ kind, item });
  if (recent.length > 1000) recent.shift();
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const reply = (status, body, headers = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') return reply(204, undefined, CORS);
    if (req.method === 'GET' && req.url === '/stats') return reply(200, counts);
    if (req.method === 'GET' && req.url === '/items') return reply(200, recent);
    if (req.method !== 'POST') return reply(405, { title: 'Method Not Allowed', status: 405 });
    let body = Buffer.concat(chunks);
    try {
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const json = JSON.parse(body.toString('utf8'));
      if (req.url === '/v1/feedback') {
        counts.feedback++;
        keep('feedback', { ...json, authorization: req.headers.authorization, idempotencyKey: req.headers['idempotency-key'] });
        return reply(202, { feedbackId: randomUUID(), decisionId: json.decisionId }, CORS);
      }
      const endpoint = req.url === '/v1/spans' ? 'spans' : req.url === '/v1/decisions' ? 'decisions' : undefined;
      if (!endpoint || !Array.isArray(json[endpoint])) return reply(400, { title: 'Bad Request', status: 400, field: endpoint ?? 'path' });
      counts.requests++;
      counts[endpoint] += json[endpoint].length;
      for (const item of json[endpoint].slice(-50)) keep(endpoint.slice(0, -1), item);
      return reply(200, { accepted: json[endpoint].length, rejected: [] });
    } catch (e) {
      return reply(400, { title: 'Bad Request', status: 400, detail: String(e), field: 'body' });
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, host, () => console.log(`fake collector on http://${host}:${server.address().port}`));
