"""How much the SDK costs an app, and how much it can carry: a benchmark script, not a test.

Three measurements against a running collector (the stack's, or ``fake_collector.py`` beside this file):

1. **App-thread cost per traced call**: the time inside ``with loupe.llm_call(...) as c: c.usage(...)``, exit
   included (the span is handed to the send queue), per call, after a warm-up; p50/p90/p99 in µs. Goal: p50 < 20 µs.
2. **Sustained throughput** of one process: N spans as fast as the loop goes (the queue big enough for all of
   them), then ``flush()``; spans per second delivered (``stats()['sent']``) from the first span to the end of
   the flush. Goal: 10,000/s.
3. **Collector down**: the same loop against a dead port for a while, with the default queue: the loop's speed,
   and what ``stats()`` counts (``dropped`` once the queue is full, ``retries``). ``--down-mode hang``: a port
   that takes connections and never answers, so each request waits for the SDK's timeout.
4. **Collector down, then back**: the loop runs while nothing listens on the SDK's port (a relay that opens
   after ``--down-seconds``, then pipes to the collector); afterwards, what the queue held must all arrive and
   the rest be counted as dropped. ``--down-seconds 30`` is the acceptance case.

    set -a; . .loupe/stack.env; set +a
    python3 sdk/python/bench/bench.py                       # LOUPE_COLLECTOR_URL, LOUPE_SECRET_KEY
    python3 sdk/python/bench/bench.py --collector http://127.0.0.1:18081 --key test --calls 50000

It prints a short report with the machine and the command; ``--json FILE`` also writes the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shlex
import socket
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

try:
    import loupe
except ImportError:  # run from the repository without installing the SDK
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    import loupe

FEATURE = "bench"
GOAL_P50_US = 20.0
GOAL_SPANS_PER_S = 10_000.0


def percentiles(samples_ns: List[int]) -> Dict[str, float]:
    ordered = sorted(samples_ns)
    n = len(ordered)

    def at(q: float) -> float:
        return ordered[min(n - 1, int(q * n))] / 1000.0

    return {"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "p999": at(0.999), "max": ordered[-1] / 1000.0,
            "mean": sum(ordered) / n / 1000.0}


def traced_call(i: int) -> None:
    with loupe.llm_call(feature=FEATURE, model="gpt-4o-mini", provider="openai") as c:
        c.usage(input_tokens=120 + (i & 63), output_tokens=40)


def app_thread_cost(args: argparse.Namespace) -> Dict[str, Any]:
    """Per-call time of the traced block, the queue large enough that nothing is dropped."""
    loupe.configure(args.key, collector_url=args.collector, queue_size=args.calls + args.warmup + 1000)
    for i in range(args.warmup):
        traced_call(i)
    loupe.flush(60)
    samples = [0] * args.calls
    clock = time.perf_counter_ns
    gc_was_enabled = gc.isenabled()
    if args.no_gc:
        gc.disable()
    try:
        for i in range(args.calls):
            t0 = clock()
            with loupe.llm_call(feature=FEATURE, model="gpt-4o-mini", provider="openai") as c:
                c.usage(input_tokens=120 + (i & 63), output_tokens=40)
            samples[i] = clock() - t0
    finally:
        if gc_was_enabled:
            gc.enable()
    # the timer's own cost, to read the figures against
    overhead = []
    for _ in range(10_000):
        t0 = clock()
        overhead.append(clock() - t0)
    flushed = loupe.flush(120)
    stats = loupe.stats()
    result = percentiles(samples)
    result.update(calls=args.calls, timer_overhead_us=percentiles(overhead)["p50"], flushed=flushed, stats=stats,
                  goal_p50_us=GOAL_P50_US, met=result["p50"] < GOAL_P50_US)
    loupe.close(5)
    return result


def throughput(args: argparse.Namespace) -> Dict[str, Any]:
    loupe.configure(args.key, collector_url=args.collector, queue_size=args.spans + 1000)
    for i in range(2_000):
        traced_call(i)
    loupe.flush(60)
    before = loupe.stats()["sent"]
    t0 = time.perf_counter()
    for i in range(args.spans):
        traced_call(i)
    t_enqueued = time.perf_counter() - t0
    flushed = loupe.flush(max(60.0, args.spans / 1000.0))
    elapsed = time.perf_counter() - t0
    stats = loupe.stats()
    sent = stats["sent"] - before
    rate = sent / elapsed
    loupe.close(5)
    return {"spans": args.spans, "enqueue_s": t_enqueued, "enqueue_per_s": args.spans / t_enqueued,
            "elapsed_s": elapsed, "sent": sent, "delivered_per_s": rate, "flushed": flushed, "stats": stats,
            "goal_per_s": GOAL_SPANS_PER_S, "met": flushed and rate >= GOAL_SPANS_PER_S}


def dead_port() -> int:
    """A local port nothing listens on (bound, then released): connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def outage_loop(args: argparse.Namespace) -> Tuple[int, List[int], float]:
    """Traced calls for ``--down-seconds`` (flat out, or ``--down-rate`` per second): calls, per-call ns, seconds."""
    calls = 0
    samples: List[int] = []
    clock = time.perf_counter_ns
    end = time.monotonic() + args.down_seconds
    t0 = time.perf_counter()
    while time.monotonic() < end:
        for _ in range(1000):
            s = clock()
            with loupe.llm_call(feature=FEATURE, model="gpt-4o-mini", provider="openai") as c:
                c.usage(input_tokens=120, output_tokens=40)
            samples.append(clock() - s)
        calls += 1000
        if args.down_rate:
            # pace the loop (calls per second) instead of running flat out
            ahead = calls / args.down_rate - (time.perf_counter() - t0)
            if ahead > 0:
                time.sleep(ahead)
    return calls, samples, time.perf_counter() - t0


def collector_down(args: argparse.Namespace) -> Dict[str, Any]:
    hung = None
    if args.down_mode == "hang":
        # a port that listens but never accepts: connections open, requests wait for an answer until the timeout
        hung = socket.socket()
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        url = f"http://127.0.0.1:{hung.getsockname()[1]}"
    else:
        url = f"http://127.0.0.1:{dead_port()}"
    loupe.configure(args.key, collector_url=url, close_timeout=1.0)  # the default queue (10,000)
    calls, samples, elapsed = outage_loop(args)
    stats = loupe.stats()
    t_close = time.perf_counter()
    closed = loupe.close(1.0)
    close_s = time.perf_counter() - t_close
    if hung is not None:
        hung.close()
    result = percentiles(samples)
    result.update(collector=url, mode=args.down_mode, seconds=elapsed, calls=calls, calls_per_s=calls / elapsed, stats=stats,
                  close_s=close_s, closed_clean=closed, stats_after_close=loupe.get_client().stats())
    return result


class Relay:
    """A TCP relay from a local port to the collector, opened late: until ``open()`` nothing listens on the port
    (connections are refused, as when the collector is down); then every connection is piped to the collector."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.port = dead_port()
        self.server: Optional[socket.socket] = None

    def open(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self.server = server
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.server is not None:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.close()


def collector_recovers(args: argparse.Namespace) -> Dict[str, Any]:
    """The app runs while the collector is unreachable for ``--down-seconds``, then the collector comes back:
    what the default queue held arrives, the rest is counted as dropped, nothing is raised."""
    relay = Relay(args.collector)
    loupe.configure(args.key, collector_url=f"http://127.0.0.1:{relay.port}", retry_budget=300.0)
    calls, samples, elapsed = outage_loop(args)
    during = loupe.stats()
    relay.open()
    t_back = time.perf_counter()
    flushed = loupe.flush(120.0)
    delivered_s = time.perf_counter() - t_back
    after = loupe.stats()
    loupe.close(5.0)
    relay.close()
    result = percentiles(samples)
    result.update(seconds=elapsed, calls=calls, calls_per_s=calls / elapsed, during=during, after=after,
                  flushed=flushed, delivered_s=delivered_s,
                  held_all=after["sent"] == after["enqueued"] and after["failed"] == 0,
                  accounted=after["sent"] + after["dropped"] + after["failed"] + after["rejected"] == calls)
    return result


def machine() -> Dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "implementation":
            platform.python_implementation(), "platform": platform.platform(), "sdk": loupe.__version__}


def report(args: argparse.Namespace, results: Dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "loupe-sdk benchmark",
        f"  machine  {m['cpus']} CPUs, {m['implementation']} {m['python']}, {m['platform']}, loupe-sdk {m['sdk']}",
        f"  command  {results['command']}",
        f"  collector {args.collector}",
    ]
    a = results.get("app_thread")
    if a:
        lines += [
            f"1. app-thread cost per traced call ({a['calls']:,} calls after {args.warmup:,} warm-up):",
            f"   p50 {a['p50']:.1f} µs  p90 {a['p90']:.1f} µs  p99 {a['p99']:.1f} µs  p99.9 {a['p999']:.1f} µs  "
            f"max {a['max']:.0f} µs  mean {a['mean']:.1f} µs (timer {a['timer_overhead_us']:.2f} µs)",
            f"   goal p50 < {GOAL_P50_US:.0f} µs: {'met' if a['met'] else 'NOT met'}; "
            f"sent {a['stats']['sent']:,}, dropped {a['stats']['dropped']}, failed {a['stats']['failed']}",
        ]
    t = results.get("throughput")
    if t:
        lines += [
            f"2. throughput, one process ({t['spans']:,} spans, then flush):",
            f"   enqueued in {t['enqueue_s']:.2f} s ({t['enqueue_per_s']:,.0f}/s); delivered {t['sent']:,} in "
            f"{t['elapsed_s']:.2f} s = {t['delivered_per_s']:,.0f} spans/s "
            f"({t['stats']['requests']:,} requests, flushed {t['flushed']})",
            f"   goal {GOAL_SPANS_PER_S:,.0f}/s: {'met' if t['met'] else 'NOT met'}; "
            f"dropped {t['stats']['dropped']}, failed {t['stats']['failed']}, rejected {t['stats']['rejected']}",
        ]
    d = results.get("collector_down")
    if d:
        s = d["stats"]
        lines += [
            f"3. collector down ({d['collector']}, {d['mode']}) for {d['seconds']:.1f} s:",
            f"   the loop ran {d['calls']:,} calls ({d['calls_per_s']:,.0f}/s); per call p50 {d['p50']:.1f} µs "
            f"p99 {d['p99']:.1f} µs max {d['max']:.0f} µs",
            f"   stats: queued {s['queued']:,}, dropped {s['dropped']:,}, retries {s['retries']}, "
            f"requests {s['requests']}, failed {s['failed']}; close(1 s) took {d['close_s']:.2f} s, "
            f"then failed {d['stats_after_close']['failed']:,}",
        ]
    r = results.get("collector_recovers")
    if r:
        during, after = r["during"], r["after"]
        lines += [
            f"4. collector unreachable for {r['seconds']:.1f} s, then back:",
            f"   the loop ran {r['calls']:,} calls ({r['calls_per_s']:,.0f}/s); per call p50 {r['p50']:.1f} µs "
            f"p99 {r['p99']:.1f} µs max {r['max']:.0f} µs; during the outage: queued {during['queued']:,}, "
            f"dropped {during['dropped']:,}, retries {during['retries']}",
            f"   after it: sent {after['sent']:,} in {r['delivered_s']:.1f} s (flushed {r['flushed']}), "
            f"dropped {after['dropped']:,}, failed {after['failed']}; queued spans all delivered: "
            f"{'yes' if r['held_all'] else 'NO'}; every call accounted for: {'yes' if r['accounted'] else 'NO'}",
        ]
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="Measure the Loupe Python SDK's cost and throughput.")
    parser.add_argument("--collector", default=os.environ.get("LOUPE_COLLECTOR_URL", "http://127.0.0.1:8081"),
                        help="collector base URL (default: LOUPE_COLLECTOR_URL, else http://127.0.0.1:8081)")
    parser.add_argument("--key", default=os.environ.get("LOUPE_API_KEY") or os.environ.get("LOUPE_SECRET_KEY"),
                        help="an ingest key (default: LOUPE_API_KEY, else LOUPE_SECRET_KEY)")
    parser.add_argument("--calls", type=int, default=200_000, help="measured calls of part 1 (200,000)")
    parser.add_argument("--warmup", type=int, default=20_000, help="warm-up calls of part 1 (20,000)")
    parser.add_argument("--spans", type=int, default=200_000, help="spans of part 2 (200,000)")
    parser.add_argument("--down-seconds", type=float, default=10.0, help="length of part 3 (10 s)")
    parser.add_argument("--down-mode", choices=("refused", "hang"), default="refused",
                        help="part 3's dead collector: connections refused (default), or accepted and never answered")
    parser.add_argument("--down-rate", type=float, default=0.0,
                        help="calls per second in part 3 (default 0: as fast as possible)")
    parser.add_argument("--only", choices=("cost", "throughput", "down", "recover"), action="append",
                        help="run only these parts (repeatable)")
    parser.add_argument("--no-gc", action="store_true", help="part 1 with the garbage collector off")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if not args.key:
        parser.error("no ingest key: --key, LOUPE_API_KEY or LOUPE_SECRET_KEY")
    parts = args.only or ["cost", "throughput", "down", "recover"]
    results: Dict[str, Any] = {
        "machine": machine(),
        "command": " ".join(shlex.quote(a) for a in [sys.executable, sys.argv[0], *argv]),
    }
    if "cost" in parts:
        results["app_thread"] = app_thread_cost(args)
    if "throughput" in parts:
        results["throughput"] = throughput(args)
    if "down" in parts:
        results["collector_down"] = collector_down(args)
    if "recover" in parts:
        results["collector_recovers"] = collector_recovers(args)
    print(report(args, results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
