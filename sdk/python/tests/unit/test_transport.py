"""The sender: batches, gzip, retries, rejected items, the bounded queue, flush and close."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from conftest import Answer, Collector, free_port

import loupe


def spans(client, count, name="step"):
    for i in range(count):
        with client.span("OTHER", f"{name}-{i}"):
            pass


def test_a_full_batch_goes_at_once_without_waiting_the_interval(collector, make_client):
    client = make_client(batch_size=3, flush_interval=30.0)
    started = time.monotonic()
    spans(client, 3)
    assert len(collector.wait_items(3, timeout=3)) == 3
    assert time.monotonic() - started < 2.0
    assert len(collector.of("/v1/spans")) == 1


def test_fewer_items_go_after_the_flush_interval(collector, make_client):
    client = make_client(batch_size=100, flush_interval=0.3)
    started = time.monotonic()
    spans(client, 2)
    time.sleep(0.1)
    assert collector.requests == []  # not yet: the batch is not full and the interval has not passed
    assert len(collector.wait_items(2, timeout=3)) == 2
    assert 0.25 <= collector.requests[0].at - started < 2.0
    assert len(collector.requests) == 1


def test_bodies_above_1_kib_are_gzipped_and_carry_the_bearer_key(collector, make_client):
    client = make_client(api_key="sk-secret", batch_size=50)
    with client.span("OTHER", "big") as span:
        span.input("x" * 5000)
    spans(client, 1, "small")
    client.flush(3)
    big, = [r for r in collector.requests if r.items and r.items[0]["name"] == "big"]
    assert big.headers.get("content-encoding") == "gzip"
    assert len(big.raw) < 5000  # compressed on the wire
    assert big.items[0]["prompt"] == "x" * 5000
    for request in collector.requests:
        assert request.headers["authorization"] == "Bearer sk-secret"
        assert request.headers["content-type"] == "application/json"


def test_a_small_body_is_sent_plain(collector, client):
    spans(client, 1)
    client.flush(3)
    assert collector.requests[0].headers.get("content-encoding") is None


def test_compression_none_sends_large_bodies_plain(collector, make_client):
    client = make_client(compression="none")
    with client.span("OTHER", "big") as span:
        span.input("y" * 5000)
    client.flush(3)
    assert collector.requests[0].headers.get("content-encoding") is None
    assert collector.items()[0]["prompt"] == "y" * 5000


def test_503_with_retry_after_waits_that_long(collector, client):
    collector.answer(Answer(503, {"title": "busy"}, {"Retry-After": "1"}))
    spans(client, 1)
    assert client.flush(5)
    first, second = collector.requests
    assert 0.9 <= second.at - first.at < 2.5
    stats = client.stats()
    assert stats["sent"] == 1 and stats["retries"] == 1 and stats["failed"] == 0


def test_429_with_an_http_date_retry_after(collector, client):
    import email.utils

    when = email.utils.formatdate(time.time() + 2, usegmt=True)  # whole seconds: waits 1 to 2 s
    collector.answer(Answer(429, {"title": "slow down"}, {"Retry-After": when}))
    spans(client, 1)
    assert client.flush(5)
    first, second = collector.requests
    assert 0.8 <= second.at - first.at < 3.0
    assert client.stats()["sent"] == 1


def test_500_backs_off_and_retries(collector, client):
    collector.answer(500, 502)
    spans(client, 2)
    assert client.flush(5)
    assert len(collector.requests) == 3
    assert [len(r.items) for r in collector.requests] == [2, 2, 2]
    stats = client.stats()
    assert stats["sent"] == 2 and stats["retries"] == 2 and stats["requests"] == 3 and stats["failed"] == 0


@pytest.mark.parametrize("status", [400, 401, 413])
def test_a_final_4xx_gives_up_at_once(collector, client, caplog, status):
    collector.answer(status)
    spans(client, 3)
    assert client.flush(5)
    time.sleep(0.1)
    assert len(collector.requests) == 1
    stats = client.stats()
    assert stats["failed"] == 3 and stats["sent"] == 0 and stats["retries"] == 0
    assert any(f"HTTP {status}" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_max_attempts_exhausted_counts_failed(collector, make_client):
    client = make_client(max_attempts=3)
    collector.answer(503, 503, 503, 503, 503)
    spans(client, 2)
    assert client.flush(5)
    assert len(collector.requests) == 3
    stats = client.stats()
    assert stats["failed"] == 2 and stats["sent"] == 0 and stats["retries"] == 2


def test_retry_budget_exhausted_counts_failed(collector, make_client):
    client = make_client(retry_budget=0.5)
    collector.answer(*([Answer(503, None, {"Retry-After": "1"})] * 5))
    spans(client, 1)
    started = time.monotonic()
    assert client.flush(5)
    assert time.monotonic() - started < 1.0  # a wait beyond the budget is not waited
    assert len(collector.requests) == 1
    assert client.stats()["failed"] == 1


def test_rejected_items_are_counted_and_logged_once_per_field_shape(collector, client, caplog):
    caplog.set_level(logging.DEBUG, logger="loupe")
    collector.answer(
        lambda r: Answer(200, {"accepted": len(r.items) - 1,
                               "rejected": [{"index": 0, "field": "spans[0].traceId", "reason": "bad"}]}),
    )
    spans(client, 2)
    assert client.flush(3)
    collector.answer(
        lambda r: Answer(200, {"accepted": len(r.items) - 1,
                               "rejected": [{"index": 7, "field": "spans[7].traceId", "reason": "bad"}]}),
    )
    spans(client, 8)
    assert client.flush(3)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "rejected" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "spans[0].traceId" in warnings[0].getMessage()
    stats = client.stats()
    assert stats["rejected"] == 2 and stats["sent"] == 8 and stats["failed"] == 0


def test_a_full_queue_drops_and_counts_without_blocking(collector, make_client):
    collector.hold.clear()  # the collector does not answer
    client = make_client(queue_size=5, batch_size=2)
    started = time.monotonic()
    spans(client, 50)
    assert time.monotonic() - started < 1.0  # the app's thread never waits for the sender
    stats = client.stats()
    # at most queue_size waiting plus two batches taken (one in flight, the next encoded); the rest dropped
    assert stats["dropped"] >= 50 - 5 - 2 * 2
    assert stats["dropped"] + stats["enqueued"] == 50
    collector.hold.set()
    assert client.flush(5)
    assert len(collector.items()) == stats["enqueued"]


def test_collector_down_then_recovers(make_client):
    port = free_port()
    client = make_client(collector_url=f"http://127.0.0.1:{port}", queue_size=10, batch_size=4,
                         backoff_max=0.05, retry_budget=30.0)
    for i in range(25):  # nothing listens: no call raises or waits
        with client.span("OTHER", f"s{i}"):
            pass
    deadline = time.monotonic() + 5
    while client.stats()["retries"] < 1 and time.monotonic() < deadline:  # the sender has met the dead port
        time.sleep(0.01)
    assert client.stats()["retries"] >= 1
    assert client.flush(0.1) is False
    late = Collector().start(port)
    try:
        assert client.flush(5)
        stats = client.stats()
        received = late.items()
        assert len(received) == stats["sent"] == stats["enqueued"]
        assert 10 <= len(received) <= 18  # the queue's bound, the batch being retried and the next, encoded
        assert stats["dropped"] == 25 - len(received)
        assert stats["failed"] == 0
    finally:
        client.close(0.5)
        late.stop()


def test_flush_true_after_delivery_false_on_timeout(collector, client):
    spans(client, 3)
    assert client.flush(3) is True
    assert len(collector.items()) == 3
    collector.hold.clear()
    spans(client, 1)
    started = time.monotonic()
    assert client.flush(0.3) is False
    assert 0.25 <= time.monotonic() - started < 1.5
    collector.hold.set()
    assert client.flush(3) is True


def test_flush_without_anything_sent_is_true(client):
    assert client.flush(0.1) is True


def test_close_sends_what_is_queued_and_drops_later_spans(collector, make_client):
    client = make_client(flush_interval=30.0, batch_size=100)
    spans(client, 4)
    assert client.close(3) is True
    assert len(collector.items()) == 4
    spans(client, 2)
    time.sleep(0.1)
    stats = client.stats()
    assert stats["dropped"] == 2 and stats["sent"] == 4
    assert len(collector.items()) == 4


def test_close_with_the_collector_stuck_counts_the_rest_failed(collector, make_client):
    collector.hold.clear()
    client = make_client(batch_size=2, flush_interval=0.01, timeout=0.5)
    spans(client, 6)
    assert client.close(0.3) is False
    collector.hold.set()
    stats = client.stats()
    assert stats["queued"] == 0
    assert stats["failed"] >= 4
    assert stats["enqueued"] == stats["sent"] + stats["rejected"] + stats["failed"] == 6


def test_stats_invariant_once_idle(collector, client):
    collector.answer(
        lambda r: Answer(200, {"accepted": len(r.items) - 1, "rejected": [{"index": 0, "field": "spans[0].name"}]}),
        400,
    )
    spans(client, 3)
    client.flush(3)
    spans(client, 3)
    client.flush(3)
    spans(client, 3)
    client.flush(3)
    stats = client.stats()
    assert stats["enqueued"] == 9 and stats["queued"] == 0
    assert stats["enqueued"] == stats["sent"] + stats["rejected"] + stats["failed"]
    assert stats["rejected"] == 1 and stats["failed"] == 3 and stats["sent"] == 5


def test_decisions_and_spans_go_to_their_endpoints(collector, client):
    with client.trace("t"):
        client.log_ai_decision(decision_id="d-1", input="q")
    client.flush(3)
    assert [d["decisionId"] for d in collector.items("/v1/decisions")] == ["d-1"]
    assert len(collector.items("/v1/spans")) == 1


def test_a_span_that_cannot_be_encoded_is_counted_failed_and_the_rest_go(collector, client):
    class Weird:
        def __str__(self):
            raise RuntimeError("no text")

    with client.span("OTHER", "bad") as span:
        span.attribute("x", Weird())
    spans(client, 2)
    assert client.flush(3)
    assert len(collector.items()) == 2
    stats = client.stats()
    assert stats["failed"] == 1 and stats["sent"] == 2


def test_the_sender_survives_an_odd_retry_after(collector, client):
    collector.answer(Answer(503, None, {"Retry-After": "\u00b2"}))
    spans(client, 1)
    assert client.flush(3)
    spans(client, 1)
    assert client.flush(3)
    assert len(collector.requests) == 3  # the 503, its retry, the second span
    assert client.stats()["sent"] == 2


def test_concurrent_threads_lose_nothing(collector, make_client):
    client = make_client(batch_size=7)
    threads = [threading.Thread(target=spans, args=(client, 50, f"t{n}")) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert client.flush(5)
    names = [s["name"] for s in collector.items()]
    assert len(names) == 200 and len(set(names)) == 200


def test_module_level_functions_use_the_configured_client(collector):
    loupe.configure("sk-mod", collector_url=collector.url, environ={}, flush_interval=0.05)
    with loupe.trace("t", feature="f"):
        pass
    assert loupe.flush(3)
    assert collector.items()[0]["feature"] == "f"
    assert collector.requests[0].headers["authorization"] == "Bearer sk-mod"
    assert loupe.stats()["sent"] == 1
    assert loupe.close(1)


def test_a_batch_larger_than_max_batch_bytes_is_split(collector, make_client):
    client = make_client(max_batch_bytes=3000, batch_size=100, flush_interval=0.2)
    for i in range(6):
        with client.span("OTHER", f"s{i}") as span:
            span.input("z" * 1000)
    assert client.flush(3)
    requests = collector.of("/v1/spans")
    assert len(requests) >= 3
    assert all(len(json_bytes(r)) <= 3000 for r in requests)
    assert sorted(s["name"] for s in collector.items()) == [f"s{i}" for i in range(6)]
    assert client.stats()["sent"] == 6


def json_bytes(request):
    import json

    return json.dumps(request.body, separators=(",", ":")).encode("utf-8")


def test_the_user_agent_names_the_sdk(collector, client):
    spans(client, 1)
    client.flush(3)
    assert collector.requests[0].headers["user-agent"] == f"loupe-sdk-python/{loupe.__version__}"


def test_an_unexpected_error_while_sending_fails_the_batch_not_the_sender(collector, client, monkeypatch, caplog):
    from loupe import _http

    def broken(value, now=None):
        raise RuntimeError("a bug")

    monkeypatch.setattr(_http, "retry_after", broken)
    collector.answer(503)
    spans(client, 2)
    assert client.flush(3) is True  # the marker is released, not left to time out
    monkeypatch.undo()
    spans(client, 1)
    assert client.flush(3) is True
    stats = client.stats()
    assert stats["failed"] == 2 and stats["sent"] == 1
    assert stats["enqueued"] == stats["sent"] + stats["rejected"] + stats["failed"]
    assert any("a bug" in (r.exc_text or "") or r.exc_info for r in caplog.records if r.levelno >= logging.WARNING)


def test_flushes_while_the_collector_is_stuck_do_not_fill_the_queue(collector, make_client):
    collector.hold.clear()
    client = make_client(queue_size=5, batch_size=1, timeout=5.0)
    spans(client, 1)
    assert collector.wait_for(lambda: len(collector.requests) == 1, 3)  # in flight, unanswered
    for _ in range(20):
        assert client.flush(0.01) is False
    spans(client, 5)
    for _ in range(20):
        client.flush(0.001)
    stats = client.stats()
    assert stats["dropped"] == 0 and stats["queued"] == 5
    assert len(client._transport._queue) == 7  # 5 spans, one marker before them, one after
    collector.hold.set()
    assert client.flush(5)
    assert client.stats()["sent"] == 6


def test_a_collector_url_with_a_path_prefixes_the_endpoints(collector, make_client):
    client = make_client(collector_url=collector.url + "/loupe/")
    spans(client, 1)
    client.log_ai_decision("d", input="x")
    assert client.flush(3)
    assert sorted(r.path for r in collector.requests) == ["/loupe/v1/decisions", "/loupe/v1/spans"]
