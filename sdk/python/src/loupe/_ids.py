"""Trace and span ids (W3C Trace Context: lowercase hex, never all zeros) and the traceparent header."""

from __future__ import annotations

import random
import re
from typing import Optional, Tuple

# random.getrandbits is the module's Mersenne Twister, seeded from os.urandom and reseeded in a forked child
# (CPython registers that at fork): ids need to be unique, not secret, and this is ~10x cheaper than os.urandom.
_getrandbits = random.getrandbits

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
_SPAN_ID = re.compile(r"^[0-9a-f]{16}$")
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16


def new_trace_id() -> str:
    value = _getrandbits(128)
    while value == 0:
        value = _getrandbits(128)
    return "%032x" % value


def new_span_id() -> str:
    value = _getrandbits(64)
    while value == 0:
        value = _getrandbits(64)
    return "%016x" % value


def valid_trace_id(value: object) -> bool:
    return isinstance(value, str) and bool(_TRACE_ID.match(value)) and value != _ZERO_TRACE


def valid_span_id(value: object) -> bool:
    return isinstance(value, str) and bool(_SPAN_ID.match(value)) and value != _ZERO_SPAN


def parse_traceparent(header: str) -> Optional[Tuple[str, str, bool]]:
    """(trace id, parent span id, sampled flag) of a W3C ``traceparent``, or None when it is not one."""
    match = _TRACEPARENT.match(header.strip().lower()) if isinstance(header, str) else None
    if not match:
        return None
    version, trace_id, span_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest):
        return None
    if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
        return None
    return trace_id, span_id, bool(int(flags, 16) & 1)


def format_traceparent(trace_id: str, span_id: str, sampled: bool = True) -> str:
    return f"00-{trace_id}-{span_id}-{'01' if sampled else '00'}"
