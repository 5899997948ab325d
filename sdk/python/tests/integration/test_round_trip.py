"""The SDK against the real services: what it sends comes back from the aggregator as sent, evaluated and counted.

Run against a stack whose URLs and keys are in the environment (see ``_stack.HOW_TO_RUN``); e2e's ``PythonSdkIT``
runs them on its shared stack. Without them every test fails saying so: a gate that skipped would prove nothing.
"""

from __future__ import annotations

import functools
import os
import re
import uuid
from decimal import Decimal
from typing import Any, Dict, List

import loupe

from _stack import Stack, await_value, stack

RUN = uuid.uuid4().hex[:12]
FEATURE = "py-sdk-it-" + RUN
USER = "jane-" + RUN
SESSION = "session-" + RUN
QUESTION = "how long do I have to return a jacket?"
# the retrieved context in the prompt makes the span batch larger than 1 KiB: the SDK gzips it (LOUPE_COMPRESSION)
CONTEXT = " ".join("Policy %d: items bought online may be returned by post or in a store." % i for i in range(30))
PROMPT = CONTEXT + "\n\nQuestion: " + QUESTION
ANSWER = "You can return it within 60 days of purchase."
CORRECTION = "You can return it within 30 days of purchase."
INPUT_TOKENS = 1000
OUTPUT_TOKENS = 200
# gpt-4o from 2024-10-02 in the built-in price table: $2.50 per million input tokens, $10 per million output
EXPECTED_COST = Decimal("0.0045")


def _client(**settings: Any) -> loupe.Loupe:
    """A client of its own (never the module default), configured from the environment like an app's."""
    return loupe.Loupe(environ=os.environ, **settings)


@functools.lru_cache(maxsize=None)
def _sent() -> Dict[str, Any]:
    """Sends the scenario once for the tests of this module: a trace (retrieval, LLM call, tool), a decision in it
    with its retrieved documents, and, once the decision is stored, a user's correction."""
    s = stack()
    s.configure_evaluation(FEATURE, [{"name": "contains_all", "config": {"values": ["30 days"]}}])
    decision_id = "py-sdk-it-decision-" + RUN
    client = _client()
    try:
        with client.trace("answer-question", feature=FEATURE, user_id=USER, session_id=SESSION) as root:
            with client.retrieval("search-policies", query=QUESTION) as retrieval:
                retrieval.documents([{"doc_id": "returns-policy", "score": 0.92}, {"doc_id": "shipping", "score": 0.4}])
            with client.llm_call(model="gpt-4o", provider="openai", prompt=PROMPT) as call:
                call.usage(input_tokens=INPUT_TOKENS, output_tokens=OUTPUT_TOKENS)
                call.output(ANSWER)
            with client.tool("lookup_order", arguments={"order": "A-17"}) as tool:
                tool.set(tool_result="delivered 2026-11-20")
            client.log_ai_decision(
                decision_id,
                input=QUESTION,
                retrieval_results=[{"doc_id": "returns-policy", "score": 0.92, "text": "Returns within 30 days."},
                                   {"doc_id": "shipping", "score": 0.4, "text": "We ship in 2 days."}],
                model="gpt-4o",
                output=ANSWER,
                prompt_version="v7",
            )
        assert client.flush(30), "the SDK did not flush within 30 s: %s" % client.stats()
        stats = client.stats()
        assert stats["sent"] == 5 and stats["rejected"] == 0 and stats["failed"] == 0, stats
        # the evaluation of the decision as it came (SAMPLED), before the user's correction re-evaluates it
        await_value("decision %s evaluated (SAMPLED)" % decision_id, lambda: _decision_view(s, decision_id,
                    lambda v: len(v.get("evals", [])) >= 1))
        feedback_id = client.capture_feedback(decision_id, loupe.FeedbackSignal.EDITED, correction=CORRECTION,
                                              feedback_text="wrong policy", user_id=USER)
        assert client.flush(10)
    finally:
        client.close(5)
    return {
        "stack": s,
        "trace_id": root.trace_id,
        "root": root.span_id,
        "spans": {"retrieval": retrieval.span_id, "llm": call.span_id, "tool": tool.span_id},
        "decision_id": decision_id,
        "feedback_id": feedback_id,
    }


def _decision_view(s: Stack, decision_id: str, ready: Any) -> Any:
    status, body = s.read("/v1/decisions/" + decision_id)
    return status == 200 and ready(body), body if status == 200 else {"status": status, "body": body}


def _trace(s: Stack, trace_id: str, count: int) -> List[Dict[str, Any]]:
    def read() -> Any:
        status, body = s.read("/v1/traces/" + trace_id)
        spans = body.get("spans", []) if status == 200 and isinstance(body, dict) else []
        return len(spans) >= count, spans if status == 200 else {"status": status, "body": body}

    return await_value("trace %s with %d spans" % (trace_id, count), read)


def test_the_trace_comes_back_with_its_parent_links_tokens_cost_feature_and_a_hashed_user() -> None:
    sent = _sent()
    spans = _trace(sent["stack"], sent["trace_id"], 4)
    by_id = {span["spanId"]: span for span in spans}
    assert set(by_id) == {sent["root"], *sent["spans"].values()}, spans

    root = by_id[sent["root"]]
    assert root["parentSpanId"] is None
    assert root["kind"] == "CHAIN" and root["name"] == "answer-question"
    assert root["decisionId"] == sent["decision_id"], "the decision logged inside the trace names its root span"
    for name, span_id in sent["spans"].items():
        assert by_id[span_id]["parentSpanId"] == sent["root"], name
        assert by_id[span_id]["traceId"] == sent["trace_id"], name

    kinds = {span["kind"]: span for span in spans}
    llm = kinds["LLM"]
    assert llm["model"] == "gpt-4o" and llm["provider"] == "openai"
    assert llm["inputTokens"] == INPUT_TOKENS and llm["outputTokens"] == OUTPUT_TOKENS
    assert Decimal(str(llm["costUsd"])) == EXPECTED_COST, "cost computed at ingest from the built-in price table"
    assert llm["prompt"] == PROMPT and llm["completion"] == ANSWER
    assert llm["status"] == "SUCCESS"
    assert kinds["RETRIEVAL"]["prompt"] == QUESTION
    assert '"returns-policy"' in kinds["RETRIEVAL"]["completion"]
    assert kinds["TOOL"]["toolName"] == "lookup_order"
    assert kinds["TOOL"]["toolResult"] == "delivered 2026-11-20"

    for span in spans:
        assert span["feature"] == FEATURE, span
        assert span["sessionId"] == SESSION, span
        stored_user = span["userId"]
        assert stored_user != USER and re.fullmatch(r"[0-9a-f]{64}", stored_user), "user id stored as its HMAC"
    expected_user = sent["stack"].stored_user_id(USER)
    if expected_user is not None:
        assert {span["userId"] for span in spans} == {expected_user}


def test_the_decision_comes_back_with_its_spans_feedback_and_the_re_evaluation_the_correction_caused() -> None:
    sent = _sent()
    s = sent["stack"]

    def ready(view: Dict[str, Any]) -> bool:
        return (len(view.get("feedback", [])) == 1 and len(view.get("spans", [])) >= 4
                and any(e.get("trigger") == "FEEDBACK" for e in view.get("evals", [])))

    view = await_value("decision %s with its feedback and a FEEDBACK evaluation" % sent["decision_id"],
                       lambda: _decision_view(s, sent["decision_id"], ready))
    decision = view["decision"]
    assert decision["decisionId"] == sent["decision_id"]
    assert decision["traceId"] == sent["trace_id"], "a decision logged inside a trace joins it"
    assert decision["feature"] == FEATURE, "the feature defaults to the trace's"
    assert decision["input"] == QUESTION and decision["output"] == ANSWER
    assert decision["model"] == "gpt-4o" and decision["promptVersion"] == "v7"
    docs = decision["retrievalResults"]
    assert [d["docId"] for d in docs] == ["returns-policy", "shipping"]
    assert [d["score"] for d in docs] == [0.92, 0.4]
    assert all(re.fullmatch(r"[0-9a-f]{64}", d["textHash"]) for d in docs), "texts are only kept as their HMAC"
    assert all("text" not in d or d["text"] is None for d in docs)

    assert {span["spanId"] for span in view["spans"]} == {sent["root"], *sent["spans"].values()}

    feedback = view["feedback"][0]
    assert feedback["feedbackId"] == sent["feedback_id"]
    assert feedback["signal"] == "EDITED"
    assert feedback["correction"] == CORRECTION

    sampled = [e for e in view["evals"] if e["trigger"] == "SAMPLED" and e["evaluator"] == "contains_all"]
    again = [e for e in view["evals"] if e["trigger"] == "FEEDBACK" and e["evaluator"] == "contains_all"]
    assert len(sampled) == 1 and sampled[0]["passed"] is False, view["evals"]
    assert len(again) == 1 and again[0]["passed"] is False, view["evals"]


def test_the_metrics_count_the_call_its_tokens_and_its_cost() -> None:
    sent = _sent()
    s = sent["stack"]
    _trace(s, sent["trace_id"], 4)

    def total(metric: str) -> Any:
        status, body = s.read("/v1/metrics/" + metric, feature=FEATURE)
        if status != 200:
            return {"status": status, "body": body}
        return sum(p["value"] for series in body["series"] for p in series["points"] if p.get("value") is not None)

    def expect(metric: str, value: Any) -> None:
        def read() -> Any:
            seen = total(metric)
            return not isinstance(seen, dict) and abs(seen - float(value)) < 1e-9, seen

        await_value("%s?feature=%s == %s" % (metric, FEATURE, value), read)

    expect("request_count", 1)  # LLM spans only: the retrieval, the tool and the root are not calls
    expect("input_tokens", INPUT_TOKENS)
    expect("output_tokens", OUTPUT_TOKENS)
    expect("cost_usd", EXPECTED_COST)


def test_a_rejected_item_is_counted_and_the_rest_of_its_batch_is_stored() -> None:
    s = stack()
    # one request per kind: nothing is sent before flush()
    client = _client(flush_interval=60)
    good_decision = "py-sdk-it-good-" + RUN
    bad_decision = "py-sdk-it-bad-" + RUN
    try:
        with client.trace("batch-with-a-bad-span", feature=FEATURE + "-rejects") as root:
            with client.llm_call(model="gpt-4o", provider="openai") as bad:
                bad.set(cost_usd=-0.5)  # the collector refuses a negative cost
            with client.tool("ok_tool") as ok:
                ok.set(tool_result="fine")
        client.log_ai_decision(good_decision, feature=FEATURE + "-rejects", trace_id=root.trace_id, output="ok")
        # the collector refuses a negative latency (the SDK leaves judging values to it)
        client.log_ai_decision(bad_decision, feature=FEATURE + "-rejects", trace_id=root.trace_id, output="ok",
                               latency_ms=-5)
        assert client.flush(30), client.stats()
        stats = client.stats()
    finally:
        client.close(5)

    assert stats["rejected"] == 2, stats
    assert stats["sent"] == 3 and stats["failed"] == 0 and stats["requests"] == 2, stats

    spans = _trace(s, root.trace_id, 2)
    assert {span["spanId"] for span in spans} == {root.span_id, ok.span_id}, spans
    view = await_value("decision %s stored" % good_decision, lambda: _decision_view(s, good_decision, bool))
    assert view["decision"]["traceId"] == root.trace_id
    status, _ = s.read("/v1/decisions/" + bad_decision)
    assert status == 404, "the rejected decision was stored"
    assert bad.span_id not in {span["spanId"] for span in spans}
