"""The background sender: a bounded queue, one daemon thread, batches by size and time, retries with a budget.

The app's threads only append to a deque (and drop, counting, when it is full); everything else — JSON, gzip,
HTTP, waiting — happens on the sender thread. After ``os.fork`` the child starts with an empty queue and starts
its own thread when it first sends; at interpreter exit, every live sender is flushed for ``close_timeout``.
"""

from __future__ import annotations

import atexit
import logging
import os
import random
import re
import threading
import time
import weakref
from collections import deque
from typing import Any, Deque, Dict, List, Optional, Set, Tuple

from . import _http, _wire
from ._config import Config

LOG = logging.getLogger("loupe")

SPANS = "spans"
DECISIONS = "decisions"
_PATHS = {SPANS: "/v1/spans", DECISIONS: "/v1/decisions"}


class _Flush:
    """A marker in the queue: set once every item before it was sent, rejected or given up."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class _Pending:
    """A request sent whose answer is not read yet."""

    __slots__ = ("endpoint", "parts", "body", "error")

    def __init__(self, endpoint: str, parts: List[str], body: bytes) -> None:
        self.endpoint = endpoint
        self.parts = parts
        self.body = body
        self.error: Optional[BaseException] = None


class Stats:
    """Counters (plain ints, written by the sender thread, except ``dropped`` under a lock)."""

    __slots__ = ("taken", "sent", "rejected", "failed", "retries", "requests", "dropped", "sampled_out")

    def __init__(self) -> None:
        self.taken = self.sent = self.rejected = self.failed = 0
        self.retries = self.requests = self.dropped = self.sampled_out = 0


class Transport:
    def __init__(self, config: Config) -> None:
        self._config = config
        self._rand = random.Random()
        self._fresh()
        _LIVE.add(self)

    def _fresh(self) -> None:
        """The state a process starts with (at creation, and in a forked child)."""
        self._queue: Deque[Tuple[str, Any]] = deque()
        self._markers = 0  # flush markers in the queue: they do not count against queue_size
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._closed = False
        self._abandon_at: Optional[float] = None
        self._given_up_at_close = 0
        self.stats = Stats()
        self._logged: Set[str] = set()
        self._conns: Dict[str, _http.Connection] = {}

    # -- the app's side: never blocks, never raises ----------------------------------------------------------

    def offer(self, endpoint: str, item: Any) -> bool:
        queue = self._queue
        if self._closed or len(queue) - self._markers >= self._config.queue_size:
            with self._lock:
                self.stats.dropped += 1
            if not self._closed:
                self._log_once("queue-full", logging.WARNING,
                               "loupe: the send queue is full (%d items); dropping until it drains "
                               "(loupe.stats()['dropped'] counts them)", self._config.queue_size)
            return False
        queue.append((endpoint, item))
        if self._thread is None:
            self._start()
        if len(queue) >= self._config.batch_size and not self._wake.is_set():
            self._wake.set()
        return True

    def _start(self) -> None:
        with self._lock:
            if self._thread is None and not self._closed:
                thread = threading.Thread(target=self._run, name="loupe-sender", daemon=True)
                thread.start()
                self._thread = thread

    def queued(self) -> int:
        return sum(1 for endpoint, _ in list(self._queue) if endpoint != "flush")

    def flush(self, timeout: Optional[float]) -> bool:
        """True once everything queued before the call was sent, rejected or given up; False on timeout."""
        if self._thread is None or not self._thread.is_alive():
            return not self._queue
        with self._lock:
            try:
                endpoint, tail = self._queue[-1]
            except IndexError:
                endpoint, tail = "", None
            if endpoint == "flush":
                marker = tail  # nothing queued since the last flush: wait for the same marker
            else:
                marker = _Flush()
                self._queue.append(("flush", marker))
                self._markers += 1
        self._wake.set()
        return marker.done.wait(timeout)

    def close(self, timeout: Optional[float]) -> bool:
        """Refuses new items, sends what is queued within ``timeout``, stops the thread. True when all went."""
        if self._closed:
            return not self._queue
        deadline = time.monotonic() + (self._config.close_timeout if timeout is None else timeout)
        flushed = self.flush(max(0.0, deadline - time.monotonic()))
        self._closed = True
        self._abandon_at = deadline
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(max(0.05, deadline - time.monotonic()) + 0.5)
        left = self._count_left()
        unsent = left + self._given_up_at_close
        if unsent:
            LOG.warning("loupe: closed with %d items unsent (counted as failed)", unsent)
        if left:
            # taken off the queue here rather than by the sender: counted in both, so that once idle
            # enqueued (taken + queued) == sent + rejected + failed still holds
            self.stats.taken += left
            self.stats.failed += left
        for conn in list(self._conns.values()):
            conn.close()
        return flushed and not unsent

    def _count_left(self) -> int:
        left = 0
        while self._queue:
            endpoint, item = self._queue.popleft()
            if endpoint == "flush":
                with self._lock:
                    self._markers -= 1
                item.done.set()
            else:
                left += 1
        return left

    # -- the sender thread -------------------------------------------------------------------------------------

    def _run(self) -> None:
        config = self._config
        queue = self._queue
        try:
            while True:
                if self._abandoned():
                    return
                if not queue:
                    if self._stop.is_set():
                        return
                    self._wake.wait(config.flush_interval)
                    self._wake.clear()
                    if not queue:
                        continue
                elif len(queue) < config.batch_size and not self._stop.is_set() and self._markers == 0:
                    # items but not a full batch: wait out the interval unless a batch fills or a flush asks
                    self._wake.wait(config.flush_interval)
                    self._wake.clear()
                self._drain()
        except Exception:  # noqa: BLE001 - a bug here must not take the app down; say so once
            LOG.exception("loupe: the sender thread stopped on an unexpected error; telemetry is no longer sent")

    def _abandoned(self) -> bool:
        return self._abandon_at is not None and time.monotonic() >= self._abandon_at

    def _drain(self) -> None:
        """Sends everything queued now, in batches; markers are released after the items before them.

        Pipelined: a request is sent, then the next batch is encoded while the collector works on it, and only
        then is its answer read (and, when it failed, retried before anything newer goes out)."""
        config = self._config
        queue = self._queue
        pending: Optional[_Pending] = None
        try:
            while queue and not self._abandoned():
                batch: Dict[str, List[Any]] = {SPANS: [], DECISIONS: []}
                markers: List[_Flush] = []
                taken = 0
                while queue and taken < config.batch_size:
                    endpoint, item = queue.popleft()
                    if endpoint == "flush":
                        with self._lock:
                            self._markers -= 1
                        markers.append(item)
                        break
                    batch[endpoint].append(item)
                    taken += 1
                self.stats.taken += taken
                # spans of a batch before its decisions: a decision's trace is then already on its way
                for endpoint in (SPANS, DECISIONS):
                    if batch[endpoint]:
                        for parts in self._split(self._encode(endpoint, batch[endpoint])):
                            if pending is not None:
                                self._complete(pending)
                                pending = None
                            if self._abandoned():
                                self._give_up_at_close(endpoint, parts)
                            else:
                                pending = self._begin(endpoint, parts)
                if markers:
                    if pending is not None:
                        self._complete(pending)
                        pending = None
                    for marker in markers:
                        marker.done.set()
        finally:
            if pending is not None:
                if self._abandoned():
                    # close() is out of time: do not wait for the answer
                    self._connection(config.collector_url).close()
                    self._give_up_at_close(pending.endpoint, pending.parts)
                else:
                    self._complete(pending)

    def _give_up_at_close(self, endpoint: str, parts: List[str]) -> None:
        self.stats.failed += len(parts)
        self._given_up_at_close += len(parts)
        LOG.debug("loupe: close() gave up %d %s", len(parts), endpoint)

    def _encode(self, endpoint: str, items: List[Any]) -> List[str]:
        encoded = []
        encode = _wire.dumps
        span_json = _wire.span_json
        for item in items:
            try:
                encoded.append(encode(span_json(item) if endpoint == SPANS else item))
            except Exception:  # noqa: BLE001 - one unencodable item (a bug, or a strange attribute) is dropped
                self.stats.failed += 1
                self._log_once("encode", logging.WARNING, "loupe: could not encode a %s item; dropped",
                               endpoint[:-1], exc_info=True)
        return encoded

    def _split(self, parts: List[str]) -> List[List[str]]:
        """Requests of at most ``max_batch_bytes`` (the collector takes at most 5 MiB per request)."""
        limit = self._config.max_batch_bytes
        chunks = []
        start = 0
        size = 0
        for i, part in enumerate(parts):
            length = len(part) + 1 if part.isascii() else len(part.encode("utf-8")) + 1
            if i > start and size + length > limit:
                chunks.append(parts[start:i])
                start, size = i, 0
            size += length
        if start < len(parts):
            chunks.append(parts[start:])
        return chunks

    def _connection(self, base: str) -> _http.Connection:
        conn = self._conns.get(base)
        if conn is None:
            conn = self._conns[base] = _http.Connection(base, self._config.timeout)
        return conn

    def _begin(self, endpoint: str, parts: List[str]) -> "_Pending":
        config = self._config
        body = ('{"' + endpoint + '":[' + ",".join(parts) + "]}").encode("utf-8")
        pending = _Pending(endpoint, parts, body)
        try:
            self.stats.requests += 1
            self._connection(config.collector_url).begin(
                _PATHS[endpoint], body, self._headers(), config.compression == "gzip")
        except Exception as e:  # noqa: BLE001 - read back by _complete, which fails the batch
            pending.error = e
        return pending

    def _complete(self, pending: "_Pending") -> None:
        try:
            if pending.error is not None:
                raise pending.error
            conn = self._connection(self._config.collector_url)
            try:
                first: Any = conn.finish()
            except OSError as e:
                first = e
            self._send(pending.endpoint, pending.parts, pending.body, first)
        except Exception:  # noqa: BLE001 - a bug fails its batch; the sender goes on and flush() still returns
            self.stats.failed += len(pending.parts)
            self._log_once("send-error", logging.ERROR, "loupe: could not send %d %s; dropped",
                           len(pending.parts), pending.endpoint, exc_info=True)

    def _send_safely(self, endpoint: str, parts: List[str]) -> None:
        self._complete(self._begin(endpoint, parts))

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self._config.api_key}", "Accept": "application/json"}

    def _send(self, endpoint: str, parts: List[str], body: Optional[bytes] = None, first: Any = None) -> None:
        """Delivers one request's items: ``first`` is the outcome of an attempt already made (an Answer or an
        OSError); then retries within the budget."""
        config = self._config
        if body is None:
            body = ('{"' + endpoint + '":[' + ",".join(parts) + "]}").encode("utf-8")
        headers = self._headers()
        conn = self._connection(config.collector_url)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            status: Optional[int] = None
            wait: Optional[float] = None
            outcome: Any = first if attempt == 1 and first is not None else None
            if outcome is None:
                self.stats.requests += 1
                try:
                    outcome = conn.post(_PATHS[endpoint], body, headers, config.compression == "gzip")
                except OSError as e:
                    outcome = e
            if isinstance(outcome, BaseException):
                reason = f"{type(outcome).__name__}: {outcome}"
            else:
                answer = outcome
                status = answer.status
                if 200 <= status < 300:
                    self._accepted(endpoint, len(parts), answer)
                    return
                field, detail, _ = answer.problem()
                reason = f"HTTP {status}: {detail}"
                if not _http.is_retryable(status):
                    self.stats.failed += len(parts)
                    self._log_once(f"status-{endpoint}-{status}", logging.WARNING,
                                   "loupe: the collector refused %d %s (HTTP %d%s: %s); not retried",
                                   len(parts), endpoint, status, f", {field}" if field else "", detail)
                    return
                if status in (429, 503):
                    wait = _http.retry_after(answer.headers.get("retry-after"))
            if wait is None:
                wait = _http.backoff(attempt, config.backoff_initial, config.backoff_max, self._rand)
            elapsed = time.monotonic() - started
            abandon = self._abandon_at is not None and time.monotonic() + wait > self._abandon_at
            if abandon:
                # close() is out of time: counted here, reported once by close()
                self.stats.failed += len(parts)
                self._given_up_at_close += len(parts)
                LOG.debug("loupe: close() gave up %d %s (%s)", len(parts), endpoint, reason)
                return
            if attempt >= config.max_attempts or elapsed + wait > config.retry_budget:
                self.stats.failed += len(parts)
                LOG.warning("loupe: gave up %d %s after %d attempts in %.1f s (%s)",
                            len(parts), endpoint, attempt, elapsed, reason)
                return
            self.stats.retries += 1
            self._log_once(f"retry-{endpoint}", logging.INFO,
                           "loupe: sending %s failed (%s); retrying in %.1f s (later failures are logged at DEBUG)",
                           endpoint, reason, wait)
            LOG.debug("loupe: %s attempt %d failed (%s); retrying in %.1f s", endpoint, attempt, reason, wait)
            if self._stop.wait(wait) and self._abandon_at is not None and time.monotonic() >= self._abandon_at:
                self.stats.failed += len(parts)
                self._given_up_at_close += len(parts)
                return

    def _accepted(self, endpoint: str, count: int, answer: _http.Answer) -> None:
        body = answer.json()
        rejected = body.get("rejected") if isinstance(body, dict) else None
        rejected = rejected if isinstance(rejected, list) else []
        self.stats.rejected += len(rejected)
        self.stats.sent += count - len(rejected)
        for item in rejected:
            if not isinstance(item, dict):
                continue
            field = str(item.get("field") or "?")
            shape = _INDEX.sub("[]", field)
            # once per field shape: a systematic mistake is one line in the log, not one per span
            self._log_once(f"rejected-{endpoint}-{shape}", logging.WARNING,
                           "loupe: the collector rejected %s item %s, field %s: %s (logged once per field)",
                           endpoint, item.get("index"), field, item.get("reason"))

    def _log_once(self, key: str, level: int, message: str, *args: Any, exc_info: bool = False) -> None:
        if key in self._logged:
            LOG.debug(message, *args, exc_info=exc_info)
            return
        self._logged.add(key)
        LOG.log(level, message, *args, exc_info=exc_info)

    def after_fork_in_child(self) -> None:
        closed = self._closed
        self._fresh()
        self._closed = closed  # a client closed before the fork stays closed in the child


_INDEX = re.compile(r"\[\d+\]")
_LIVE: "weakref.WeakSet[Transport]" = weakref.WeakSet()


def _after_fork() -> None:
    for transport in list(_LIVE):
        transport.after_fork_in_child()


def _at_exit() -> None:
    for transport in list(_LIVE):
        try:
            transport.close(None)
        except Exception:  # noqa: BLE001 - never fail the interpreter's exit
            LOG.debug("loupe: close at exit failed", exc_info=True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
atexit.register(_at_exit)
