"""Provider readers, by duck typing: dicts (model_dump(), raw JSON) and attribute objects alike."""

from __future__ import annotations

import json
from types import SimpleNamespace as NS

import pytest

import loupe
from loupe import Span


def span(kind="LLM", model=None):
    s = Span(None, kind, "test", None)
    s.model = model
    return s


CHAT = {
    "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "finish_reason": "length",
                 "message": {"role": "assistant", "content": "partial answer"}}],
    "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160,
              "prompt_tokens_details": {"cached_tokens": 100},
              "completion_tokens_details": {"reasoning_tokens": 12}},
}


def as_objects(value):
    """The SDKs' typed objects; a tool_use block's ``input`` stays a dict there too."""
    if isinstance(value, dict):
        return NS(**{k: v if k == "input" else as_objects(v) for k, v in value.items()})
    if isinstance(value, list):
        return [as_objects(v) for v in value]
    return value


@pytest.mark.parametrize("shape", [lambda d: d, as_objects], ids=["dict", "objects"])
def test_openai_chat_completion(shape):
    s = loupe.record_openai(shape(CHAT), span(model="gpt-4o"))
    assert (s.input_tokens, s.output_tokens, s.cached_input_tokens, s.reasoning_tokens) == (120, 40, 100, 12)
    assert s.model == "gpt-4o-2024-08-06" and s.request_model == "gpt-4o"
    assert s.status == "TRUNCATED" and s.metadata["finishReasons"] == "length"
    assert s.completion == "partial answer"


@pytest.mark.parametrize("shape", [lambda d: d, as_objects], ids=["dict", "objects"])
def test_openai_tool_calls(shape):
    response = {"model": "gpt-4o", "choices": [{"finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": None,
        "tool_calls": [{"id": "call_1", "type": "function",
                        "function": {"name": "lookup", "arguments": "{\"id\": 7}"}}]}}]}
    s = loupe.record_openai(shape(response), span())
    assert s.status is None  # a normal stop
    assert json.loads(s.completion) == [{"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "name": "lookup", "arguments": "{\"id\": 7}"}]}]


@pytest.mark.parametrize("shape", [lambda d: d, as_objects], ids=["dict", "objects"])
def test_openai_responses_api(shape):
    response = {"object": "response", "model": "o4-mini", "status": "incomplete",
                "incomplete_details": {"reason": "max_output_tokens"}, "output": [], "output_text": "cut",
                "usage": {"input_tokens": 50, "output_tokens": 20, "input_tokens_details": {"cached_tokens": 8},
                          "output_tokens_details": {"reasoning_tokens": 15}}}
    s = loupe.record_openai(shape(response), span())
    assert (s.input_tokens, s.output_tokens, s.cached_input_tokens, s.reasoning_tokens) == (50, 20, 8, 15)
    assert s.status == "TRUNCATED" and s.completion == "cut"


def test_openai_responses_api_failed():
    s = loupe.record_openai({"output": [], "status": "failed",
                             "error": {"code": "server_error", "message": "oops"}}, span())
    assert (s.status, s.error_type, s.error_message) == ("ERROR", "server_error", "oops")


@pytest.mark.parametrize("shape", [lambda d: d, as_objects], ids=["dict", "objects"])
def test_anthropic(shape):
    response = {"id": "msg_1", "type": "message", "model": "claude-sonnet-4-5", "stop_reason": "max_tokens",
                "content": [{"type": "text", "text": "Hello"},
                            {"type": "tool_use", "id": "tu_1", "name": "search", "input": {"q": "x"}}],
                "usage": {"input_tokens": 10, "output_tokens": 30, "cache_read_input_tokens": 200,
                          "cache_creation_input_tokens": 50}}
    s = loupe.record_anthropic(shape(response), span())
    assert s.input_tokens == 260  # 10 + 200 read + 50 written
    assert (s.output_tokens, s.cached_input_tokens, s.cache_write_input_tokens) == (30, 200, 50)
    assert s.status == "TRUNCATED" and s.model == "claude-sonnet-4-5"
    message, = json.loads(s.completion)
    assert message["content"] == "Hello" and message["tool_calls"][0]["name"] == "search"
    assert json.loads(message["tool_calls"][0]["arguments"]) == {"q": "x"}


def test_anthropic_text_only_and_end_turn():
    s = loupe.record_anthropic({"stop_reason": "end_turn", "content": [{"type": "text", "text": "a"},
                                                                        {"type": "text", "text": "b"}],
                                "usage": {"input_tokens": 3, "output_tokens": 4}}, span())
    assert s.status is None and s.completion == "a\nb" and s.input_tokens == 3 and s.cached_input_tokens is None


def test_litellm_shape_with_anthropic_cache_counts():
    response = as_objects({"model": "anthropic/claude-3-5-haiku", "choices": [
        {"finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
        "usage": {"prompt_tokens": 300, "completion_tokens": 5, "prompt_tokens_details": None,
                  "cache_read_input_tokens": 250, "cache_creation_input_tokens": 20}})
    s = loupe.record_litellm(response, span())
    assert (s.input_tokens, s.output_tokens, s.cached_input_tokens, s.cache_write_input_tokens) == (300, 5, 250, 20)
    assert s.completion == "ok"


def test_record_response_dispatches_by_shape():
    assert loupe.record_response(CHAT, span()).input_tokens == 120
    anthropic = loupe.record_response({"type": "message", "usage": {"input_tokens": 1, "output_tokens": 2}},
                                      span())
    assert anthropic.input_tokens == 1 and anthropic.output_tokens == 2
    other = loupe.record_response({"something": "else"}, span())
    assert other.input_tokens is None and other.completion is None


def test_readers_use_the_current_span_and_never_raise(collector, client):
    class Exploding:
        @property
        def usage(self):
            raise RuntimeError("nope")

        model = "m"
        choices = None

    assert loupe.record_openai(CHAT) is None  # no current span: nothing to fill
    with client.llm_call(model="gpt-4o") as call:
        assert loupe.record_openai(CHAT) is call
        loupe.record_openai(Exploding())
        loupe.record_anthropic(42)
        loupe.record_openai(None)
    client.flush(3)
    sent, = collector.items()
    assert sent["inputTokens"] == 120 and sent["status"] == "TRUNCATED" and sent["requestModel"] == "gpt-4o"


def test_a_decorated_llm_function_records_its_response(collector, client):
    @client.llm_call(model="gpt-4o", provider="openai")
    def complete():
        return CHAT

    assert complete() is CHAT
    client.flush(3)
    sent, = collector.items()
    assert sent["outputTokens"] == 40 and sent["completion"] == "partial answer"
