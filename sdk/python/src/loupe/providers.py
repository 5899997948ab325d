"""Readers for provider responses, by duck typing: nothing here imports ``openai``, ``anthropic`` or ``litellm``.

Each takes the response object (or its ``dict`` form, e.g. ``response.model_dump()`` or a raw JSON body) and a
span, and fills what the response says: model, token usage (with cached, cache-write and reasoning tokens),
finish reason (``length`` / ``max_tokens`` → truncated), the completion text and tool calls. A field the response
lacks is left as it was; nothing raises.
"""

from __future__ import annotations

import json
import logging
from typing import Any, List, Optional

from . import _span
from ._span import Span

__all__ = ["record_openai", "record_anthropic", "record_litellm", "record_response"]

LOG = logging.getLogger("loupe")


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    try:
        return getattr(obj, name, None)
    except Exception:  # noqa: BLE001 - a property that raises is a missing field here
        return None


def _int(value: Any) -> Optional[int]:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _target(call: Optional[Span]) -> Optional[Span]:
    if call is not None:
        return call
    current = _span.current()
    return current if isinstance(current, Span) else None


def _model(span: Span, response: Any) -> None:
    model = _get(response, "model")
    if isinstance(model, str) and model:
        if span.model and span.model != model and span.request_model is None:
            span.request_model = span.model  # the model asked for; the provider answered with its dated name
        span.model = model


def _finish_reasons(span: Span, reasons: List[str]) -> None:
    reasons = [r for r in dict.fromkeys(reasons) if r]
    if not reasons:
        return
    span.tag("finishReasons", ",".join(reasons))
    if any(r in ("length", "max_tokens", "max_output_tokens") for r in reasons) and span.status != "ERROR":
        span.truncated()


def record_openai(response: Any, call: Optional[Span] = None) -> Optional[Span]:
    """An OpenAI Chat Completions or Responses API result (also Azure OpenAI, and OpenAI-compatible servers).

    ``call`` defaults to the current span. Returns the span filled, or None when there was none.
    """
    span = _target(call)
    if span is None or response is None or span.ended:  # an ended span is already on its way
        return span
    try:
        _model(span, response)
        usage = _get(response, "usage")
        if usage is not None:
            prompt = _int(_get(usage, "prompt_tokens"))
            if prompt is None:
                prompt = _int(_get(usage, "input_tokens"))  # Responses API
            completion = _int(_get(usage, "completion_tokens"))
            if completion is None:
                completion = _int(_get(usage, "output_tokens"))
            details = _get(usage, "prompt_tokens_details") or _get(usage, "input_tokens_details")
            cached = _int(_get(details, "cached_tokens"))
            out_details = _get(usage, "completion_tokens_details") or _get(usage, "output_tokens_details")
            reasoning = _int(_get(out_details, "reasoning_tokens"))
            # LiteLLM passes Anthropic's cache counts through on an OpenAI-shaped usage
            cache_write = _int(_get(usage, "cache_creation_input_tokens"))
            if cached is None:
                cached = _int(_get(usage, "cache_read_input_tokens"))
            span.usage(input_tokens=prompt, output_tokens=completion, cached_input_tokens=cached,
                       reasoning_tokens=reasoning, cache_write_input_tokens=cache_write)
        choices = _get(response, "choices")
        if choices:
            reasons = []
            texts = []
            tool_calls = []
            for choice in choices:
                reasons.append(_get(choice, "finish_reason"))
                message = _get(choice, "message")
                content = _get(message, "content")
                if isinstance(content, str):
                    texts.append(content)
                for tool_call in _get(message, "tool_calls") or ():
                    function = _get(tool_call, "function")
                    tool_calls.append({"id": _get(tool_call, "id"), "name": _get(function, "name"),
                                       "arguments": _get(function, "arguments")})
            _finish_reasons(span, [r for r in reasons if isinstance(r, str)])
            if span.completion is None:
                if tool_calls:
                    span.output([{"role": "assistant", "content": "\n".join(texts) or None,
                                  "tool_calls": tool_calls}])
                elif texts:
                    span.output("\n".join(texts))
        else:
            status = _get(response, "status")  # Responses API
            if status == "incomplete":
                details = _get(response, "incomplete_details")
                _finish_reasons(span, [str(_get(details, "reason") or "max_output_tokens")])
            elif status == "failed":
                error = _get(response, "error")
                span.error(str(_get(error, "code") or "ResponseFailed"), _get(error, "message"))
            text = _get(response, "output_text")
            if isinstance(text, str) and text and span.completion is None:
                span.output(text)
    except Exception:  # noqa: BLE001 - never raise into the app
        LOG.debug("loupe: could not read an OpenAI-shaped response", exc_info=True)
    return span


def record_anthropic(response: Any, call: Optional[Span] = None) -> Optional[Span]:
    """An Anthropic Messages API result. Its ``input_tokens`` leaves the cache out; Loupe's input count includes
    cache reads and writes (as OpenAI counts), so they are added."""
    span = _target(call)
    if span is None or response is None or span.ended:  # an ended span is already on its way
        return span
    try:
        _model(span, response)
        usage = _get(response, "usage")
        if usage is not None:
            raw_input = _int(_get(usage, "input_tokens"))
            cache_read = _int(_get(usage, "cache_read_input_tokens"))
            cache_write = _int(_get(usage, "cache_creation_input_tokens"))
            total = None if raw_input is None else raw_input + (cache_read or 0) + (cache_write or 0)
            span.usage(input_tokens=total, output_tokens=_int(_get(usage, "output_tokens")),
                       cached_input_tokens=cache_read, cache_write_input_tokens=cache_write)
        stop = _get(response, "stop_reason")
        if isinstance(stop, str):
            _finish_reasons(span, [stop])
        content = _get(response, "content")
        if content and span.completion is None:
            texts = []
            tools = []
            for block in content:
                kind = _get(block, "type")
                if kind == "text":
                    texts.append(str(_get(block, "text") or ""))
                elif kind == "tool_use":
                    tools.append({"id": _get(block, "id"), "name": _get(block, "name"),
                                  "arguments": json.dumps(_get(block, "input"), default=str)})
            if tools:
                span.output([{"role": "assistant", "content": "\n".join(texts) or None, "tool_calls": tools}])
            elif texts:
                span.output("\n".join(texts))
    except Exception:  # noqa: BLE001
        LOG.debug("loupe: could not read an Anthropic-shaped response", exc_info=True)
    return span


def record_litellm(response: Any, call: Optional[Span] = None) -> Optional[Span]:
    """A LiteLLM ``completion()`` result: OpenAI-shaped, with Anthropic's cache counts when it passed them on."""
    return record_openai(response, call)


def record_response(response: Any, call: Optional[Span] = None) -> Optional[Span]:
    """Whichever of the above the response looks like: ``choices`` or ``output`` → OpenAI, ``stop_reason`` or
    ``type == "message"`` → Anthropic. Anything else leaves the span as it was."""
    if _get(response, "choices") is not None or _get(response, "output") is not None:
        return record_openai(response, call)
    if _get(response, "stop_reason") is not None or _get(response, "type") == "message":
        return record_anthropic(response, call)
    return _target(call)
