"""Prints what the SDK puts on the wire, for contracts' SdkWireContractTest.

Run with the SDK on the path (``PYTHONPATH=sdk/python/src python3 sdk/python/tests/contract/wire_samples.py``).
Everything goes through the public API only: a ``Loupe`` pointed at an HTTP server inside this script, which
records the request bodies (gzip decoded, as the collector would) and headers. Printed on stdout, one JSON
document::

    {"span": {...}, "decision": {...}, "feedback": {...},
     "feedbackHeaders": {"Idempotency-Key": "..."}, "feedbackSignals": ["CORRECT", ...]}

``span`` is a fully populated TOOL span (every field a Span can hold), ``decision`` a decision with every
parameter of ``log_ai_decision``, ``feedback`` a ``capture_feedback`` body with every field; ``feedbackSignals``
the signal each ``loupe.FeedbackSignal`` member is sent as. The values the Java test checks are in ``EXPECTED``
(printed too, under ``expected``, in the wire's names): the Java test decodes both and compares them.
"""

from __future__ import annotations

import datetime
import gzip
import json
import sys
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List

import loupe

OCCURRED_AT = datetime.datetime(2026, 11, 27, 10, 0, 1, 250000, tzinfo=datetime.timezone.utc)

# What the wire must carry for the calls in main(), written out by hand in the contract's names. The ids, times
# and latencies the SDK makes up are left out here (the Java test checks their shape); toolArguments is compared
# as JSON, so an SDK may space it as its JSON library does.
EXPECTED: Dict[str, Any] = {
    "span": {
        "kind": "TOOL",
        "name": "search_docs",
        "provider": "openai",
        "model": "gpt-4o-2024-08-06",
        "requestModel": "gpt-4o",
        "inputTokens": 1200,
        "outputTokens": 300,
        "cachedInputTokens": 800,
        "cacheWriteInputTokens": 200,
        "reasoningTokens": 40,
        "costUsd": 0.0042,
        "prompt": "where is my order?",
        "completion": '{"label":"order"}',
        "parsedOutput": {"label": "order"},
        "parseError": "expected a list",
        "status": "ERROR",
        "errorType": "RateLimitError",
        "errorMessage": "slow down",
        "feature": "support",
        "sessionId": "s-1",
        "userId": "u-1",
        "decisionId": "d-42",
        "toolName": "search_docs",
        "toolArguments": '{"query":"order 42"}',
        "toolResult": "shipped",
        "metadata": {"promptTemplate": "support-answer", "tier": "pro"},
        "attributes": {"retries": 2},
    },
    "decision": {
        "decisionId": "d-42",
        "feature": "support",
        "input": "where is my order?",
        "retrievalResults": [
            {"docId": "doc-1", "score": 0.9, "text": "Orders ship in 2 days"},
            {"docId": "doc-2", "score": 0.5, "textHash": "ab12"},
        ],
        "promptTemplate": "support-answer",
        "promptVersion": "v3",
        "model": "gpt-4o-2024-08-06",
        "output": "in 2 days",
        "parsedOutput": {"days": 2},
        "parseError": "expected a list",
        "status": "ERROR",
        "errorType": "RateLimitError",
        "costUsd": 0.01,
        "latencyMs": 1500,
        "occurredAt": "2026-11-27T10:00:01.250Z",
        "metadata": {"tier": "pro", "retries": "2"},
    },
    "feedback": {
        "decisionId": "d-42",
        "signal": "EDITED",
        "correction": "5 business days",
        "feedbackText": "wrong",
        "userId": "u-1",
        "occurredAt": "2026-11-27T10:00:01.250Z",
        "idempotencyKey": "k-1",
    },
}


class _Recorder(BaseHTTPRequestHandler):
    """Answers like the services (collector: accepted/rejected; feedback-service: 202 with an id) and records."""

    requests: List[Dict[str, Any]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if (self.headers.get("Content-Encoding") or "").lower() == "gzip":
            raw = gzip.decompress(raw)
        body = json.loads(raw.decode("utf-8"))
        with self.lock:
            self.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
        if self.path == "/v1/feedback":
            status, answer = 202, {"feedbackId": "f-%d" % len(self.requests)}
        else:
            items = next(iter(body.values()))
            status, answer = 200, {"accepted": len(items), "rejected": []}
        data = json.dumps(answer).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass


def _items(path: str, key: str) -> List[Dict[str, Any]]:
    return [item for r in _Recorder.requests if r["path"] == path for item in r["body"][key]]


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d" % server.server_address[1]
    client = loupe.Loupe("sk-contract", public_key="pk-contract", collector_url=url, feedback_url=url,
                         environ={}, flush_interval=0.05)
    try:
        with client.trace("answer", feature="support", user_id="u-1", session_id="s-1"):
            with client.tool("search_docs", arguments={"query": "order 42"}, decision_id="d-42",
                             prompt="where is my order?", prompt_template="support-answer", metadata={"tier": "pro"},
                             retries=2) as span:
                span.set(model="gpt-4o", provider="openai", cost_usd=Decimal("0.0042"), tool_result="shipped")
                span.set(request_model="gpt-4o", model="gpt-4o-2024-08-06")
                span.first_token()
                span.usage(input_tokens=1200, output_tokens=300, cached_input_tokens=800, reasoning_tokens=40,
                           cache_write_input_tokens=200)
                span.output('{"label":"order"}', parsed_output={"label": "order"})
                span.parsed(error="expected a list")
                span.error("RateLimitError", "slow down")
            client.log_ai_decision(
                "d-42",
                feature="support",
                input="where is my order?",
                retrieval_results=[{"doc_id": "doc-1", "score": 0.9, "text": "Orders ship in 2 days"},
                                   {"id": "doc-2", "score": 0.5, "text_hash": "ab12"}],
                prompt_template="support-answer",
                prompt_version="v3",
                model="gpt-4o-2024-08-06",
                output="in 2 days",
                parsed_output={"days": 2},
                latency_ms=1500,
                metadata={"tier": "pro", "retries": 2},
                parse_error="expected a list",
                status="error",
                error_type="RateLimitError",
                cost_usd=Decimal("0.01"),
                occurred_at=OCCURRED_AT,
            )  # inside the trace: the decision joins it
        if not client.flush(10):
            print("wire_samples: the SDK did not flush within 10 s", file=sys.stderr)
            return 1
        client.capture_feedback("d-42", loupe.FeedbackSignal.EDITED, "5 business days", "wrong", "k-1",
                                user_id="u-1", occurred_at=OCCURRED_AT)
        for signal in loupe.FeedbackSignal:
            client.capture_feedback("d-42", signal)
    finally:
        client.close(5)
        server.shutdown()

    spans = _items("/v1/spans", "spans")
    tools = [s for s in spans if s.get("kind") == "TOOL"]
    decisions = _items("/v1/decisions", "decisions")
    feedback = [r for r in _Recorder.requests if r["path"] == "/v1/feedback"]
    if len(tools) != 1 or len(spans) != 2 or len(decisions) != 1 or len(feedback) != 1 + len(loupe.FeedbackSignal):
        print("wire_samples: unexpected requests: %s" % json.dumps(_Recorder.requests), file=sys.stderr)
        return 1
    headers = {k.lower(): v for k, v in feedback[0]["headers"].items()}
    json.dump(
        {
            "span": tools[0],
            "decision": decisions[0],
            "feedback": feedback[0]["body"],
            "feedbackHeaders": {"Idempotency-Key": headers.get("idempotency-key")},
            "feedbackSignals": [r["body"]["signal"] for r in feedback[1:]],
            "expected": EXPECTED,
        },
        sys.stdout,
        ensure_ascii=False,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
