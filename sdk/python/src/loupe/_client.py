"""``Loupe``: one configured client — spans, decisions, feedback, and the sender behind them."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import random
import threading
import time
import uuid
import weakref
from enum import Enum
from typing import Any, Dict, Iterable, Mapping, Optional, Union

from . import _config, _http, _ids, _span, _wire
from ._span import RemoteParent, Span, SpanScope
from ._transport import DECISIONS, SPANS, Transport
from .errors import LoupeConfigError, LoupeRejected, LoupeUnavailable

LOG = logging.getLogger("loupe")

__all__ = ["Loupe", "FeedbackSignal"]


class FeedbackSignal(str, Enum):
    """What a user said about a decision (the strings are accepted too, in any case)."""

    CORRECT = "CORRECT"
    INCORRECT = "INCORRECT"
    EDITED = "EDITED"
    DISMISSED = "DISMISSED"
    THUMBS_UP = "THUMBS_UP"
    THUMBS_DOWN = "THUMBS_DOWN"


_UNSET: Any = _span._UNSET
_TWO_64 = float(2**64)


class Loupe:
    """A configured client. Every parameter left out comes from the environment (``LOUPE_*``), else its default;
    see :class:`loupe.Config` for the list. ``Loupe(disabled=True)`` (or ``LOUPE_DISABLED=1``) sends nothing and
    keeps every call working.

    Raises :class:`LoupeConfigError` naming the setting (or environment variable) when one is malformed.
    """

    def __init__(self, api_key: Optional[str] = None, *, environ: Optional[Mapping[str, str]] = None,
                 **settings: Any) -> None:
        self.config = _config.build(environ, api_key=api_key, **settings)
        self._debugged: set = set()
        self._lock = threading.Lock()
        self._rand = random.Random()
        self._sampled_out = 0
        self._closed = False
        disabled = self.config.disabled
        self._sending = not disabled and bool(self.config.api_key)
        self._transport: Optional[Transport] = Transport(self.config) if self._sending else None
        _CLIENTS.add(self)
        threshold = self.config.sample_rate * _TWO_64
        self._threshold = threshold
        if not disabled and not self.config.api_key:
            LOG.warning("loupe: no ingest key (api_key, LOUPE_API_KEY): spans and decisions are not sent")

    # -- spans -------------------------------------------------------------------------------------------------

    def llm_call(self, feature: Optional[str] = None, model: Optional[str] = None, provider: Optional[str] = None,
                 *, name: Optional[str] = None, **options: Any) -> SpanScope:
        """An LLM call: ``with loupe.llm_call(feature=…, model=…, provider=…) as call:`` or as a decorator.

        Options: ``request_model``, ``user_id``, ``session_id``, ``decision_id``, ``prompt`` (text or messages),
        ``prompt_template``, ``prompt_version``, ``metadata``/``tags`` (a dict), ``traceparent`` or
        ``trace_id``/``parent_span_id`` (join an existing trace). The name defaults to ``"<provider> <model>"``.
        """
        return llm_scope(self, feature, model, provider, name, options)

    def trace(self, name: str, feature: Optional[str] = None, *, kind: str = "CHAIN", **options: Any) -> SpanScope:
        """A parent span (kind CHAIN, or AGENT…): every span started inside it is its child, in the same trace.

        Takes the options of :meth:`llm_call`; ``user_id``, ``session_id`` and ``feature`` pass to the children.
        """
        return trace_scope(self, name, feature, kind, options)

    def retrieval(self, name: str = "retrieve", *, query: Any = None, **options: Any) -> SpanScope:
        """A retrieval step; record what came back with ``span.documents([...])`` or ``span.output(...)``."""
        return retrieval_scope(self, name, query, options)

    def tool(self, name: str, *, arguments: Any = None, **options: Any) -> SpanScope:
        """A tool call: its name, arguments and result (``span.set(tool_result=…)``; the decorator records the
        function's arguments and return value)."""
        return tool_scope(self, name, arguments, options)

    def span(self, kind: str, name: str, **options: Any) -> SpanScope:
        """A span of any kind: LLM, RETRIEVAL, TOOL, EMBEDDING, AGENT, CHAIN, OTHER."""
        return SpanScope(self, _kind(kind), name, options)

    def _sample(self, trace_id: str) -> bool:
        threshold = self._threshold
        if threshold >= _TWO_64:
            return True
        # the trace id's lower half decides, so every span of a trace (and every service that samples the same
        # way) keeps or drops it together
        return int(trace_id[16:], 16) < threshold

    def _start(self, kind: str, name: Optional[str], options: Dict[str, Any]) -> Span:
        parent: Any = _span._CURRENT.get()
        if options:
            remote = self._remote_parent(options)
            if remote is not None:
                parent = remote
        span = Span(self, kind, name, parent)
        if options:
            self._apply(span, options)
        return span

    def _remote_parent(self, options: Dict[str, Any]) -> Optional[RemoteParent]:
        header = options.get("traceparent")
        if header is not None:
            parsed = _ids.parse_traceparent(header)
            if parsed is None:
                self._warn_once("traceparent", f"loupe: ignoring a malformed traceparent {str(header)[:80]!r}")
                return None
            trace_id, span_id, _ = parsed
            return RemoteParent(trace_id, span_id, self._sample(trace_id))
        trace_id = options.get("trace_id")
        if trace_id is not None:
            trace_id = str(trace_id).lower()
            if not _ids.valid_trace_id(trace_id):
                self._warn_once("trace_id", f"loupe: ignoring trace_id {trace_id[:80]!r} (32 hex characters)")
                return None
            parent_span_id = options.get("parent_span_id")
            if parent_span_id is not None and not _ids.valid_span_id(str(parent_span_id).lower()):
                self._warn_once("parent_span_id", "loupe: ignoring a malformed parent_span_id (16 hex characters)")
                parent_span_id = None
            return RemoteParent(trace_id, None if parent_span_id is None else str(parent_span_id).lower(),
                                self._sample(trace_id))
        return None

    @staticmethod
    def _apply(span: Span, options: Dict[str, Any]) -> None:
        for key, value in options.items():
            if value is None:
                continue
            if key in ("feature", "model", "provider", "request_model", "user_id", "session_id", "decision_id",
                       "tool_name"):
                setattr(span, key, value if isinstance(value, str) else str(value))
            elif key == "prompt":
                span.input(value)
            elif key == "tool_arguments":
                span.tool_arguments = _span._text(value)
            elif key == "prompt_template":
                span.tag("promptTemplate", value)
            elif key == "prompt_version":
                span.tag("promptVersion", value)
            elif key in ("metadata", "tags") and isinstance(value, Mapping):
                for k, v in value.items():
                    span.tag(k, v)
            elif key in ("traceparent", "trace_id", "parent_span_id", "capture"):
                pass
            else:
                span.attribute(key, value)

    def _finish(self, span: Span) -> None:
        if not self._sending:
            return
        if not span.sampled:
            with self._lock:
                self._sampled_out += 1
            return
        self._transport.offer(SPANS, span)  # type: ignore[union-attr]

    # -- decisions ---------------------------------------------------------------------------------------------

    def log_ai_decision(
        self,
        decision_id: Optional[str] = None,
        feature: Optional[str] = None,
        input: Any = None,  # noqa: A002 - the practice's name
        retrieval_results: Optional[Iterable[Any]] = None,
        prompt_template: Optional[str] = None,
        prompt_version: Optional[str] = None,
        model: Optional[str] = None,
        output: Any = None,
        parsed_output: Any = _UNSET,
        latency_ms: Optional[float] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        *,
        parse_error: Optional[str] = None,
        status: Optional[str] = None,
        error_type: Optional[str] = None,
        cost_usd: Any = None,
        occurred_at: Any = None,
        trace_id: Optional[str] = None,
    ) -> str:
        """Records what the AI decided and from what, for reconstruction and evaluation; returns the decision id
        (a new UUID when none is given) to attach to the UI, so feedback can name it.

        Inside a trace, the decision joins it (and the current span carries its id); ``feature`` defaults to the
        trace's. Retrieved documents' ``text`` is only hashed (HMAC) by the collector, never stored. Never raises.
        """
        decision_id = str(decision_id) if decision_id else str(uuid.uuid4())
        try:
            current = _span._CURRENT.get()
            if trace_id is not None:
                trace_id = str(trace_id).lower()
                if not _ids.valid_trace_id(trace_id):
                    # the decision is worth keeping without its trace link; the collector would refuse it whole
                    self._warn_once("decision-trace_id", f"loupe: log_ai_decision: ignoring trace_id "
                                    f"{trace_id[:80]!r} (32 hex characters); the decision is sent without it")
                    trace_id = None
            elif current is not None:
                trace_id = current.trace_id
            if feature is None and current is not None:
                feature = current.feature
            if isinstance(current, Span) and current.decision_id is None and not current.ended:
                current.decision_id = decision_id
            if not self._sending:
                return decision_id
            item: Dict[str, Any] = {"decisionId": decision_id}
            for key, value in (
                ("traceId", trace_id),
                ("feature", feature),
                ("input", _span._text(input)),
                ("retrievalResults", _wire.retrieval_results(retrieval_results)),
                ("promptTemplate", prompt_template),
                ("promptVersion", prompt_version),
                ("model", model),
                ("output", _span._text(output)),
                ("parseError", parse_error),
                ("status", None if status is None else str(status).upper()),
                ("errorType", error_type),
                ("costUsd", _wire.money(cost_usd)),
                ("latencyMs", None if latency_ms is None else int(latency_ms)),
                ("occurredAt", _wire.iso(occurred_at) or _wire.iso_from_ns(time.time_ns())),
                ("metadata", _wire.metadata(metadata)),
            ):
                if value is not None:
                    item[key] = value
            if parsed_output is not _UNSET:
                item["parsedOutput"] = parsed_output
            self._transport.offer(DECISIONS, item)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - the telemetry path never raises into the app
            self._warn_once("decision", "loupe: could not record a decision", exc_info=True)
        return decision_id

    # -- feedback ----------------------------------------------------------------------------------------------

    def capture_feedback(
        self,
        decision_id: str,
        signal: Union[str, FeedbackSignal],
        correction: Optional[str] = None,
        feedback_text: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        *,
        user_id: Optional[str] = None,
        occurred_at: Any = None,
        timeout: Optional[float] = None,
    ) -> Optional[str]:
        """Sends a user's feedback on a decision with the public key, synchronously; returns the feedback id.

        A correction makes eval-runner re-evaluate the decision against it and file a regression case. Retries on
        overload or I/O errors reuse one idempotency key (a new one when none is given), so the feedback is stored
        once. Raises :class:`LoupeRejected` (a refused field: ``e.field``), :class:`LoupeUnavailable` (not
        reachable within ``feedback_attempts``) or :class:`LoupeConfigError` (no public key). Disabled: None.
        """
        if self.config.disabled:
            return None
        config = self.config
        if not config.public_key:
            raise LoupeConfigError("public_key", "capture_feedback needs the project's public key (LOUPE_PUBLIC_KEY)")
        body: Dict[str, Any] = {
            "decisionId": decision_id,
            "signal": signal.value if isinstance(signal, FeedbackSignal) else signal,
        }
        for key, value in (("correction", correction), ("feedbackText", feedback_text), ("userId", user_id),
                           ("occurredAt", _wire.iso(occurred_at))):
            if value is not None:
                body[key] = value
        key = idempotency_key or str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {config.public_key}", "Idempotency-Key": key,
                   "Accept": "application/json"}
        payload = _wire.dumps(body).encode("utf-8")
        conn = _http.Connection(config.feedback_url, config.timeout if timeout is None else timeout)
        deadline = time.monotonic() + (config.timeout if timeout is None else timeout) * config.feedback_attempts
        try:
            attempt = 0
            while True:
                attempt += 1
                status: Optional[int] = None
                wait: Optional[float] = None
                try:
                    answer = conn.post("/v1/feedback", payload, headers, compress=False)
                    status = answer.status
                except OSError as e:
                    reason = f"{type(e).__name__}: {e}"
                else:
                    if 200 <= status < 300:
                        result = answer.json()
                        return str(result.get("feedbackId")) if isinstance(result, dict) else None
                    field, detail, title = answer.problem()
                    if not _http.is_retryable(status):
                        raise LoupeRejected(status, field, detail, title)
                    reason = f"HTTP {status}: {detail}"
                    wait = _http.retry_after(answer.headers.get("retry-after"))
                if wait is None:
                    wait = _http.backoff(attempt, config.backoff_initial, config.backoff_max, self._rand)
                if attempt >= config.feedback_attempts or time.monotonic() + wait > deadline:
                    raise LoupeUnavailable(f"feedback not sent after {attempt} attempts: {reason}", status)
                time.sleep(wait)
        finally:
            conn.close()

    async def acapture_feedback(self, decision_id: str, signal: Union[str, FeedbackSignal],
                                correction: Optional[str] = None, feedback_text: Optional[str] = None,
                                idempotency_key: Optional[str] = None, **options: Any) -> Optional[str]:
        """:meth:`capture_feedback` for asyncio: the request runs on a worker thread, the loop stays free."""
        call = functools.partial(self.capture_feedback, decision_id, signal, correction, feedback_text,
                                 idempotency_key, **options)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until everything queued before the call was sent, rejected or given up. False on timeout."""
        if self._transport is None:
            return True
        return self._transport.flush(self.config.close_timeout if timeout is None else timeout)

    def close(self, timeout: Optional[float] = None) -> bool:
        """Sends what is queued (within ``timeout``, default ``close_timeout``) and stops the sender; later spans
        are dropped. Also runs at interpreter exit. True when nothing was left unsent."""
        self._closed = True
        if self._transport is None:
            return True
        return self._transport.close(timeout)

    def stats(self) -> Dict[str, int]:
        """Counters: queued, enqueued, sent, rejected, failed, dropped, retries, requests, sampled_out.

        Once idle, ``enqueued == sent + rejected + failed``; ``dropped`` counts what a full queue (or a closed
        client) refused, ``sampled_out`` the spans ``sample_rate`` left out."""
        transport = self._transport
        if transport is None:
            return {"queued": 0, "enqueued": 0, "sent": 0, "rejected": 0, "failed": 0, "dropped": 0,
                    "retries": 0, "requests": 0, "sampled_out": self._sampled_out}
        stats = transport.stats
        queued = transport.queued()
        return {
            "queued": queued,
            "enqueued": stats.taken + queued,
            "sent": stats.sent,
            "rejected": stats.rejected,
            "failed": stats.failed,
            "dropped": stats.dropped,
            "retries": stats.retries,
            "requests": stats.requests,
            "sampled_out": self._sampled_out,
        }

    @property
    def enabled(self) -> bool:
        """True when spans and decisions are sent (not disabled, an ingest key set)."""
        return self._sending

    # -- logging helpers ---------------------------------------------------------------------------------------

    def _warn_once(self, key: str, message: str, exc_info: bool = False) -> None:
        if key in self._debugged:
            LOG.debug(message, exc_info=exc_info)
            return
        self._debugged.add(key)
        LOG.warning(message, exc_info=exc_info)

    def _debug_once(self, message: str) -> None:
        if message not in self._debugged:
            self._debugged.add(message)
            LOG.debug(message)

    def __enter__(self) -> "Loupe":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "sending" if self._sending else ("disabled" if self.config.disabled else "no ingest key")
        return f"Loupe(collector_url={self.config.collector_url!r}, {state})"


_CLIENTS: "weakref.WeakSet[Loupe]" = weakref.WeakSet()


def _after_fork() -> None:
    # a lock another thread of the parent held at the fork would stay held in the child forever
    for client in list(_CLIENTS):
        client._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


# The scopes, built for a client, or for None: the default client when the scope is entered (so a module-level
# decorator applied at import follows a later loupe.configure()).

def llm_scope(client: Optional[Loupe], feature: Optional[str], model: Optional[str], provider: Optional[str],
              name: Optional[str], options: Dict[str, Any]) -> SpanScope:
    if feature is not None:
        options["feature"] = feature
    if model is not None:
        options["model"] = model
    if provider is not None:
        options["provider"] = provider
    if name is None and model is not None:
        name = f"{provider} {model}" if provider else model
    return SpanScope(client, "LLM", name, options)


def trace_scope(client: Optional[Loupe], name: str, feature: Optional[str], kind: str,
                options: Dict[str, Any]) -> SpanScope:
    if feature is not None:
        options["feature"] = feature
    return SpanScope(client, _kind(kind), name, options)


def retrieval_scope(client: Optional[Loupe], name: str, query: Any, options: Dict[str, Any]) -> SpanScope:
    if query is not None:
        options["prompt"] = query
    return SpanScope(client, "RETRIEVAL", name, options)


def tool_scope(client: Optional[Loupe], name: str, arguments: Any, options: Dict[str, Any]) -> SpanScope:
    options["tool_name"] = name
    if arguments is not None:
        options["tool_arguments"] = arguments
    return SpanScope(client, "TOOL", name, options)


def _kind(kind: str) -> str:
    upper = str(kind).upper()
    return upper if upper in _span.KINDS else "OTHER"
