"""Spans and their nesting: a ContextVar holds the current span, so threads and asyncio tasks each keep theirs."""

from __future__ import annotations

import contextvars
import functools
import inspect
import json
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, TypeVar, Union

from . import _ids

if TYPE_CHECKING:  # pragma: no cover
    from ._client import Loupe

__all__ = ["Span", "SpanScope", "RemoteParent", "run_in_context", "current", "KINDS", "STATUSES"]

F = TypeVar("F", bound=Callable[..., Any])

KINDS = ("LLM", "RETRIEVAL", "TOOL", "EMBEDDING", "AGENT", "CHAIN", "OTHER")
STATUSES = ("SUCCESS", "ERROR", "TRUNCATED")


class RemoteParent:
    """A parent from elsewhere (a ``traceparent`` header, or ids the app holds): the trace to join."""

    __slots__ = ("trace_id", "span_id", "sampled", "feature", "user_id", "session_id", "decision_id")

    def __init__(self, trace_id: str, span_id: Optional[str], sampled: bool) -> None:
        self.trace_id = trace_id
        self.span_id = span_id
        self.sampled = sampled
        self.feature = None
        self.user_id = None
        self.session_id = None
        self.decision_id = None


_CURRENT: "contextvars.ContextVar[Optional[Union[Span, RemoteParent]]]" = contextvars.ContextVar(
    "loupe_current_span", default=None
)


def current() -> "Optional[Union[Span, RemoteParent]]":
    return _CURRENT.get()


def _text(value: Any) -> Optional[str]:
    """Text as given; message lists and other structures as JSON (the collector stores prompts as text)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def _count(name: str, value: Any) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


class Span:
    """One unit of work: an LLM call, a retrieval, a tool call or a parent step (the shape of ``LLMCallSpan``).

    The methods return the span, so calls chain; after the span ended, changes are ignored. Nothing here raises
    on odd values: a negative or non-numeric token count is left out rather than failing the app.
    """

    __slots__ = (
        "_client", "trace_id", "span_id", "parent_span_id", "kind", "name", "provider", "model", "request_model",
        "start_ns", "_t0", "latency_ns", "ttft_ns", "input_tokens", "output_tokens", "cached_input_tokens",
        "cache_write_input_tokens", "reasoning_tokens", "cost_usd", "prompt", "completion", "parsed_output",
        "parse_error", "status", "error_type", "error_message", "feature", "session_id", "user_id",
        "decision_id", "tool_name", "tool_arguments", "tool_result", "metadata", "attributes", "sampled",
        "ended",
    )

    def __init__(self, client: "Optional[Loupe]", kind: str, name: Optional[str], parent: Any) -> None:
        self._client = client
        self.kind = kind
        self.name = name
        if parent is not None:
            self.trace_id = parent.trace_id
            self.parent_span_id = parent.span_id
            self.sampled = parent.sampled
            self.feature = parent.feature
            self.user_id = parent.user_id
            self.session_id = parent.session_id
            self.decision_id = parent.decision_id
        else:
            self.trace_id = _ids.new_trace_id()
            self.parent_span_id = None
            self.sampled = client._sample(self.trace_id) if client is not None else False
            self.feature = self.user_id = self.session_id = self.decision_id = None
        self.span_id = _ids.new_span_id()
        self.provider = self.model = self.request_model = None
        self.latency_ns = self.ttft_ns = None
        self.input_tokens = self.output_tokens = self.cached_input_tokens = None
        self.cache_write_input_tokens = self.reasoning_tokens = None
        self.cost_usd = None
        self.prompt = self.completion = None
        self.parsed_output = _UNSET
        self.parse_error = self.status = self.error_type = self.error_message = None
        self.tool_name = self.tool_arguments = self.tool_result = None
        self.metadata = None
        self.attributes = None
        self.ended = False
        self.start_ns = time.time_ns()
        self._t0 = time.perf_counter_ns()

    # -- what happened ---------------------------------------------------------------------------------------

    def usage(
        self,
        input_tokens: Optional[int] = None,
        output_tokens: Optional[int] = None,
        cached_input_tokens: Optional[int] = None,
        reasoning_tokens: Optional[int] = None,
        cache_write_input_tokens: Optional[int] = None,
    ) -> "Span":
        """Token counts. ``input_tokens`` includes the cached and cache-write tokens (as OpenAI counts them)."""
        if self.ended:
            return self
        if input_tokens is not None:
            self.input_tokens = _count("input_tokens", input_tokens)
        if output_tokens is not None:
            self.output_tokens = _count("output_tokens", output_tokens)
        if cached_input_tokens is not None:
            self.cached_input_tokens = _count("cached_input_tokens", cached_input_tokens)
        if reasoning_tokens is not None:
            self.reasoning_tokens = _count("reasoning_tokens", reasoning_tokens)
        if cache_write_input_tokens is not None:
            self.cache_write_input_tokens = _count("cache_write_input_tokens", cache_write_input_tokens)
        return self

    def input(self, prompt: Any) -> "Span":
        """The prompt: text, or a message list (``[{"role": "user", "content": "…"}]``) kept as JSON."""
        if self.ended:
            return self
        self.prompt = _text(prompt)
        return self

    def output(self, completion: Any, parsed_output: Any = None) -> "Span":
        """The completion (text or messages), and optionally what the app parsed out of it (any JSON value)."""
        if self.ended:
            return self
        self.completion = _text(completion)
        if parsed_output is not None:
            self.parsed_output = parsed_output
        return self

    def parsed(self, value: Any = None, error: Optional[str] = None) -> "Span":
        """The structured output the app parsed, or why parsing failed."""
        if self.ended:
            return self
        if value is not None:
            self.parsed_output = value
        if error is not None:
            self.parse_error = str(error)
        return self

    def documents(self, results: Any) -> "Span":
        """What a retrieval returned (``[{"doc_id", "score", "text"}]``): ids and scores are kept as the span's
        completion; texts are left out here (a decision's retrieved texts are only hashed)."""
        if self.ended:
            return self
        from . import _wire  # imports this module

        try:
            docs = [{k: v for k, v in entry.items() if k in ("docId", "score")}
                    for entry in _wire.retrieval_results(results or ()) or ()]
        except TypeError:  # not iterable
            return self
        self.completion = _text(docs)
        self.attribute("retrievedDocuments", len(docs))
        return self

    def truncated(self) -> "Span":
        """The model stopped at its token limit (finish reason ``length`` / ``max_tokens``)."""
        if self.ended:
            return self
        self.status = "TRUNCATED"
        return self

    def success(self) -> "Span":
        if self.ended:
            return self
        self.status = "SUCCESS"
        return self

    def error(self, error: Union[BaseException, str], message: Optional[str] = None) -> "Span":
        """Marks the span failed: an exception (its type and message), or a type name and a message."""
        if self.ended:
            return self
        self.status = "ERROR"
        if isinstance(error, BaseException):
            self.error_type = type(error).__name__
            self.error_message = message if message is not None else str(error)
        else:
            self.error_type = str(error)
            self.error_message = message
        return self

    def first_token(self) -> "Span":
        """Call when the first streamed token arrives: records the time to first token."""
        if self.ended:
            return self
        if self.ttft_ns is None:
            self.ttft_ns = time.perf_counter_ns() - self._t0
        return self

    def set(self, **fields: Any) -> "Span":
        """Sets fields by name: model, provider, request_model, name, feature, user_id, session_id, decision_id,
        cost_usd, tool_name, tool_arguments, tool_result. Unknown names are ignored (with a debug log)."""
        if self.ended:
            return self
        for name, value in fields.items():
            if name in _SETTABLE:
                setattr(self, name, _text(value) if name in ("tool_arguments", "tool_result") else value)
            elif self._client is not None:
                self._client._debug_once(f"Span.set: unknown field {name}")
        return self

    def tag(self, key: str, value: Any) -> "Span":
        """A metadata entry (text); tags are searchable and shown with the span."""
        if self.ended:
            return self
        if self.metadata is None:
            self.metadata = {}
        self.metadata[str(key)] = value if isinstance(value, str) else _text(value)
        return self

    def attribute(self, key: str, value: Any) -> "Span":
        """A free attribute (any JSON value), kept with the span as given."""
        if self.ended:
            return self
        if self.attributes is None:
            self.attributes = {}
        self.attributes[str(key)] = value
        return self

    def end(self) -> None:
        """Ends the span now and hands it to the background sender (``with`` blocks do this for you)."""
        if self.ended:
            return
        self.ended = True
        self.latency_ns = time.perf_counter_ns() - self._t0
        if self._client is not None:
            self._client._finish(self)

    # -- ids ---------------------------------------------------------------------------------------------------

    @property
    def traceparent(self) -> str:
        """This span as a W3C ``traceparent``, to pass to another service."""
        return _ids.format_traceparent(self.trace_id, self.span_id, self.sampled)

    def __repr__(self) -> str:
        return f"Span(kind={self.kind}, name={self.name!r}, trace_id={self.trace_id}, span_id={self.span_id})"


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()

_SETTABLE = frozenset(
    ("model", "provider", "request_model", "name", "feature", "user_id", "session_id", "decision_id", "cost_usd",
     "tool_name", "tool_arguments", "tool_result")
)

# the options every scope takes, applied to the span when it starts
_OPTIONS = frozenset(
    ("feature", "model", "provider", "request_model", "user_id", "session_id", "decision_id", "tool_name",
     "tool_arguments", "prompt", "prompt_template", "prompt_version", "metadata", "tags", "traceparent",
     "trace_id", "parent_span_id", "capture")
)


_get_client: "Optional[Callable[[], Loupe]]" = None


def default_client() -> "Loupe":
    """The module-level default client (``loupe.get_client()``)."""
    global _get_client
    if _get_client is None:
        from . import get_client

        _get_client = get_client
    return _get_client()


class SpanScope:
    """What ``llm_call``, ``trace``, ``retrieval`` and ``tool`` return: a context manager (``with``, ``async with``)
    that yields the started :class:`Span`, and a decorator for plain and ``async`` functions (one span per call)."""

    __slots__ = ("_client", "_kind", "_name", "_options", "_span", "_token")

    def __init__(self, client: "Optional[Loupe]", kind: str, name: Optional[str], options: Dict[str, Any]) -> None:
        self._client = client  # None: the default client, looked up when the scope is entered
        self._kind = kind
        self._name = name
        self._options = options
        self._span: Optional[Span] = None
        self._token: Any = None

    def _copy(self) -> "SpanScope":
        return SpanScope(self._client, self._kind, self._name, self._options)

    def __enter__(self) -> Span:
        client = self._client if self._client is not None else default_client()
        span = client._start(self._kind, self._name, self._options)
        self._span = span
        self._token = _CURRENT.set(span)
        return span

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> bool:
        span = self._span
        try:
            _CURRENT.reset(self._token)
        except ValueError:  # exited in another context than it was entered in: that context keeps its own value
            pass
        if span is not None:
            if exc is not None and not isinstance(exc, GeneratorExit):
                span.error(exc)
            span.end()
        return False

    async def __aenter__(self) -> Span:
        return self.__enter__()

    async def __aexit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> bool:
        return self.__exit__(exc_type, exc, tb)

    def __call__(self, fn: F) -> F:
        scope = self
        name = self._name or getattr(fn, "__qualname__", None) or getattr(fn, "__name__", "call")
        capture = scope._options.get("capture", True)

        def record(span: Span, args: tuple, kwargs: Mapping[str, Any], result: Any) -> None:
            if not capture:
                return
            if span.kind == "TOOL":
                if span.tool_arguments is None:
                    span.tool_arguments = _text(_call_arguments(fn, args, kwargs))
                if span.tool_result is None:
                    span.tool_result = _text(result)
            elif span.kind == "LLM" and result is not None and span.completion is None:
                if isinstance(result, str):
                    span.completion = result
                else:
                    from . import providers

                    providers.record_response(result, span)

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                inner = SpanScope(scope._client, scope._kind, name, scope._options)
                async with inner as span:
                    result = await fn(*args, **kwargs)
                    _safely(record, span, args, kwargs, result)
                    return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            inner = SpanScope(scope._client, scope._kind, name, scope._options)
            with inner as span:
                result = fn(*args, **kwargs)
                _safely(record, span, args, kwargs, result)
                return result

        return wrapper  # type: ignore[return-value]


def _call_arguments(fn: Callable[..., Any], args: tuple, kwargs: Mapping[str, Any]) -> Any:
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
        return {k: v for k, v in bound.arguments.items() if k not in ("self", "cls")}
    except (TypeError, ValueError):
        return {"args": list(args), "kwargs": dict(kwargs)}


def _safely(fn: Callable[..., Any], *args: Any) -> None:
    try:
        fn(*args)
    except Exception:  # noqa: BLE001 - the telemetry path never raises into the app
        import logging

        logging.getLogger("loupe").debug("could not record a call's result", exc_info=True)


def run_in_context(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` bound to the caller's context (and so its current span), for a thread or an executor."""
    context = contextvars.copy_context()

    @functools.wraps(fn)
    def bound(*args: Any, **kwargs: Any) -> Any:
        # a copy per call: one Context cannot be entered by two threads at once
        return context.copy().run(fn, *args, **kwargs)

    return bound


