"""Loupe's Python SDK: trace LLM calls, log AI decisions, capture user feedback.

The module-level functions use a default client configured from the environment (``LOUPE_API_KEY``,
``LOUPE_PUBLIC_KEY``, ``LOUPE_COLLECTOR_URL``, ``LOUPE_FEEDBACK_URL``…, see :class:`Config`) when first used;
:func:`configure` sets it explicitly. ``LOUPE_DISABLED=1`` turns everything into no-ops that still work.

    import loupe

    with loupe.trace("answer", feature="support-rag", user_id=user):
        with loupe.llm_call(model="gpt-4o", provider="openai") as call:
            response = client.chat.completions.create(...)
            loupe.record_openai(response, call)
        decision_id = loupe.log_ai_decision(input=question, output=answer, retrieval_results=docs)
    ...
    loupe.capture_feedback(decision_id, "edited", correction="…")
"""

from __future__ import annotations

import threading
from typing import Any, Dict, Iterable, Mapping, Optional, Union

from . import _client, _ids, _span
from ._client import FeedbackSignal, Loupe
from ._config import Config
from ._span import Span, SpanScope, run_in_context
from ._version import __version__
from .errors import LoupeConfigError, LoupeError, LoupeRejected, LoupeUnavailable
from .providers import record_anthropic, record_litellm, record_openai, record_response

__all__ = [
    "Loupe", "Config", "Span", "SpanScope", "FeedbackSignal",
    "LoupeError", "LoupeConfigError", "LoupeRejected", "LoupeUnavailable",
    "configure", "get_client",
    "llm_call", "trace", "retrieval", "tool", "span", "log_ai_decision", "capture_feedback", "acapture_feedback",
    "flush", "close", "stats",
    "current_span", "current_trace_id", "current_traceparent", "run_in_context",
    "record_openai", "record_anthropic", "record_litellm", "record_response",
    "__version__",
]

_default: Optional[Loupe] = None
_default_lock = threading.Lock()


def configure(api_key: Optional[str] = None, **settings: Any) -> Loupe:
    """Sets the default client (closing the previous one) and returns it; parameters as :class:`Loupe`.
    Raises :class:`LoupeConfigError` on a malformed setting."""
    global _default
    client = Loupe(api_key, **settings)
    with _default_lock:
        previous, _default = _default, client
    if previous is not None:
        previous.close()
    return client


def get_client() -> Loupe:
    """The default client, created from the environment on first use. A malformed environment is logged and
    gives a disabled client: the telemetry path never raises."""
    global _default
    client = _default
    if client is not None:
        return client
    with _default_lock:
        if _default is None:
            try:
                _default = Loupe()
            except LoupeConfigError as e:
                import logging

                logging.getLogger("loupe").error("loupe: %s; telemetry is disabled", e)
                _default = Loupe(disabled=True, environ={})
        return _default


def llm_call(feature: Optional[str] = None, model: Optional[str] = None, provider: Optional[str] = None,
             **options: Any) -> SpanScope:
    """See :meth:`Loupe.llm_call`."""
    name = options.pop("name", None)
    return _client.llm_scope(None, feature, model, provider, name, options)


def trace(name: str, feature: Optional[str] = None, **options: Any) -> SpanScope:
    """See :meth:`Loupe.trace`."""
    kind = options.pop("kind", "CHAIN")
    return _client.trace_scope(None, name, feature, kind, options)


def retrieval(name: str = "retrieve", **options: Any) -> SpanScope:
    """See :meth:`Loupe.retrieval`."""
    query = options.pop("query", None)
    return _client.retrieval_scope(None, name, query, options)


def tool(name: str, **options: Any) -> SpanScope:
    """See :meth:`Loupe.tool`."""
    arguments = options.pop("arguments", None)
    return _client.tool_scope(None, name, arguments, options)


def span(kind: str, name: str, **options: Any) -> SpanScope:
    """See :meth:`Loupe.span`."""
    return SpanScope(None, _client._kind(kind), name, options)


def log_ai_decision(decision_id: Optional[str] = None, feature: Optional[str] = None, input: Any = None,  # noqa: A002
                    retrieval_results: Optional[Iterable[Any]] = None, **fields: Any) -> str:
    """See :meth:`Loupe.log_ai_decision`."""
    return get_client().log_ai_decision(decision_id, feature, input, retrieval_results, **fields)


def capture_feedback(decision_id: str, signal: Union[str, FeedbackSignal], correction: Optional[str] = None,
                     feedback_text: Optional[str] = None, idempotency_key: Optional[str] = None,
                     **options: Any) -> Optional[str]:
    """See :meth:`Loupe.capture_feedback`."""
    return get_client().capture_feedback(decision_id, signal, correction, feedback_text, idempotency_key, **options)


async def acapture_feedback(decision_id: str, signal: Union[str, FeedbackSignal], correction: Optional[str] = None,
                            feedback_text: Optional[str] = None, idempotency_key: Optional[str] = None,
                            **options: Any) -> Optional[str]:
    """See :meth:`Loupe.acapture_feedback`."""
    return await get_client().acapture_feedback(decision_id, signal, correction, feedback_text, idempotency_key,
                                                **options)


def flush(timeout: Optional[float] = None) -> bool:
    """See :meth:`Loupe.flush`."""
    return get_client().flush(timeout)


def close(timeout: Optional[float] = None) -> bool:
    """See :meth:`Loupe.close`."""
    return get_client().close(timeout)


def stats() -> Dict[str, int]:
    """See :meth:`Loupe.stats`."""
    return get_client().stats()


def current_span() -> Optional[Span]:
    """The span the caller is inside (in this thread or asyncio task), or None."""
    current = _span.current()
    return current if isinstance(current, Span) else None


def current_trace_id() -> Optional[str]:
    """The current trace's id (32 hex characters), to propagate or to log; None outside a trace."""
    current = _span.current()
    return None if current is None else current.trace_id


def current_traceparent() -> Optional[str]:
    """The current span as a W3C ``traceparent`` header value, for calls to other services; None outside a trace."""
    current = _span.current()
    if current is None or current.span_id is None:
        return None
    return _ids.format_traceparent(current.trace_id, current.span_id, current.sampled)


