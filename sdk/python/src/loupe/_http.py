"""HTTP with the standard library: one kept-alive connection per sender, Retry-After, backoff, problem+json."""

from __future__ import annotations

import datetime
import email.utils
import gzip
import http.client
import json
import random
import ssl
import time
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from ._version import __version__

USER_AGENT = f"loupe-sdk-python/{__version__}"
GZIP_THRESHOLD = 1024


class Answer:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, ValueError):
            return None

    def problem(self) -> Tuple[Optional[str], str, Optional[str]]:
        """(field, detail, title) of a problem+json answer, with what there is otherwise."""
        body = self.json()
        if isinstance(body, dict):
            detail = body.get("detail") or body.get("title") or ""
            field = body.get("field")
            errors = body.get("errors")
            if not field and isinstance(errors, list) and errors and isinstance(errors[0], dict):
                field = errors[0].get("field")
                detail = detail or errors[0].get("message") or ""
            return field, str(detail), body.get("title")
        text = self.body[:200].decode("utf-8", "replace").strip()
        return None, text or f"HTTP {self.status}", None


class Connection:
    """A kept-alive connection to one base URL; reopened after any error. Not thread-safe: one per thread."""

    def __init__(self, base_url: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._conn: Optional[http.client.HTTPConnection] = None
        self._request: Tuple[str, bytes, Dict[str, str]] = ("", b"", {})
        self._error: Optional[BaseException] = None

    def _open(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=ssl.create_default_context()
                )
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def post(self, path: str, body: bytes, headers: Dict[str, str], compress: bool) -> Answer:
        """POSTs ``body``; raises OSError (http.client's errors included) when no answer came."""
        self.begin(path, body, headers, compress)
        return self.finish()

    def begin(self, path: str, body: bytes, headers: Dict[str, str], compress: bool) -> None:
        """Sends a POST without waiting for its answer (:meth:`finish` reads it), so the caller can prepare the
        next request meanwhile. An error here is raised by :meth:`finish`."""
        headers = dict(headers)
        headers.setdefault("Content-Type", "application/json")
        headers["User-Agent"] = USER_AGENT
        if compress and len(body) >= GZIP_THRESHOLD:
            body = gzip.compress(body, compresslevel=1)
            headers["Content-Encoding"] = "gzip"
        self._request = (self._prefix + path, body, headers)
        self._error = None
        try:
            self._send()
        except (OSError, http.client.HTTPException) as e:
            self._error = e

    def _send(self) -> None:
        path, body, headers = self._request
        for attempt in (1, 2):
            try:
                self._open().request("POST", path, body=body, headers=headers)
                return
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # a kept-alive connection the server closed meanwhile: one fresh attempt, then it is an error
                self.close()
                if attempt == 2:
                    raise
            except (OSError, http.client.HTTPException):
                self.close()
                raise

    def finish(self) -> Answer:
        """The answer to the request :meth:`begin` sent; raises OSError when none came."""
        for attempt in (1, 2):
            error = self._error
            if error is None:
                try:
                    response = self._open().getresponse()
                    data = response.read()
                    answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
                    if response.will_close:
                        self.close()
                    return answer
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                    self.close()
                    error = e
                    if attempt == 1:
                        # the server closed the kept-alive connection as the request went out: send it once more
                        try:
                            self._send()
                            continue
                        except (OSError, http.client.HTTPException) as again:
                            error = again
                except (OSError, http.client.HTTPException) as e:
                    self.close()
                    error = e
            self._error = None
            if isinstance(error, OSError):
                raise error
            raise OSError(f"{type(error).__name__}: {error}") from error
        raise OSError("unreachable")  # pragma: no cover


def retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds, or an HTTP-date in any of RFC 9110's forms."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit alone takes "²", which int() refuses
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        # asctime's form carries no zone; RFC 9110 dates are all GMT (timestamp() would read it as local time)
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff(attempt: int, initial: float, maximum: float, rand: "random.Random") -> float:
    """The wait before attempt ``attempt + 1`` (attempt counts from 1): between half and all of
    min(maximum, initial * 2^(attempt-1))."""
    ceiling = min(maximum, initial * (2 ** min(attempt - 1, 30)))
    return ceiling / 2 + rand.random() * ceiling / 2


RETRYABLE_STATUSES = frozenset((429, 502, 503, 504))


def is_retryable(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


