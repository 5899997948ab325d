"""A stand-in for trace-collector's native API, to run bench.py (or an app) without the stack.

It answers ``POST /v1/spans`` and ``POST /v1/decisions`` (gzip or plain) with ``{"accepted": n, "rejected": []}``
and counts what it took; it checks nothing else (no key, no field). ``GET /stats`` returns the counts.

    python3 sdk/python/bench/fake_collector.py --port 18081
"""

from __future__ import annotations

import argparse
import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_counts = {"spans": 0, "decisions": 0, "requests": 0}
_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's sender expects of the collector

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        endpoint = self.path.rsplit("/", 1)[-1]
        try:
            items = json.loads(body).get(endpoint)
        except (ValueError, AttributeError):
            items = None
        if endpoint not in ("spans", "decisions") or not isinstance(items, list):
            self._answer(400, {"title": "Bad Request", "detail": "not a spans or decisions batch", "field": "body"})
            return
        with _lock:
            _counts[endpoint] += len(items)
            _counts["requests"] += 1
        self._answer(200, {"accepted": len(items), "rejected": []})

    def do_GET(self) -> None:  # noqa: N802
        with _lock:
            counts = dict(_counts)
        self._answer(200 if self.path == "/stats" else 404, counts)

    def _answer(self, status: int, value: object) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18081)
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"fake collector on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
