"""The collector's native JSON (``contracts``' SpanInput / DecisionInput, FeedbackInput), built on the sender's
thread: the app's thread only fills a Span."""

from __future__ import annotations

import datetime
import json
import math
import time
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from ._span import _UNSET, Span

# (epoch second, its "YYYY-mm-ddTHH:MM:SS" text), replaced as one tuple so threads never see a mixed pair
_second: Tuple[int, str] = (-1, "")


def iso_from_ns(ns: int) -> str:
    """ISO-8601 UTC to the microsecond, the precision PostgreSQL stores."""
    global _second
    seconds, rest = divmod(ns, 1_000_000_000)
    cached = _second
    if cached[0] != seconds:
        cached = _second = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
    return cached[1] + ".%06dZ" % (rest // 1000)


def iso(value: Any) -> Optional[str]:
    """A datetime (naive means UTC), epoch seconds or an ISO string, as the wire's UTC instant."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, (int, float)):
        return iso_from_ns(int(value * 1_000_000_000))
    return str(value)


def money(value: Any) -> Any:
    """USD as a JSON number (a Decimal as the float nearest to it: money needs no more than 15 digits)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return value
    return None


def _ms(ns: Optional[int]) -> Optional[int]:
    return None if ns is None else ns // 1_000_000


def span_json(span: Span, prompt_template_key: str = "promptTemplate") -> Dict[str, Any]:
    out: Dict[str, Any] = {
        "traceId": span.trace_id,
        "spanId": span.span_id,
        "kind": span.kind,
        "startTime": iso_from_ns(span.start_ns),
    }
    if span.parent_span_id is not None:
        out["parentSpanId"] = span.parent_span_id
    if span.latency_ns is not None:
        out["endTime"] = iso_from_ns(span.start_ns + span.latency_ns)
        out["latencyMs"] = span.latency_ns // 1_000_000
    put = out.__setitem__
    for key, value in (
        ("name", span.name),
        ("provider", span.provider),
        ("model", span.model),
        ("requestModel", span.request_model),
        ("timeToFirstTokenMs", _ms(span.ttft_ns)),
        ("inputTokens", span.input_tokens),
        ("outputTokens", span.output_tokens),
        ("cachedInputTokens", span.cached_input_tokens),
        ("cacheWriteInputTokens", span.cache_write_input_tokens),
        ("reasoningTokens", span.reasoning_tokens),
        ("costUsd", money(span.cost_usd)),
        ("prompt", span.prompt),
        ("completion", span.completion),
        ("parseError", span.parse_error),
        ("status", span.status or "SUCCESS"),
        ("errorType", span.error_type),
        ("errorMessage", span.error_message),
        ("feature", span.feature),
        ("sessionId", span.session_id),
        ("userId", span.user_id),
        ("decisionId", span.decision_id),
        ("toolName", span.tool_name),
        ("toolArguments", span.tool_arguments),
        ("toolResult", span.tool_result),
    ):
        if value is not None:
            put(key, value)
    if span.parsed_output is not _UNSET:
        out["parsedOutput"] = span.parsed_output
    if span.metadata:
        out["metadata"] = {str(k): str(v) for k, v in span.metadata.items() if v is not None}
    if span.attributes:
        out["attributes"] = span.attributes
    return out


def _score(value: Any) -> Optional[float]:
    """A finite score, or None (left out) for anything else: one odd score never costs the whole decision."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def retrieval_results(results: Optional[Iterable[Any]]) -> Optional[List[Dict[str, Any]]]:
    """``[{"doc_id", "score", "text"}]`` (or ``docId``/``id``, ``text_hash``; dicts or objects) as the wire's."""
    if results is None:
        return None
    out = []
    for item in results:
        get = item.get if isinstance(item, Mapping) else (lambda k, d=None, o=item: getattr(o, k, d))
        doc_id = first(get, "doc_id", "docId", "id")
        entry: Dict[str, Any] = {"docId": None if doc_id is None else str(doc_id)}
        score = _score(get("score"))
        if score is not None:
            entry["score"] = score
        text = get("text")
        if text is not None:
            entry["text"] = str(text)
        text_hash = first(get, "text_hash", "textHash")
        if text_hash is not None:
            entry["textHash"] = str(text_hash)
        out.append(entry)
    return out


def first(get: Any, *names: str) -> Any:
    """The first of ``names`` that is present (not None): an id of 0 or "" is an id."""
    for name in names:
        value = get(name)
        if value is not None:
            return value
    return None


def metadata(values: Optional[Mapping[str, Any]]) -> Optional[Dict[str, str]]:
    if not values:
        return None
    return {
        str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
        for k, v in values.items()
        if v is not None
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept (UTF-8 on the wire), anything unknown as its text. One encoder for all:
    json.dumps with options builds a new one per call."""
    return _ENCODER.encode(value)
