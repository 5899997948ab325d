"""A recording collector for the unit tests: a local HTTP server that keeps every request and answers from a
script."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Deque, Dict, List, Optional

import pytest

import loupe


class Request:
    """One request the server received: path, lower-cased headers, the (decompressed) JSON body."""

    def __init__(self, method: str, path: str, headers: Dict[str, str], raw: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.raw = raw
        self.at = time.monotonic()
        data = gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw
        self.body: Any = json.loads(data.decode("utf-8")) if data else None

    @property
    def items(self) -> List[Any]:
        if isinstance(self.body, dict):
            for key in ("spans", "decisions"):
                if key in self.body:
                    return self.body[key]
        return []

    def __repr__(self) -> str:
        return f"Request({self.path}, {len(self.items)} items)"


class Answer:
    def __init__(self, status: int, body: Any = None, headers: Optional[Dict[str, str]] = None,
                 hold: Optional[threading.Event] = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.hold = hold


def _default_answer(request: Request) -> Answer:
    if request.path.endswith("/v1/feedback"):
        decision = request.body.get("decisionId") if isinstance(request.body, dict) else None
        return Answer(202, {"feedbackId": "fb-1", "decisionId": decision})
    return Answer(200, {"accepted": len(request.items), "rejected": []})


class Collector:
    """The server's state: ``requests`` received, ``script`` of answers to give first (then the default: 200 with
    everything accepted, 202 for feedback), and ``hold`` (an Event every answer waits for while it is clear)."""

    def __init__(self) -> None:
        self.requests: List[Request] = []
        self.script: Deque[Any] = deque()
        self.hold = threading.Event()
        self.hold.set()
        self.cond = threading.Condition()
        self.server: Optional[ThreadingHTTPServer] = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, *answers: Any) -> None:
        """Queues answers: an Answer, a status, or a function of the Request returning an Answer."""
        for a in answers:
            self.script.append(a)

    def _record(self, request: Request) -> Answer:
        with self.cond:
            self.requests.append(request)
            self.cond.notify_all()
            scripted = self.script.popleft() if self.script else None
        if scripted is None:
            return _default_answer(request)
        if isinstance(scripted, int):
            return Answer(scripted, {"title": "scripted", "status": scripted, "detail": f"scripted {scripted}"})
        if callable(scripted) and not isinstance(scripted, Answer):
            return scripted(request)
        return scripted

    def items(self, path: str = "/v1/spans") -> List[Any]:
        with self.cond:
            return [item for r in self.requests if r.path == path for item in r.items]

    def of(self, path: str) -> List[Request]:
        with self.cond:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.05))
            return True

    def wait_items(self, count: int, path: str = "/v1/spans", timeout: float = 5.0) -> List[Any]:
        self.wait_for(lambda: len([i for r in self.requests if r.path == path for i in r.items]) >= count, timeout)
        return self.items(path)

    def start(self, port: int = 0) -> "Collector":
        collector = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request("POST", self.path, headers, raw)
                answer = collector._record(request)
                if answer.hold is not None:
                    answer.hold.wait(30)
                collector.hold.wait(30)
                payload = b"" if answer.body is None else json.dumps(answer.body).encode("utf-8")
                self.send_response(answer.status)
                content_type = "application/problem+json" if answer.status >= 400 else "application/json"
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                try:
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up waiting (a timeout test): nothing to answer to
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.hold.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def free_port() -> int:
    """A port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def collector():
    c = Collector().start()
    yield c
    c.stop()


FAST = dict(flush_interval=0.05, backoff_initial=0.01, backoff_max=0.05, timeout=2.0, close_timeout=2.0,
            retry_budget=10.0)


@pytest.fixture
def make_client(collector):
    """Builds a ``Loupe`` sending to the collector, with short intervals; closed after the test."""
    clients: List[loupe.Loupe] = []

    def make(api_key: Optional[str] = "sk-test", environ: Optional[Dict[str, str]] = None, **settings: Any):
        options = dict(FAST)
        options.setdefault("collector_url", collector.url)
        options.setdefault("feedback_url", collector.url)
        options.update(settings)
        client = loupe.Loupe(api_key, environ={} if environ is None else environ, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close(0.5)


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture(autouse=True)
def _no_default_client():
    """Tests of the module-level functions get a fresh default client."""
    yield
    with loupe._default_lock:
        previous, loupe._default = loupe._default, None
    if previous is not None:
        previous.close(0.5)
