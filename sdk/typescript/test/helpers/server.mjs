// A recording collector for the unit tests: a local HTTP server (127.0.0.1, a free port) that keeps every request
// (path, lower-cased headers, the gunzipped JSON body) and answers from a programmable script. While `hold()` is
// in force it answers nothing, like a stuck collector; `release()` sends the held answers.

import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

export class Request {
  constructor(method, path, headers, raw) {
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.raw = raw;
    this.at = performance.now();
    const data = headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    this.body = data.length ? JSON.parse(data.toString('utf8')) : undefined;
  }

  /** The spans or decisions the body carries. */
  get items() {
    const body = this.body;
    if (body && typeof body === 'object') {
      for (const key of ['spans', 'decisions']) if (Array.isArray(body[key])) return body[key];
    }
    return [];
  }
}

/** An answer: a status, a JSON body (undefined: none), headers, and optionally a promise to wait for first.
 * `{...answer(200), raw: 'text'}` sends that text as the body instead. */
export function answer(status, body, headers = {}, hold = undefined) {
  return { status, body, headers, hold };
}

function defaultAnswer(request) {
  if (request.path.endsWith('/v1/feedback')) {
    return answer(202, { feedbackId: 'fb-1', decisionId: request.body?.decisionId });
  }
  return answer(200, { accepted: request.items.length, rejected: [] });
}

export class Collector {
  requests = [];
  script = [];
  #held = undefined;
  #waiters = new Set();
  #server = undefined;
  port = 0;

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Queues answers given before the default ones: an `answer(...)`, a status, or a function of the Request. */
  answer(...answers) {
    this.script.push(...answers);
    return this;
  }

  /** Answers nothing until `release()`. */
  hold() {
    if (!this.#held) {
      let release;
      const promise = new Promise((resolve) => { release = resolve; });
      this.#held = { promise, release };
    }
  }

  release() {
    const held = this.#held;
    this.#held = undefined;
    held?.release();
  }

  items(path = '/v1/spans') {
    return this.requests.filter((r) => r.path === path).flatMap((r) => r.items);
  }

  of(path) {
    return this.requests.filter((r) => r.path === path);
  }

  /** Resolves true once `predicate()` holds, false after `timeoutMs`. */
  waitFor(predicate, timeoutMs = 5000) {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        resolve(predicate());
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  async waitItems(count, path = '/v1/spans', timeoutMs = 5000) {
    await this.waitFor(() => this.items(path).length >= count, timeoutMs);
    return this.items(path);
  }

  #next(request) {
    const scripted = this.script.length ? this.script.shift() : undefined;
    if (scripted === undefined) return defaultAnswer(request);
    if (typeof scripted === 'number') {
      return answer(scripted, { title: 'scripted', status: scripted, detail: `scripted ${scripted}` });
    }
    if (typeof scripted === 'function') return scripted(request);
    return scripted;
  }

  start(port = 0) {
    this.#server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
        let request;
        let reply;
        try {
          request = new Request(req.method, req.url, headers, Buffer.concat(chunks));
          this.requests.push(request);
          reply = this.#next(request);
        } catch (e) {
          reply = answer(500, { title: `the test server could not read the request: ${e}` });
        }
        for (const waiter of [...this.#waiters]) waiter();
        if (reply.hold) await reply.hold;
        if (this.#held) await this.#held.promise;
        const payload = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
        try {
          res.writeHead(reply.status, {
            'Content-Type': reply.status >= 400 ? 'application/problem+json' : 'application/json',
            'Content-Length': Buffer.byteLength(payload),
            ...reply.headers,
          });
          res.end(payload);
        } catch {
          // the client gave up waiting (a timeout test): nothing to answer to
        }
      });
    });
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.port = this.#server.address().port;
        resolve(this);
      });
    });
  }

  async stop() {
    this.release();
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(() => resolve()));
  }
}

/** A port nothing listens on (bound, then released). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startCollector(port = 0) {
  return new Collector().start(port);
}
