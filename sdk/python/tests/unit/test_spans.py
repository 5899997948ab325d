"""Spans: nesting through contextvars (threads, asyncio), decorators, errors, joining traces, sampling."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import loupe
from loupe import _ids


def by_name(collector):
    return {s["name"]: s for s in collector.items()}


def test_llm_call_inside_a_trace_inherits_ids_feature_user_and_session(collector, client):
    with client.trace("answer", feature="support-rag", user_id="u-1", session_id="s-1") as parent:
        with client.llm_call(model="gpt-4o", provider="openai") as call:
            assert call.trace_id == parent.trace_id
            assert loupe.current_span() is call
        assert loupe.current_span() is parent
    assert loupe.current_span() is None
    client.flush(3)
    spans = by_name(collector)
    root, llm = spans["answer"], spans["openai gpt-4o"]
    assert root["kind"] == "CHAIN" and "parentSpanId" not in root
    assert llm["kind"] == "LLM" and llm["model"] == "gpt-4o" and llm["provider"] == "openai"
    assert llm["traceId"] == root["traceId"] and llm["parentSpanId"] == root["spanId"]
    assert llm["feature"] == "support-rag" and llm["userId"] == "u-1" and llm["sessionId"] == "s-1"
    assert _ids.valid_trace_id(root["traceId"]) and _ids.valid_span_id(root["spanId"])
    assert root["startTime"].endswith("Z") and len(root["startTime"]) == len("2026-01-01T00:00:00.000000Z")
    assert root["status"] == "SUCCESS" and root["latencyMs"] >= 0


def test_asyncio_tasks_keep_their_own_traces(collector, client):
    async def work(n):
        async with client.trace(f"root-{n}"):
            await asyncio.sleep(0.01 * (3 - n))
            with client.llm_call(name=f"child-{n}"):
                await asyncio.sleep(0.01)

    async def main():
        await asyncio.gather(*(work(n) for n in range(3)))

    asyncio.run(main())
    client.flush(3)
    spans = by_name(collector)
    for n in range(3):
        root, child = spans[f"root-{n}"], spans[f"child-{n}"]
        assert child["parentSpanId"] == root["spanId"] and child["traceId"] == root["traceId"]
    assert len({spans[f"root-{n}"]["traceId"] for n in range(3)}) == 3


def test_threads_keep_their_own_traces(collector, client):
    barrier = threading.Barrier(3)

    def work(n):
        with client.trace(f"root-{n}"):
            barrier.wait(2)
            with client.tool(f"child-{n}"):
                pass

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client.flush(3)
    spans = by_name(collector)
    for n in range(3):
        assert spans[f"child-{n}"]["parentSpanId"] == spans[f"root-{n}"]["spanId"]
    assert len({spans[f"root-{n}"]["traceId"] for n in range(3)}) == 3


def test_a_plain_thread_starts_outside_the_trace_and_run_in_context_carries_it(collector, client):
    seen = {}
    with client.trace("parent") as parent:
        plain = threading.Thread(target=lambda: seen.update(plain=loupe.current_trace_id()))
        plain.start()
        plain.join()

        def child():
            with client.llm_call(name="in-pool"):
                return loupe.current_trace_id()

        with ThreadPoolExecutor(2) as pool:
            carried = pool.submit(loupe.run_in_context(child)).result()
    assert seen["plain"] is None
    assert carried == parent.trace_id
    client.flush(3)
    assert by_name(collector)["in-pool"]["parentSpanId"] == parent.span_id


def test_decorators_on_sync_and_async_functions(collector, client):
    @client.llm_call(model="m", provider="p")
    def ask(question):
        return f"answer to {question}"

    @client.llm_call(name="async-ask")
    async def aask(question):
        await asyncio.sleep(0)
        return f"async answer to {question}"

    assert ask("a") == "answer to a"
    assert ask("b") == "answer to b"
    assert asyncio.run(aask("c")) == "async answer to c"
    assert ask.__name__ == "ask"
    client.flush(3)
    spans = collector.items()
    assert sorted(s["completion"] for s in spans) == ["answer to a", "answer to b", "async answer to c"]
    assert len({s["spanId"] for s in spans}) == 3  # one span per call
    assert len({s["traceId"] for s in spans}) == 3
    assert {s["name"] for s in spans} == {"p m", "async-ask"}


def test_decorator_without_a_name_uses_the_function_and_nests(collector, client):
    @client.trace("outer")
    def outer():
        return inner(2)

    @client.tool("lookup")
    def inner(x, scale=10):
        return {"value": x * scale}

    assert outer() == {"value": 20}
    client.flush(3)
    spans = by_name(collector)
    tool = spans["lookup"]
    assert tool["kind"] == "TOOL" and tool["toolName"] == "lookup"
    assert tool["parentSpanId"] == spans["outer"]["spanId"]
    import json

    assert json.loads(tool["toolArguments"]) == {"x": 2}
    assert json.loads(tool["toolResult"]) == {"value": 20}


def test_async_tool_decorator_records_arguments_and_result(collector, client):
    @client.tool("search")
    async def search(query, limit=3):
        return [query] * limit

    assert asyncio.run(search("q", limit=2)) == ["q", "q"]
    client.flush(3)
    span, = collector.items()
    assert span["toolArguments"] == '{"query": "q", "limit": 2}'
    assert span["toolResult"] == '["q", "q"]'


def test_an_exception_is_recorded_and_reraised(collector, client):
    with pytest.raises(KeyError):
        with client.llm_call(name="fails"):
            raise KeyError("missing")

    @client.trace("decorated")
    def boom():
        raise ValueError("bad value")

    @client.llm_call(name="async-fails")
    async def aboom():
        raise RuntimeError("async bad")

    with pytest.raises(ValueError, match="bad value"):
        boom()
    with pytest.raises(RuntimeError, match="async bad"):
        asyncio.run(aboom())
    client.flush(3)
    spans = by_name(collector)
    assert (spans["fails"]["status"], spans["fails"]["errorType"]) == ("ERROR", "KeyError")
    assert spans["fails"]["errorMessage"] == "'missing'"
    assert (spans["decorated"]["errorType"], spans["decorated"]["errorMessage"]) == ("ValueError", "bad value")
    assert (spans["async-fails"]["errorType"], spans["async-fails"]["errorMessage"]) == ("RuntimeError", "async bad")
    assert loupe.current_span() is None


def test_traceparent_joins_a_remote_trace(collector, client):
    trace_id, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    with client.trace("server", traceparent=f"00-{trace_id}-{parent}-01") as span:
        assert loupe.current_trace_id() == trace_id
        header = loupe.current_traceparent()
        assert header == f"00-{trace_id}-{span.span_id}-01"
        assert span.traceparent == header
    assert loupe.current_trace_id() is None and loupe.current_traceparent() is None
    client.flush(3)
    sent, = collector.items()
    assert sent["traceId"] == trace_id and sent["parentSpanId"] == parent


def test_trace_id_joins_and_upper_case_is_normalised(collector, client):
    trace_id = "ABCDEF0123456789ABCDEF0123456789"
    with client.llm_call(name="joined", trace_id=trace_id, parent_span_id="00F067AA0BA902B7"):
        pass
    with client.llm_call(name="no-parent", trace_id=trace_id.lower()):
        pass
    client.flush(3)
    spans = by_name(collector)
    assert spans["joined"]["traceId"] == trace_id.lower()
    assert spans["joined"]["parentSpanId"] == "00f067aa0ba902b7"
    assert spans["no-parent"]["traceId"] == trace_id.lower() and "parentSpanId" not in spans["no-parent"]


@pytest.mark.parametrize("header", [
    "garbage", "00-0000000000000000000000000000000-00f067aa0ba902b7-01", "ff-" + "a" * 32 + "-" + "b" * 16 + "-01",
    "00-" + "0" * 32 + "-" + "b" * 16 + "-01", "00-" + "a" * 32 + "-" + "0" * 16 + "-01", 42,
])
def test_a_malformed_traceparent_is_ignored(collector, client, header):
    with client.trace("outer") as outer:
        with client.llm_call(name="inner", traceparent=header) as inner:
            pass
    assert inner.trace_id == outer.trace_id and inner.parent_span_id == outer.span_id
    client.flush(3)
    assert len(collector.items()) == 2


def test_an_unsampled_traceparent_is_honoured_only_through_the_sampler(collector, client):
    # sampling decides from the trace id, not the caller's flag: sample_rate 1 keeps it
    with client.trace("t", traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-00"):
        pass
    client.flush(3)
    assert len(collector.items()) == 1


def test_sample_rate_zero_sends_nothing_and_counts(collector, make_client):
    client = make_client(sample_rate=0.0)
    with client.trace("t"):
        with client.llm_call(name="c"):
            pass
    with client.llm_call(name="lone"):
        pass
    client.log_ai_decision(input="decisions are not sampled")
    client.flush(3)
    assert collector.items() == []
    assert len(collector.items("/v1/decisions")) == 1
    stats = client.stats()
    assert stats["sampled_out"] == 3 and stats["enqueued"] == 1


def test_a_trace_is_all_in_or_all_out(collector, make_client):
    client = make_client(sample_rate=0.5)
    for n in range(60):
        with client.trace(f"t{n}"):
            with client.llm_call(name=f"a{n}"):
                pass
            with client.tool(f"b{n}"):
                pass
    client.flush(3)
    per_trace = {}
    for span in collector.items():
        per_trace.setdefault(span["traceId"], []).append(span)
    assert all(len(spans) == 3 for spans in per_trace.values())
    kept = len(per_trace)
    assert 5 < kept < 55  # about half (binomial, p of failing far below 1e-9)
    assert client.stats()["sampled_out"] == 3 * (60 - kept)


def test_span_setters_and_odd_values(collector, client):
    with client.llm_call(model="m", metadata={"k": 1, "s": "v"}, prompt=[{"role": "user", "content": "hi"}]) as s:
        s.usage(input_tokens=10, output_tokens=-1, cached_input_tokens="x", reasoning_tokens=3)
        s.set(cost_usd=0.25, nonsense=1).tag("env", "test").attribute("n", 2)
        s.output("done", parsed_output={"ok": True})
        s.first_token()
    # "after the span ended, changes are ignored": it waits in the queue, encoded later on the sender thread
    s.set(model="after-end").usage(input_tokens=99).tag("late", "x").error("Late", "too late").output("changed")
    client.flush(3)
    span, = collector.items()
    assert span["model"] == "m" and span["status"] == "SUCCESS" and "late" not in span["metadata"]
    assert span["inputTokens"] == 10 and "outputTokens" not in span and "cachedInputTokens" not in span
    assert span["reasoningTokens"] == 3 and span["costUsd"] == 0.25
    assert span["metadata"] == {"k": "1", "s": "v", "env": "test"}
    assert span["attributes"] == {"n": 2}
    assert span["prompt"] == '[{"role": "user", "content": "hi"}]'
    assert span["completion"] == "done" and span["parsedOutput"] == {"ok": True}
    assert span["timeToFirstTokenMs"] >= 0
