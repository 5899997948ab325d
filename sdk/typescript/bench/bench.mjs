// How much loupe-sdk costs a Node.js app, and how much it can carry: a benchmark script, not a test. The same
// parts as sdk/python/bench/bench.py, against a running collector (the stack's, or fake-collector.mjs beside this):
//
// 1. Event-loop cost per traced call: the time inside `llmCall({...}, (c) => { c.usage({...}) })` (the span is
//    ended and handed to the send queue), per call, after a warm-up, p50/p90/p99 in µs; then the async form
//    (`await llmCall({...}, async (c) => {...})`, the await included). The loop yields to the event loop every
//    --yield-every calls, so the sender runs between them as in a server. What the sender costs besides (encoding,
//    gzip, HTTP, GC) is reported as the process's CPU time per call (process.cpuUsage, every thread) from the first
//    measured call until everything is sent. Goal: p50 < 20 µs.
// 2. Sustained delivery of one process: N spans, yielding to the event loop every --yield-every calls like a
//    server between requests, then flush(); spans per second delivered (stats().sent) from the first span to the
//    end of the flush. Goal: 10,000/s.
// 3. Collector down: the loop against a port nothing listens on for --down-seconds, with the default queue: the
//    loop's speed and what stats() counts (dropped once the queue is full, retries); shutdown(1 s)'s time.
// 4. Collector down, then back: the loop runs while nothing listens on the SDK's port (a relay that opens after
//    --down-seconds, then pipes to the collector); afterwards, what the queue held must all arrive and the rest
//    be counted as dropped. --down-seconds 30 is the acceptance case.
//
//   cd sdk/typescript && npm ci && npm run build
//   set -a; . .loupe/stack.env; set +a
//   node sdk/typescript/bench/bench.mjs                       # LOUPE_COLLECTOR_URL, LOUPE_API_KEY / LOUPE_SECRET_KEY
//   node sdk/typescript/bench/fake-collector.mjs --port 18081 &
//   node sdk/typescript/bench/bench.mjs --collector http://127.0.0.1:18081 --key test --calls 50000
//
// It prints a short report with the machine and the command; --json FILE also writes the figures.

import { writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus, platform, release } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Loupe, version } from '../dist/esm/index.js';

const FEATURE = 'bench';
const GOAL_P50_US = 20;
const GOAL_SPANS_PER_S = 10_000;
const OPTIONS = { feature: FEATURE, model: 'gpt-4o-mini', provider: 'openai' };
const quiet = { warn: () => {} };

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));
const now = () => process.hrtime.bigint();

function percentiles(samplesNs) {
  const ordered = Float64Array.from(samplesNs).sort();
  const n = ordered.length;
  const at = (q) => ordered[Math.min(n - 1, Math.floor(q * n))] / 1000;
  let sum = 0;
  for (const v of ordered) sum += v;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: ordered[n - 1] / 1000, mean: sum / n / 1000 };
}

function client(args, options = {}) {
  return new Loupe({ apiKey: args.key, collectorUrl: args.collector, logger: quiet, flushOnExit: false, env: {}, ...options });
}

/** `calls` traced calls, sync or async, timed one by one; yields every `yieldEvery`. */
async function timedCalls(loupe, calls, yieldEvery, form, samples) {
  for (let i = 0; i < calls; i++) {
    const t0 = now();
    if (form === 'sync') {
      loupe.llmCall(OPTIONS, (c) => {
        c.usage({ inputTokens: 120 + (i & 63), outputTokens: 40 });
      });
    } else {
      await loupe.llmCall(OPTIONS, async (c) => {
        c.usage({ inputTokens: 120 + (i & 63), outputTokens: 40 });
      });
    }
    if (samples) samples[i] = Number(now() - t0);
    if ((i + 1) % yieldEvery === 0) await yieldToLoop();
  }
}

async function eventLoopCost(args) {
  const result = {};
  for (const form of ['sync', 'async']) {
    const loupe = client(args, { queueSize: args.calls + args.warmup + 1000 });
    await timedCalls(loupe, args.warmup, args.yieldEvery, form);
    await loupe.flush(60_000);
    const samples = new Float64Array(args.calls);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await timedCalls(loupe, args.calls, args.yieldEvery, form, samples);
    const flushed = await loupe.flush(120_000);
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const stats = loupe.stats();
    await loupe.shutdown(5000);
    const p = percentiles(samples);
    result[form] = {
      ...p,
      calls: args.calls,
      flushed,
      stats,
      // the process's CPU over the run (the calls, the sender, gzip on the thread pool, GC) per call
      cpuPerCallUs: (cpu.user + cpu.system) / args.calls,
      elapsedS: elapsedMs / 1000,
      met: p.p50 < GOAL_P50_US,
    };
  }
  const overhead = new Float64Array(10_000);
  for (let i = 0; i < overhead.length; i++) {
    const t0 = now();
    overhead[i] = Number(now() - t0);
  }
  result.timerOverheadUs = percentiles(overhead).p50;
  result.goalP50Us = GOAL_P50_US;
  return result;
}

async function throughput(args) {
  const loupe = client(args, { queueSize: args.spans + 1000 });
  await timedCalls(loupe, 2000, args.yieldEvery, 'sync');
  await loupe.flush(60_000);
  const before = loupe.stats().sent;
  const t0 = performance.now();
  await timedCalls(loupe, args.spans, args.yieldEvery, 'sync');
  const enqueueS = (performance.now() - t0) / 1000;
  const flushed = await loupe.flush(Math.max(60_000, args.spans));
  const elapsedS = (performance.now() - t0) / 1000;
  const stats = loupe.stats();
  await loupe.shutdown(5000);
  const sent = stats.sent - before;
  const rate = sent / elapsedS;
  return { spans: args.spans, yieldEvery: args.yieldEvery, enqueueS, enqueuePerS: args.spans / enqueueS, elapsedS, sent,
    deliveredPerS: rate, flushed, stats, goalPerS: GOAL_SPANS_PER_S, met: flushed && rate >= GOAL_SPANS_PER_S };
}

/** A local port nothing listens on (bound, then released): connecting is refused at once. */
function deadPort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Traced calls for --down-seconds (flat out, or --down-rate per second), yielding every 1,000. */
async function outageLoop(loupe, args) {
  const samples = [];
  let calls = 0;
  const t0 = performance.now();
  const end = t0 + args.downSeconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) {
      const s = now();
      loupe.llmCall(OPTIONS, (c) => {
        c.usage({ inputTokens: 120, outputTokens: 40 });
      });
      samples.push(Number(now() - s));
    }
    calls += 1000;
    await yieldToLoop();
    if (args.downRate) {
      const ahead = calls / args.downRate - (performance.now() - t0) / 1000;
      if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead * 1000));
    }
  }
  return { calls, samples, elapsedS: (performance.now() - t0) / 1000 };
}

async function collectorDown(args) {
  const url = `http://127.0.0.1:${await deadPort()}`;
  const loupe = client({ ...args, collector: url }, { closeTimeoutMs: 1000 }); // the default queue (10,000)
  const { calls, samples, elapsedS } = await outageLoop(loupe, args);
  const stats = loupe.stats();
  const t = performance.now();
  const closed = await loupe.shutdown(1000);
  return { ...percentiles(samples), collector: url, seconds: elapsedS, calls, callsPerS: calls / elapsedS, stats,
    closeS: (performance.now() - t) / 1000, closedClean: closed, statsAfterClose: loupe.stats() };
}

/** A TCP relay from a local port to the collector, opened late: until open() nothing listens on the port
 * (connections are refused, as when the collector is down); then every connection is piped to the collector. */
class Relay {
  constructor(target, port) {
    const u = new URL(target);
    this.host = u.hostname;
    this.targetPort = Number(u.port || 80);
    this.port = port;
    this.sockets = new Set();
  }

  open() {
    this.server = createServer((client) => {
      const upstream = createConnection(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => { client.destroy(); upstream.destroy(); });
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function collectorRecovers(args) {
  const relay = new Relay(args.collector, await deadPort());
  const loupe = client({ ...args, collector: `http://127.0.0.1:${relay.port}` }, { retryBudgetMs: 300_000 });
  const { calls, samples, elapsedS } = await outageLoop(loupe, args);
  const during = loupe.stats();
  await relay.open();
  const t = performance.now();
  const flushed = await loupe.flush(120_000);
  const deliveredS = (performance.now() - t) / 1000;
  const after = loupe.stats();
  await loupe.shutdown(5000);
  await relay.close();
  return { ...percentiles(samples), seconds: elapsedS, calls, callsPerS: calls / elapsedS, during, after, flushed,
    deliveredS, heldAll: after.sent === after.enqueued && after.failed === 0,
    accounted: after.sent + after.dropped + after.failed + after.rejected === calls };
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function report(args, results) {
  const m = results.machine;
  const lines = [
    'loupe-sdk (TypeScript) benchmark',
    `  machine  ${m.cpus} CPUs (${m.cpuModel}), Node.js ${m.node}, ${m.platform}, loupe-sdk ${m.sdk}`,
    `  command  ${results.command}`,
    `  collector ${args.collector}`,
  ];
  const a = results.eventLoop;
  if (a) {
    lines.push(`1. event-loop cost per traced call (${fmt(args.calls)} calls after ${fmt(args.warmup)} warm-up, yielding every ${fmt(args.yieldEvery)}):`);
    for (const form of ['sync', 'async']) {
      const f = a[form];
      lines.push(
        `   ${form.padEnd(5)} p50 ${fmt(f.p50, 1)} µs  p90 ${fmt(f.p90, 1)} µs  p99 ${fmt(f.p99, 1)} µs  p99.9 ${fmt(f.p999, 1)} µs  `
          + `max ${fmt(f.max)} µs  mean ${fmt(f.mean, 1)} µs; process CPU ${fmt(f.cpuPerCallUs, 1)} µs/call, sender included; sent ${fmt(f.stats.sent)}, dropped ${f.stats.dropped}, failed ${f.stats.failed} — `
          + `goal p50 < ${GOAL_P50_US} µs: ${f.met ? 'met' : 'NOT met'}`,
      );
    }
    lines.push(`   (timer ${fmt(a.timerOverheadUs, 2)} µs)`);
  }
  const t = results.throughput;
  if (t) {
    lines.push(
      `2. sustained delivery, one process (${fmt(t.spans)} spans yielding every ${fmt(t.yieldEvery)}, then flush):`,
      `   enqueued in ${fmt(t.enqueueS, 2)} s (${fmt(t.enqueuePerS)}/s); delivered ${fmt(t.sent)} in ${fmt(t.elapsedS, 2)} s = `
        + `${fmt(t.deliveredPerS)} spans/s (${fmt(t.stats.requests)} requests, flushed ${t.flushed})`,
      `   goal ${fmt(GOAL_SPANS_PER_S)}/s: ${t.met ? 'met' : 'NOT met'}; dropped ${t.stats.dropped}, failed ${t.stats.failed}, `
        + `rejected ${t.stats.rejected}`,
    );
  }
  const d = results.collectorDown;
  if (d) {
    const s = d.stats;
    lines.push(
      `3. collector down (${d.collector}, refused) for ${fmt(d.seconds, 1)} s:`,
      `   the loop ran ${fmt(d.calls)} calls (${fmt(d.callsPerS)}/s); per call p50 ${fmt(d.p50, 1)} µs p99 ${fmt(d.p99, 1)} µs max ${fmt(d.max)} µs`,
      `   stats: queued ${fmt(s.queued)}, dropped ${fmt(s.dropped)}, retries ${s.retries}, requests ${s.requests}, failed ${s.failed}; `
        + `shutdown(1 s) took ${fmt(d.closeS, 2)} s, then failed ${fmt(d.statsAfterClose.failed)}`,
    );
  }
  const r = results.collectorRecovers;
  if (r) {
    const { during, after } = r;
    lines.push(
      `4. collector unreachable for ${fmt(r.seconds, 1)} s, then back:`,
      `   the loop ran ${fmt(r.calls)} calls (${fmt(r.callsPerS)}/s); per call p50 ${fmt(r.p50, 1)} µs p99 ${fmt(r.p99, 1)} µs `
        + `max ${fmt(r.max)} µs; during the outage: queued ${fmt(during.queued)}, dropped ${fmt(during.dropped)}, retries ${during.retries}`,
      `   after it: sent ${fmt(after.sent)} in ${fmt(r.deliveredS, 1)} s (flushed ${r.flushed}), dropped ${fmt(after.dropped)}, `
        + `failed ${after.failed}; queued spans all delivered: ${r.heldAll ? 'yes' : 'NO'}; every call accounted for: ${r.accounted ? 'yes' : 'NO'}`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      collector: { type: 'string', default: process.env.LOUPE_COLLECTOR_URL || 'http://127.0.0.1:8081' },
      key: { type: 'string', default: process.env.LOUPE_API_KEY || process.env.LOUPE_SECRET_KEY },
      calls: { type: 'string', default: '200000' },
      warmup: { type: 'string', default: '20000' },
      spans: { type: 'string', default: '200000' },
      'yield-every': { type: 'string', default: '100' },
      'down-seconds': { type: 'string', default: '10' },
      'down-rate': { type: 'string', default: '0' },
      only: { type: 'string', multiple: true },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('node bench.mjs [--collector URL] [--key KEY] [--calls 200000] [--warmup 20000] [--spans 200000]\n'
      + '  [--yield-every 100] [--down-seconds 10] [--down-rate 0] [--only cost|throughput|down|recover]... [--json FILE]');
    return 0;
  }
  const number = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, was ${values[name]}`);
    return n;
  };
  const args = {
    collector: values.collector.replace(/\/+$/, ''),
    key: values.key,
    calls: number('calls', 1),
    warmup: number('warmup', 0),
    spans: number('spans', 1),
    yieldEvery: number('yield-every', 1),
    downSeconds: number('down-seconds', 0),
    downRate: number('down-rate', 0),
  };
  if (!args.key) throw new Error('no ingest key: --key, LOUPE_API_KEY or LOUPE_SECRET_KEY');
  const parts = values.only ?? ['cost', 'throughput', 'down', 'recover'];
  for (const p of parts) if (!['cost', 'throughput', 'down', 'recover'].includes(p)) throw new Error(`--only: no part ${p}`);
  const results = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model?.trim(), node: process.version, platform: `${platform()} ${release()}`, sdk: version },
    command: [process.argv0, ...process.argv.slice(1)].join(' '),
  };
  if (parts.includes('cost')) results.eventLoop = await eventLoopCost(args);
  if (parts.includes('throughput')) results.throughput = await throughput(args);
  if (parts.includes('down')) results.collectorDown = await collectorDown(args);
  if (parts.includes('recover')) results.collectorRecovers = await collectorRecovers(args);
  console.log(report(args, results));
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2));
  return 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`bench: ${e.message}`);
  process.exit(2);
});
