/** Settings: options of `new Loupe(...)`, else the environment (`LOUPE_*`), else the defaults below. */

import { LoupeConfigError } from './errors.js';

export interface Logger {
  warn(message: string): void;
  debug?(message: string): void;
}

export interface LoupeOptions {
  /** A key with the ingest scope (`LOUPE_API_KEY`, else `LOUPE_SECRET_KEY`); without it spans are not sent. */
  apiKey?: string;
  /** The browser-safe feedback key (`LOUPE_PUBLIC_KEY`). */
  publicKey?: string;
  /** trace-collector (`LOUPE_COLLECTOR_URL`, default http://127.0.0.1:8081). */
  collectorUrl?: string;
  /** feedback-service (`LOUPE_FEEDBACK_URL`, default http://127.0.0.1:8084). */
  feedbackUrl?: string;
  /** Share of traces whose spans are sent, 0..1 (`LOUPE_SAMPLE_RATE`, 1). */
  sampleRate?: number;
  /** Spans and decisions waiting; beyond it they are dropped and counted (`LOUPE_QUEUE_SIZE`, 10,000). */
  queueSize?: number;
  /** Items per request (`LOUPE_BATCH_SIZE`, 500; the collector takes up to 1,000). */
  batchSize?: number;
  /** A larger request is split (`LOUPE_MAX_BATCH_BYTES`, 4 MiB; the collector takes 5 MiB). */
  maxBatchBytes?: number;
  /** The longest an item waits for its batch (`LOUPE_FLUSH_INTERVAL_MS`, 1,000). */
  flushIntervalMs?: number;
  /** Per HTTP request (`LOUPE_TIMEOUT_MS`, 10,000). */
  timeoutMs?: number;
  /** How long a batch is retried before it is given up (`LOUPE_RETRY_BUDGET_MS`, 120,000). */
  retryBudgetMs?: number;
  /** Attempts per batch, the first included (`LOUPE_MAX_ATTEMPTS`, 20). */
  maxAttempts?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How long `shutdown()` and the exit flush wait (`LOUPE_CLOSE_TIMEOUT_MS`, 5,000). */
  closeTimeoutMs?: number;
  /** Attempts of `captureFeedback`, safe through its idempotency key (3). */
  feedbackAttempts?: number;
  /** `gzip` (bodies of 1 KiB and more) or `none` (`LOUPE_COMPRESSION`). */
  compression?: 'gzip' | 'none';
  /** Nothing is sent; every call still works (`LOUPE_DISABLED=1`). */
  disabled?: boolean;
  /** Flush what is queued when the event loop empties (`beforeExit`); default true. */
  flushOnExit?: boolean;
  /** Where warnings go (default: console.warn with a `loupe:` prefix; debug with `LOUPE_DEBUG=1`). */
  logger?: Logger;
  /** The environment to read instead of process.env (`{}` reads none). */
  env?: Record<string, string | undefined>;
}

export interface Config {
  apiKey?: string;
  publicKey?: string;
  collectorUrl: string;
  feedbackUrl: string;
  sampleRate: number;
  queueSize: number;
  batchSize: number;
  maxBatchBytes: number;
  flushIntervalMs: number;
  timeoutMs: number;
  retryBudgetMs: number;
  maxAttempts: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  closeTimeoutMs: number;
  feedbackAttempts: number;
  compression: 'gzip' | 'none';
  disabled: boolean;
  flushOnExit: boolean;
  logger: Logger;
}

const NUMBERS: Array<[keyof Config, string, number, boolean]> = [
  // [setting, environment variable, default, integer]
  ['sampleRate', 'LOUPE_SAMPLE_RATE', 1, false],
  ['queueSize', 'LOUPE_QUEUE_SIZE', 10_000, true],
  ['batchSize', 'LOUPE_BATCH_SIZE', 500, true],
  ['maxBatchBytes', 'LOUPE_MAX_BATCH_BYTES', 4 * 1024 * 1024, true],
  ['flushIntervalMs', 'LOUPE_FLUSH_INTERVAL_MS', 1000, false],
  ['timeoutMs', 'LOUPE_TIMEOUT_MS', 10_000, false],
  ['retryBudgetMs', 'LOUPE_RETRY_BUDGET_MS', 120_000, false],
  ['maxAttempts', 'LOUPE_MAX_ATTEMPTS', 20, true],
  ['backoffInitialMs', 'LOUPE_BACKOFF_INITIAL_MS', 500, false],
  ['backoffMaxMs', 'LOUPE_BACKOFF_MAX_MS', 10_000, false],
  ['closeTimeoutMs', 'LOUPE_CLOSE_TIMEOUT_MS', 5000, false],
  ['feedbackAttempts', 'LOUPE_FEEDBACK_ATTEMPTS', 3, true],
];

const INTEGER = /^\+?[0-9]+$/;
const DECIMAL = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;

function processEnv(): Record<string, string | undefined> {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env ?? {};
}

function consoleLogger(debug: boolean): Logger {
  return {
    warn: (message) => console.warn(`loupe: ${message}`),
    debug: debug ? (message) => console.debug(`loupe: ${message}`) : undefined,
  };
}

function url(setting: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new LoupeConfigError(setting, `must be an http(s) URL, was ${JSON.stringify(value)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new LoupeConfigError(setting, `must be an http(s) URL, was ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '');
}

/** The settings, checked; a malformed one throws LoupeConfigError naming the option or the variable. */
export function buildConfig(options: LoupeOptions = {}): Config {
  const env = options.env ?? processEnv();
  const text = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  const config: Record<string, unknown> = {
    apiKey: options.apiKey ?? text(env.LOUPE_API_KEY) ?? text(env.LOUPE_SECRET_KEY),
    publicKey: options.publicKey ?? text(env.LOUPE_PUBLIC_KEY),
    collectorUrl: url(options.collectorUrl !== undefined ? 'collectorUrl' : 'LOUPE_COLLECTOR_URL',
      options.collectorUrl ?? text(env.LOUPE_COLLECTOR_URL) ?? 'http://127.0.0.1:8081'),
    feedbackUrl: url(options.feedbackUrl !== undefined ? 'feedbackUrl' : 'LOUPE_FEEDBACK_URL',
      options.feedbackUrl ?? text(env.LOUPE_FEEDBACK_URL) ?? 'http://127.0.0.1:8084'),
  };
  for (const [name, variable, fallback, integer] of NUMBERS) {
    const given = (options as Record<string, unknown>)[name];
    let value: number;
    let source: string = name;
    if (given !== undefined) {
      value = Number(given);
    } else if (text(env[variable]) !== undefined) {
      // decimal text only: Number() would also read "0x10", "1e3" or "Infinity" as a number
      const raw = text(env[variable])!;
      value = (integer ? INTEGER : DECIMAL).test(raw) ? Number(raw) : NaN;
      source = variable;
    } else {
      value = fallback;
    }
    const ok = Number.isFinite(value) && (integer ? Number.isInteger(value) && value >= 1 : value > 0)
      && (name !== 'sampleRate' || (value >= 0 && value <= 1));
    if (!ok && !(name === 'sampleRate' && value === 0)) {
      throw new LoupeConfigError(source, name === 'sampleRate'
        ? `must be between 0 and 1, was ${String(given ?? env[variable])}`
        : `must be a positive ${integer ? 'integer' : 'number'}, was ${String(given ?? env[variable])}`);
    }
    config[name] = value;
  }
  const compression = options.compression ?? (text(env.LOUPE_COMPRESSION)?.toLowerCase() as Config['compression'] | undefined) ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'none') {
    throw new LoupeConfigError(options.compression !== undefined ? 'compression' : 'LOUPE_COMPRESSION', `must be gzip or none, was ${compression}`);
  }
  config.compression = compression;
  const flag = (v: string | undefined) => ['1', 'true', 'yes', 'on'].includes((v ?? '').trim().toLowerCase());
  config.disabled = options.disabled ?? flag(env.LOUPE_DISABLED);
  config.flushOnExit = options.flushOnExit ?? true;
  config.logger = options.logger ?? consoleLogger(flag(env.LOUPE_DEBUG));
  return config as unknown as Config;
}
