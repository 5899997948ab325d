/**
 * The sender: a bounded queue drained on the event loop between the app's work, in batches by size and time,
 * gzip-compressed, with retries that honour Retry-After within a budget. The app's call only pushes onto an array
 * (or drops and counts when it is full); encoding and HTTP happen later, never inside the app's call, and
 * nothing here throws into the app. Timers are unref'd: Loupe never keeps a process alive on its own, and the
 * process's `beforeExit` flushes what is left for `closeTimeoutMs`.
 */

import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Config } from './config.js';
import { backoffMs, isRetryable, problemOf, retryAfterMs, sleep } from './http.js';
import { spanJson } from './wire.js';
import type { Span } from './span.js';

const gzip = promisify(gzipCallback);
const GZIP_THRESHOLD = 1024;
const PATHS = { spans: '/v1/spans', decisions: '/v1/decisions' } as const;

export type Endpoint = keyof typeof PATHS;
type Entry = { endpoint: Endpoint; item: unknown } | { endpoint: 'flush'; marker: Marker };

interface Marker {
  done: boolean;
  waiters: Array<() => void>;
}

interface Outcome {
  status?: number;
  retryAfter?: string | null;
  text?: string;
  error?: unknown;
}

export interface TransportStats {
  taken: number;
  sent: number;
  rejected: number;
  failed: number;
  retries: number;
  requests: number;
  dropped: number;
}

const LIVE = new Set<WeakRef<Transport>>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (!proc || typeof proc.on !== 'function') return;
  exitHookInstalled = true;
  proc.on('beforeExit', () => {
    for (const ref of LIVE) {
      const transport = ref.deref();
      if (transport === undefined) {
        LIVE.delete(ref);
      } else {
        transport.onBeforeExit();
      }
    }
  });
}

export class Transport {
  readonly stats: TransportStats = { taken: 0, sent: 0, rejected: 0, failed: 0, retries: 0, requests: 0, dropped: 0 };
  private queue: Entry[] = [];
  private head = 0;
  private markers = 0;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private abandonAt: number | undefined;
  private givenUpAtClose = 0;
  private exitDeadline: number | undefined;
  private readonly logged = new Set<string>();
  private readonly inflight = new Set<AbortController>();

  constructor(private readonly config: Config, private readonly fetchImpl: typeof fetch = globalThis.fetch) {
    if (config.flushOnExit) {
      LIVE.add(new WeakRef(this));
      installExitHook();
    }
  }

  /** Items waiting (flush markers not counted). */
  queued(): number {
    return this.queue.length - this.head - this.markers;
  }

  offer(endpoint: Endpoint, item: unknown): boolean {
    if (this.closed || this.queued() >= this.config.queueSize) {
      this.stats.dropped++;
      if (!this.closed) {
        this.logOnce('queue-full', `the send queue is full (${this.config.queueSize} items); dropping until it drains (stats().dropped counts them)`);
      }
      return false;
    }
    this.queue.push({ endpoint, item });
    if (this.queued() >= this.config.batchSize) {
      this.kick();
    } else if (this.timer === undefined && !this.running) {
      this.arm();
    }
    return true;
  }

  private arm(): void {
    const timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.config.flushIntervalMs);
    timer.unref?.();
    this.timer = timer;
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // later, on the event loop: never inside the app's call
    setImmediate(() => {
      this.drain().catch((e) => this.logOnce('drain', `the sender failed unexpectedly: ${String(e)}`));
    });
  }

  /** True once everything queued before the call was sent, rejected or given up; false on timeout. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.queue.length - this.head === 0 && !this.running) return Promise.resolve(true);
    const last = this.queue[this.queue.length - 1];
    let marker: Marker;
    if (this.queue.length > this.head && last.endpoint === 'flush') {
      marker = last.marker;
    } else {
      marker = { done: false, waiters: [] };
      this.queue.push({ endpoint: 'flush', marker });
      this.markers++;
    }
    this.kick();
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
      marker.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Refuses new items, sends what is queued within `timeoutMs`, then gives the rest up (counted as failed). */
  async shutdown(timeoutMs: number): Promise<boolean> {
    if (this.closed) return this.queued() === 0;
    const deadline = Date.now() + timeoutMs;
    this.closed = true;
    const flushed = await this.flush(timeoutMs);
    this.abandonAt = deadline;
    let left = 0;
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head++];
      if (entry.endpoint === 'flush') {
        this.release(entry.marker);
      } else {
        left++;
      }
    }
    this.queue = [];
    this.head = 0;
    this.markers = 0;
    this.stats.taken += left;
    this.stats.failed += left;
    const unsent = left + this.givenUpAtClose;
    if (unsent) this.config.logger.warn(`shut down with ${unsent} items unsent (counted as failed)`);
    return flushed && unsent === 0;
  }

  /** The process is about to exit with nothing else to do: send what is left, for closeTimeoutMs at most. */
  onBeforeExit(): void {
    if (this.closed || (this.queued() === 0 && !this.running)) return;
    const now = Date.now();
    this.exitDeadline ??= now + this.config.closeTimeoutMs;
    if (now >= this.exitDeadline) return;
    // at the deadline, a request the collector has not answered is abandoned: the exit waits closeTimeoutMs, not
    // timeoutMs, for a collector that accepts connections and never answers
    void this.flush(this.exitDeadline - now).then((done) => {
      if (!done) this.abortInflight('the process is exiting (closeTimeoutMs passed)');
    });
  }

  private abortInflight(why: string): void {
    for (const controller of this.inflight) controller.abort(new DOMException(why, 'AbortError'));
  }

  private abandoned(): boolean {
    return this.abandonAt !== undefined && Date.now() >= this.abandonAt;
  }

  private release(marker: Marker): void {
    if (marker.done) return;
    marker.done = true;
    for (const waiter of marker.waiters) waiter();
  }

  /** Sends what is queued, batch after batch, while there is any. Pipelined: the next batch is encoded while
   * the collector answers the previous request, whose answer is read (and retried) before the next goes out. */
  private async drain(): Promise<void> {
    let pending: { endpoint: Endpoint; parts: string[]; outcome: Promise<Outcome>; body: Promise<Buffer | string> } | undefined;
    try {
      while (this.head < this.queue.length && !this.abandoned()) {
        const batch: Record<Endpoint, unknown[]> = { spans: [], decisions: [] };
        const markers: Marker[] = [];
        let taken = 0;
        while (this.head < this.queue.length && taken < this.config.batchSize) {
          const entry = this.queue[this.head++];
          if (entry.endpoint === 'flush') {
            this.markers--;
            markers.push(entry.marker);
            break;
          }
          batch[entry.endpoint].push(entry.item);
          taken++;
        }
        this.compact();
        this.stats.taken += taken;
        // spans of a batch before its decisions: a decision's trace is then already on its way
        for (const endpoint of ['spans', 'decisions'] as const) {
          if (batch[endpoint].length === 0) continue;
          for (const parts of this.split(this.encode(endpoint, batch[endpoint]))) {
            if (pending) {
              await this.complete(pending.endpoint, pending.parts, pending.body, pending.outcome);
              pending = undefined;
            }
            if (this.abandoned()) {
              this.giveUpAtClose(parts.length);
            } else {
              const body = this.body(endpoint, parts);
              pending = { endpoint, parts, body, outcome: body.then((b) => this.post(endpoint, b)) };
            }
          }
        }
        if (markers.length > 0) {
          if (pending) {
            await this.complete(pending.endpoint, pending.parts, pending.body, pending.outcome);
            pending = undefined;
          }
          markers.forEach((m) => this.release(m));
        }
      }
      if (pending) {
        if (this.abandoned()) {
          this.giveUpAtClose(pending.parts.length);
        } else {
          await this.complete(pending.endpoint, pending.parts, pending.body, pending.outcome);
        }
        pending = undefined;
      }
    } finally {
      this.running = false;
      if (this.head < this.queue.length && !this.abandoned()) {
        if (this.queued() >= this.config.batchSize || this.markers > 0) {
          this.kick();
        } else if (this.timer === undefined) {
          this.arm();
        }
      }
    }
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private encode(endpoint: Endpoint, items: unknown[]): string[] {
    const parts: string[] = [];
    for (const item of items) {
      try {
        parts.push(JSON.stringify(endpoint === 'spans' ? spanJson(item as Span) : item));
      } catch (e) {
        // one unencodable item (a BigInt attribute, a cycle) is dropped, not its batch
        this.stats.failed++;
        this.logOnce(`encode-${endpoint}`, `could not encode a ${endpoint.slice(0, -1)}; dropped (${String(e)})`);
      }
    }
    return parts;
  }

  private split(parts: string[]): string[][] {
    const chunks: string[][] = [];
    let start = 0;
    let size = 0;
    for (let i = 0; i < parts.length; i++) {
      const length = Buffer.byteLength(parts[i]) + 1;
      if (i > start && size + length > this.config.maxBatchBytes) {
        chunks.push(parts.slice(start, i));
        start = i;
        size = 0;
      }
      size += length;
    }
    if (start < parts.length) chunks.push(parts.slice(start));
    return chunks;
  }

  private async body(endpoint: Endpoint, parts: string[]): Promise<Buffer | string> {
    const text = `{"${endpoint}":[${parts.join(',')}]}`;
    if (this.config.compression !== 'gzip' || text.length < GZIP_THRESHOLD) return text;
    return gzip(text, { level: 1 }); // on libuv's thread pool, not the event loop
  }

  private async post(endpoint: Endpoint, body: Buffer | string): Promise<Outcome> {
    this.stats.requests++;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.config.apiKey}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    if (typeof body !== 'string') headers['Content-Encoding'] = 'gzip';
    // AbortSignal.timeout's behaviour, plus an abort of our own (see onBeforeExit); the timer keeps no process alive
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      this.config.timeoutMs);
    timer.unref?.();
    this.inflight.add(controller);
    try {
      const response = await this.fetchImpl(this.config.collectorUrl + PATHS[endpoint], {
        method: 'POST',
        headers,
        body: body as unknown as BodyInit,
        signal: controller.signal,
      });
      const text = await response.text();
      return { status: response.status, retryAfter: response.headers.get('retry-after'), text };
    } catch (error) {
      return { error };
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }

  private async complete(endpoint: Endpoint, parts: string[], bodyPromise: Promise<Buffer | string>,
    first: Promise<Outcome>): Promise<void> {
    try {
      await this.deliver(endpoint, parts, await bodyPromise, await first);
    } catch (e) {
      this.stats.failed += parts.length;
      this.logOnce('send-error', `could not send ${parts.length} ${endpoint}; dropped (${String(e)})`);
    }
  }

  /** One request's items: `outcome` is the first attempt's; then retries within the budget. */
  private async deliver(endpoint: Endpoint, parts: string[], body: Buffer | string, outcome: Outcome): Promise<void> {
    const config = this.config;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) outcome = await this.post(endpoint, body);
      let reason: string;
      let waitMs: number | undefined;
      if (outcome.status === undefined) {
        const e = outcome.error as { name?: string; message?: string; cause?: { code?: string } } | undefined;
        reason = `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}${e?.cause?.code ? ` (${e.cause.code})` : ''}`;
      } else if (outcome.status >= 200 && outcome.status < 300) {
        this.accepted(endpoint, parts.length, outcome.text ?? '');
        return;
      } else {
        const problem = problemOf(outcome.status, outcome.text ?? '');
        reason = `HTTP ${outcome.status}: ${problem.detail}`;
        if (!isRetryable(outcome.status)) {
          this.stats.failed += parts.length;
          this.logOnce(`status-${endpoint}-${outcome.status}`, `the collector refused ${parts.length} ${endpoint} `
            + `(HTTP ${outcome.status}${problem.field ? `, ${problem.field}` : ''}: ${problem.detail}); not retried`);
          return;
        }
        if (outcome.status === 429 || outcome.status === 503) waitMs = retryAfterMs(outcome.retryAfter);
      }
      waitMs ??= backoffMs(attempt, config.backoffInitialMs, config.backoffMaxMs);
      const elapsed = Date.now() - started;
      if (this.abandonAt !== undefined && Date.now() + waitMs > this.abandonAt) {
        this.giveUpAtClose(parts.length);
        return;
      }
      if (attempt >= config.maxAttempts || elapsed + waitMs > config.retryBudgetMs) {
        this.stats.failed += parts.length;
        config.logger.warn(`gave up ${parts.length} ${endpoint} after ${attempt} attempts in ${(elapsed / 1000).toFixed(1)} s (${reason})`);
        return;
      }
      this.stats.retries++;
      this.logOnce(`retry-${endpoint}`, `sending ${endpoint} failed (${reason}); retrying in ${(waitMs / 1000).toFixed(1)} s (later failures are logged at debug)`);
      config.logger.debug?.(`${endpoint} attempt ${attempt} failed (${reason}); retrying in ${waitMs} ms`);
      await sleep(waitMs, true);
    }
  }

  private accepted(endpoint: Endpoint, count: number, text: string): void {
    let rejected: unknown[] = [];
    try {
      const json = JSON.parse(text || '{}') as { rejected?: unknown };
      if (Array.isArray(json.rejected)) rejected = json.rejected;
    } catch {
      // an answer without a body: all accepted
    }
    this.stats.rejected += rejected.length;
    this.stats.sent += count - rejected.length;
    for (const item of rejected) {
      const r = (item ?? {}) as { index?: unknown; field?: unknown; reason?: unknown };
      const field = String(r.field ?? '?');
      // once per field shape: a systematic mistake is one line in the log, not one per span
      this.logOnce(`rejected-${endpoint}-${field.replace(/\[\d+\]/g, '[]')}`,
        `the collector rejected ${endpoint} item ${String(r.index)}, field ${field}: ${String(r.reason)} (logged once per field)`);
    }
  }

  private giveUpAtClose(count: number): void {
    this.stats.failed += count;
    this.givenUpAtClose += count;
  }

  private logOnce(key: string, message: string): void {
    if (this.logged.has(key)) {
      this.config.logger.debug?.(message);
      return;
    }
    this.logged.add(key);
    this.config.logger.warn(message);
  }
}
