// Clients for the unit tests: short intervals, no environment, no exit hook, a logger that records.

import { Loupe } from '../../dist/esm/index.js';

export const FAST = {
  flushIntervalMs: 50,
  backoffInitialMs: 10,
  backoffMaxMs: 50,
  timeoutMs: 2000,
  closeTimeoutMs: 2000,
  retryBudgetMs: 10_000,
  flushOnExit: false,
};

/** A logger that keeps what it is told: `warnings` and `debugs`. */
export function recordingLogger() {
  const logger = {
    warnings: [],
    debugs: [],
    warn(message) { logger.warnings.push(message); },
    debug(message) { logger.debugs.push(message); },
  };
  return logger;
}

/** `const clients = clientFactory(); clients.make(collector, {...})`, then `await clients.closeAll()`. */
export function clientFactory() {
  const made = [];
  return {
    make(collector, options = {}) {
      const logger = options.logger ?? recordingLogger();
      const client = new Loupe({
        apiKey: 'sk-test',
        collectorUrl: collector?.url ?? 'http://127.0.0.1:9',
        feedbackUrl: collector?.url ?? 'http://127.0.0.1:9',
        env: {},
        ...FAST,
        ...options,
        logger,
      });
      made.push(client);
      return client;
    },
    async closeAll() {
      await Promise.all(made.splice(0).map((c) => c.shutdown(500)));
    },
  };
}

/** `count` spans of kind OTHER named `${name}-${i}`. */
export function spans(client, count, name = 'step') {
  for (let i = 0; i < count; i++) client.span('OTHER', `${name}-${i}`, {}, () => undefined);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
