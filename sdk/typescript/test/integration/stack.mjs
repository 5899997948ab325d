// The stack the integration tests run against: URLs and keys from the environment, and reads with fetch.
// Not a test file itself: run the tests by name (node --test test/integration/*.test.mjs), so that this module
// is not counted as one.

import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REQUIRED = [
  'LOUPE_COLLECTOR_URL',
  'LOUPE_FEEDBACK_URL',
  'LOUPE_AGGREGATOR_URL',
  'LOUPE_EVAL_URL',
  'LOUPE_API_KEY',
  'LOUPE_PUBLIC_KEY',
  'LOUPE_ADMIN_KEY',
];

const howToRun = (missing) => `these tests run against a real Loupe stack; set ${missing.join(', ')} (the services' `
  + 'URLs; LOUPE_API_KEY a secret key with ingest and read, LOUPE_PUBLIC_KEY the project\'s public key, '
  + 'LOUPE_ADMIN_KEY its admin key). The e2e module runs them so: ./mvnw -B -pl e2e -am verify '
  + '-Dit.test=TypeScriptSdkIT -Dfailsafe.failIfNoSpecifiedTests=false -Dtest=NONE '
  + '-Dsurefire.failIfNoSpecifiedTests=false -DskipITs=false (e2e\'s TypeScriptSdkIT); or against bin/loupe up\'s '
  + 'stack: set -a; . .loupe/stack.env; . .loupe/secrets.env; set +a; cd sdk/typescript && npm run build && '
  + 'node --test test/integration/*.test.mjs';

/** How long a read waits for what was sent to be stored, evaluated or counted (ms). */
export const DEADLINE_MS = Number(process.env.LOUPE_IT_DEADLINE ?? '60') * 1000;

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'esm', 'index.js');

/** The SDK as an app imports it (the built package's ESM entry); fails saying how to build it when absent. */
export async function sdk() {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: build the SDK first (cd sdk/typescript && npm ci && npm run build)`);
  return import(pathToFileURL(dist).href);
}

function hmacHex(key, value) {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

export class Stack {
  constructor(env) {
    const base = (name) => env[name].replace(/\/+$/, '');
    this.collector = base('LOUPE_COLLECTOR_URL');
    this.feedback = base('LOUPE_FEEDBACK_URL');
    this.aggregator = base('LOUPE_AGGREGATOR_URL');
    this.evals = base('LOUPE_EVAL_URL');
    this.secretKey = env.LOUPE_API_KEY;
    this.publicKey = env.LOUPE_PUBLIC_KEY;
    this.adminKey = env.LOUPE_ADMIN_KEY;
    // optional: with both, the stored user id is checked to be exactly the collector's HMAC
    this.identifiersSecret = env.LOUPE_IDENTIFIERS_SECRET || undefined;
    this.projectId = env.LOUPE_PROJECT_ID || undefined;
  }

  /** [status, parsed body (or text)] of a request with `key` as the bearer token. */
  async request(method, url, key, body) {
    const headers = { Authorization: `Bearer ${key}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    try {
      return [response.status, text ? JSON.parse(text) : null];
    } catch {
      return [response.status, text];
    }
  }

  /** A GET from metrics-aggregator with the secret key (scope read). */
  read(path, params = {}) {
    const query = new URLSearchParams(params).toString();
    return this.request('GET', `${this.aggregator}${path}${query ? `?${query}` : ''}`, this.secretKey);
  }

  /** Every decision of `feature` evaluated, with `evaluators`, through eval-runner (the admin key). */
  async configureEvaluation(feature, evaluators) {
    const url = `${this.evals}/v1/features/${encodeURIComponent(feature)}/evaluation`;
    const [status, body] = await this.request('PUT', url, this.adminKey, { samplingRate: 1, evaluators });
    if (status !== 200) throw new Error(`PUT ${url} answered ${status}: ${JSON.stringify(body)}`);
  }

  /** The collector's HMAC of an app's user id, when the test knows the secret and the project. */
  storedUserId(userId) {
    if (!this.identifiersSecret || !this.projectId) return undefined;
    return hmacHex(hmacHex(this.identifiersSecret, `project:${this.projectId}`), userId);
  }
}

/** The stack from the environment; a missing variable throws (failing the calling test), saying how to run it. */
export function stack() {
  const env = { ...process.env };
  // bin/loupe up's .loupe/stack.env names them so: sourced as it is, it runs these tests
  for (const [name, alias] of [['LOUPE_API_KEY', 'LOUPE_SECRET_KEY'], ['LOUPE_PROJECT_ID', 'LOUPE_PROJECT']]) {
    if (!env[name] && env[alias]) env[name] = env[alias];
  }
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length) throw new Error(howToRun(missing));
  return new Stack(env);
}

function short(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined || text.length <= 2000 ? String(text) : `${text.slice(0, 2000)}…`;
}

/** Polls `read` (resolving to [done, value]) until done or the deadline; throws naming `what` and the last value. */
export async function awaitValue(what, read, deadlineMs = DEADLINE_MS) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const [done, value] = await read();
    if (done) return value;
    if (Date.now() >= end) throw new Error(`${what}: not within ${deadlineMs / 1000} s; last seen: ${short(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
