"""Decisions (through the sender) and feedback (synchronous, with the public key and an idempotency key)."""

from __future__ import annotations

import asyncio
import datetime
import uuid

import pytest
from conftest import Answer, free_port

import loupe
from loupe import FeedbackSignal, LoupeConfigError, LoupeRejected, LoupeUnavailable


def test_log_ai_decision_generates_an_id_and_joins_the_trace(collector, client):
    with client.trace("answer", feature="support-rag") as parent:
        with client.llm_call(name="call") as call:
            decision_id = client.log_ai_decision(input="question?", output="answer.", model="gpt-4o")
    uuid.UUID(decision_id)  # a UUID when none is given
    assert call.decision_id == decision_id and parent.decision_id is None
    client.flush(3)
    decision, = collector.items("/v1/decisions")
    assert decision["decisionId"] == decision_id
    assert decision["traceId"] == parent.trace_id and decision["feature"] == "support-rag"
    assert decision["input"] == "question?" and decision["output"] == "answer." and decision["model"] == "gpt-4o"
    assert decision["occurredAt"].endswith("Z")
    spans = {s["name"]: s for s in collector.items()}
    assert spans["call"]["decisionId"] == decision_id


def test_a_malformed_trace_id_is_dropped_and_the_decision_kept(collector, client, caplog):
    given = "4BF92F3577B34DA6A3CE929D0E0E4736"  # upper case is read as the same id
    client.log_ai_decision("d-upper", trace_id=given, output="a")
    client.log_ai_decision("d-bad", trace_id="not-a-trace-id", output="b")
    client.log_ai_decision("d-bad-2", trace_id="0" * 32, output="c")
    assert client.flush(3)
    decisions = {d["decisionId"]: d for d in collector.items("/v1/decisions")}
    assert decisions["d-upper"]["traceId"] == given.lower()
    assert "traceId" not in decisions["d-bad"] and "traceId" not in decisions["d-bad-2"]
    warnings = [r for r in caplog.records if "ignoring trace_id" in r.getMessage()]
    assert len(warnings) == 1  # once, then at DEBUG


def test_log_ai_decision_keeps_a_given_id_and_maps_fields(collector, client):
    docs = [
        {"doc_id": "d1", "score": 0.9, "text": "the text"},
        {"docId": 2, "text_hash": "abc"},
        type("Doc", (), {"id": "d3", "score": "0.5", "text": None})(),
    ]
    returned = client.log_ai_decision(
        "dec-1", "billing", {"q": "refund?"}, docs, prompt_template="tpl", prompt_version="v2",
        parsed_output={"refund": False}, latency_ms=12.7,
        metadata={"tenant": "t1", "n": 3, "flag": True, "nested": {"a": 1}, "none": None},
        status="success", cost_usd=0.002, occurred_at=datetime.datetime(2026, 1, 2, 3, 4, 5, 600000),
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
    )
    assert returned == "dec-1"
    client.flush(3)
    d, = collector.items("/v1/decisions")
    assert d["decisionId"] == "dec-1" and d["feature"] == "billing"
    assert d["input"] == '{"q": "refund?"}'
    assert d["retrievalResults"] == [
        {"docId": "d1", "score": 0.9, "text": "the text"},
        {"docId": "2", "textHash": "abc"},
        {"docId": "d3", "score": 0.5},
    ]
    assert d["promptTemplate"] == "tpl" and d["promptVersion"] == "v2"
    assert d["parsedOutput"] == {"refund": False} and d["latencyMs"] == 12
    assert d["metadata"] == {"tenant": "t1", "n": "3", "flag": "true", "nested": '{"a": 1}'}
    assert d["status"] == "SUCCESS" and d["costUsd"] == 0.002
    assert d["occurredAt"] == "2026-01-02T03:04:05.600000Z"
    assert d["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_log_ai_decision_never_raises(collector, client):
    class Bad:
        def __iter__(self):
            raise RuntimeError("boom")

    assert client.log_ai_decision("d-bad", retrieval_results=Bad()) == "d-bad"
    assert client.log_ai_decision(input="fine") is not None


def test_feedback_success_returns_the_id_and_sends_the_idempotency_key(collector, make_client):
    client = make_client(public_key="pk-public")
    assert client.capture_feedback("dec-1", FeedbackSignal.EDITED, correction="better", feedback_text="meh",
                                   user_id="u1", idempotency_key="key-1") == "fb-1"
    request, = collector.of("/v1/feedback")
    assert request.headers["authorization"] == "Bearer pk-public"
    assert request.headers["idempotency-key"] == "key-1"
    assert request.body == {"decisionId": "dec-1", "signal": "EDITED", "correction": "better",
                            "feedbackText": "meh", "userId": "u1"}
    client.capture_feedback("dec-1", "thumbs_up")
    second = collector.of("/v1/feedback")[1]
    uuid.UUID(second.headers["idempotency-key"])  # generated when not given
    assert second.body["signal"] == "thumbs_up"


def test_feedback_400_raises_rejected_with_the_field(collector, make_client):
    client = make_client(public_key="pk")
    collector.answer(Answer(400, {"title": "Invalid feedback", "status": 400, "detail": "unknown signal",
                                  "field": "signal"}))
    with pytest.raises(LoupeRejected) as raised:
        client.capture_feedback("dec-1", "MAYBE")
    assert raised.value.field == "signal" and raised.value.status == 400
    assert raised.value.detail == "unknown signal" and raised.value.title == "Invalid feedback"
    assert len(collector.requests) == 1  # not retried


def test_feedback_503_then_202_retries_with_the_same_key(collector, make_client):
    client = make_client(public_key="pk")
    collector.answer(Answer(503, {"title": "busy"}, {"Retry-After": "0"}), 500)
    assert client.capture_feedback("dec-1", "CORRECT") == "fb-1"
    keys = [r.headers["idempotency-key"] for r in collector.of("/v1/feedback")]
    assert len(keys) == 3 and len(set(keys)) == 1


def test_feedback_stays_unavailable(collector, make_client):
    client = make_client(public_key="pk")
    collector.answer(503, 503, 503)
    with pytest.raises(LoupeUnavailable) as raised:
        client.capture_feedback("dec-1", "CORRECT")
    assert raised.value.status == 503 and len(collector.requests) == 3


def test_feedback_with_nothing_listening_is_unavailable(make_client):
    client = make_client(public_key="pk", feedback_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(LoupeUnavailable) as raised:
        client.capture_feedback("dec-1", "CORRECT")
    assert raised.value.status is None


def test_acapture_feedback_in_asyncio(collector, make_client):
    client = make_client(public_key="pk")

    async def main():
        return await asyncio.gather(client.acapture_feedback("d1", "CORRECT"),
                                    client.acapture_feedback("d2", "INCORRECT", idempotency_key="k2"))

    assert asyncio.run(main()) == ["fb-1", "fb-1"]
    assert sorted(r.body["decisionId"] for r in collector.of("/v1/feedback")) == ["d1", "d2"]


def test_module_level_acapture_feedback(collector):
    loupe.configure("sk", environ={}, public_key="pk", feedback_url=collector.url, collector_url=collector.url)
    assert asyncio.run(loupe.acapture_feedback("d1", "CORRECT")) == "fb-1"


def test_feedback_without_a_public_key_raises_config_error(collector, client):
    with pytest.raises(LoupeConfigError) as raised:
        client.capture_feedback("dec-1", "CORRECT")
    assert raised.value.setting == "public_key"
    assert collector.requests == []


def test_falsy_document_ids_and_scores_are_kept(collector, client):
    with client.retrieval("search", query="q") as step:
        step.documents([{"doc_id": 0, "score": 0.0}, {"id": "", "score": 1}])
    client.log_ai_decision("d-0", retrieval_results=[{"doc_id": 0, "score": 0, "text": ""}])
    client.flush(3)
    decision, = collector.items("/v1/decisions")
    assert decision["retrievalResults"] == [{"docId": "0", "score": 0.0, "text": ""}]
    span, = collector.items()
    assert span["kind"] == "RETRIEVAL" and span["prompt"] == "q"
    assert span["completion"] == '[{"docId": "0", "score": 0.0}, {"docId": "", "score": 1.0}]'
    assert span["attributes"] == {"retrievedDocuments": 2}
